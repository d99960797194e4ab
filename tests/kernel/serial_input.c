/* Serial input: bytes typed on COM1 (here sent by tools/test.sh through
 * QEMU's -serial stdio) raise IRQ 4 and reach the key consumer as the key
 * presses the PS/2 keyboard would give. */
// serial-input: hi!\r\x01\x7f
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/init.h"
#include "kiln/keyboard.h"
#include "kiln/ktest.h"
#include "kiln/scancode.h"
#include "kiln/serial.h"
#include "kiln/timer.h"

#define EXPECTED 6
static struct key_event seen[16];
static volatile int count;

static void collect(const struct key_event *ev)
{
    if (count < 16) seen[count] = *ev;
    count++;
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    keyboard_set_consumer(collect);
    serial_printf("ready for serial input\n"); /* tools/test.sh starts typing */
    ktest_main();
}

KTEST(typed_bytes_arrive_as_key_presses)
{
    uint64_t start = timer_ticks();
    while (count < EXPECTED && timer_ticks() - start < 3000) hlt(); /* 30 s */
    if (count != EXPECTED) panic("%d key presses arrived on COM1, expected %d", count, EXPECTED);
    static const struct {
        enum key_code key;
        uint32_t ch;
    } want[EXPECTED] = {
        {KEY_H, 'h'},      {KEY_I, 'i'},  {KEY_1, '!'},
        {KEY_ENTER, '\n'}, {KEY_A, 0x01}, {KEY_BACKSPACE, 0x08},
    };
    for (int i = 0; i < EXPECTED; i++) {
        kassert_eq(seen[i].key, want[i].key);
        kassert_eq(seen[i].ch, want[i].ch);
        kassert(seen[i].pressed);
    }
}

/* The same consumer hears both: the PS/2 make code of H, then the byte 'h'. */
KTEST(ps2_and_serial_meet_in_one_consumer)
{
    count = 0;
    keyboard_handle_byte(0x23); /* H pressed */
    keyboard_handle_byte(0xa3); /* H released: not a press */
    struct key_event ev;
    kassert(key_event_from_ascii('h', &ev));
    keyboard_deliver(&ev);
    kassert_eq(count, 2);
    kassert_eq(seen[0].key, seen[1].key);
    kassert_eq(seen[0].ch, seen[1].ch);
    keyboard_set_consumer(NULL);
}
