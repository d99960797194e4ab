#include "kiln/keyboard.h"

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/pic.h"
#include "kiln/scancode_stream.h"

#define PS2_DATA 0x60

static struct scancode_decoder decoder;
static key_consumer consumer;

static bool is_modifier_or_lock(enum key_code k)
{
    switch (k) {
    case KEY_LSHIFT:
    case KEY_RSHIFT:
    case KEY_LCTRL:
    case KEY_RCTRL:
    case KEY_LALT:
    case KEY_RALT:
    case KEY_LWIN:
    case KEY_RWIN:
    case KEY_CAPS_LOCK:
    case KEY_NUM_LOCK:
    case KEY_SCROLL_LOCK:
        return true;
    default:
        return false;
    }
}

/* The blog's demo: print the character, or the name of a key that has no
 * printable one (Backspace, Escape, Ctrl+letters, arrows, ...). */
void keyboard_echo(const struct key_event *ev)
{
    if ((ev->ch >= 0x20 && ev->ch < 0x7f) || ev->ch == '\n')
        print("%c", (char)ev->ch);
    else if (!is_modifier_or_lock(ev->key))
        print("%s", key_name(ev->key));
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
