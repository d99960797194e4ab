#include "kiln/keyboard.h"

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/key_echo.h"
#include "kiln/pic.h"
#include "kiln/scancode_stream.h"

#define PS2_DATA 0x60

static struct scancode_decoder decoder;
static key_consumer consumer;

/* The echo of a key press, as the blog's keyboard handler prints it
 * (drivers/key_echo.c): the character, control characters included (VGA
 * shows them as ■), or the key's name. */
void keyboard_echo(const struct key_event *ev)
{
    char text[KEY_ECHO_MAX];
    size_t n = key_echo(ev, text, sizeof text);
    if (n) console_write(text, n);
}

void keyboard_deliver(const struct key_event *ev)
{
    (consumer ? consumer : keyboard_echo)(ev);
}

void keyboard_handle_byte(uint8_t byte)
{
    struct key_event ev;
    if (!scancode_feed(&decoder, byte, &ev) || !ev.pressed) return;
    keyboard_deliver(&ev);
}

/* Post 7 decoded in the handler; since post 12 the handler only queues the
 * scancode for the keyboard task, unless a consumer asks for the old way. */
static void keyboard_irq(void)
{
    uint8_t byte = inb(PS2_DATA);
    if (consumer)
        keyboard_handle_byte(byte);
    else
        scancode_queue_add(byte);
}

void keyboard_init(void)
{
    scancode_init(&decoder);
    irq_set_handler(IRQ_KEYBOARD, keyboard_irq);
}

void keyboard_set_consumer(key_consumer c)
{
    consumer = c;
}
