/* Hardware interrupts: the timer ticks, printing from the timer handler
 * while kernel code prints cannot deadlock (the blog's deadlock, fixed by the
 * interrupt-safe console lock), the keyboard path decodes scancodes, and a
 * spurious IRQ 7 or 15 is recognised. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/init.h"
#include "kiln/keyboard.h"
#include "kiln/ktest.h"
#include "kiln/pic.h"
#include "kiln/timer.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    ktest_main();
}

KTEST(timer_ticks_advance)
{
    kassert(interrupts_enabled());
    uint64_t start = timer_ticks();
    for (int i = 0; i < 1000 && timer_ticks() < start + 5; i++) hlt();
    kassert(timer_ticks() >= start + 5);
}

static void print_on_tick(uint64_t tick)
{
    print("<%llu>", (unsigned long long)tick);
}

KTEST(printing_from_timer_while_printing_does_not_deadlock)
{
    uint64_t start = timer_ticks();
    timer_set_hook(print_on_tick);
    long lines = 0;
    /* Bounded: at 100 Hz, 200 ticks need about 2 s; far fewer lines suffice. */
    while (timer_ticks() < start + 200 && lines < 2000000) {
        println("kernel line %ld, printed while the timer prints too", lines);
        lines++;
    }
    timer_set_hook(NULL);
    println("");
    kassert(timer_ticks() >= start + 200);
}

static char typed[32];
static int typed_len, arrow_up;

static void capture(const struct key_event *ev)
{
    if (ev->key == KEY_ARROW_UP) arrow_up++;
    if (ev->ch && typed_len < (int)sizeof typed - 1) typed[typed_len++] = (char)ev->ch;
}

KTEST(injected_scancodes_give_characters)
{
    /* h, i, LShift down, 1, LShift up, e0 48 (ArrowUp), e0 c8, an unknown
     * byte 0x00, Enter; releases of h and i. */
    static const uint8_t bytes[] = {0x23, 0xa3, 0x17, 0x97, 0x2a, 0x02, 0x82, 0xaa,
                                    0xe0, 0x48, 0xe0, 0xc8, 0x00, 0x1c, 0x9c};
    keyboard_set_consumer(capture);
    for (unsigned i = 0; i < sizeof bytes; i++) keyboard_handle_byte(bytes[i]);
    keyboard_set_consumer(NULL);
    typed[typed_len] = 0;
    kassert_eq(typed_len, 4);
    kassert_eq(typed[0], 'h');
    kassert_eq(typed[1], 'i');
    kassert_eq(typed[2], '!');
    kassert_eq(typed[3], '\n');
    kassert_eq(arrow_up, 1);
}

/* The whole hardware path: the PS/2 controller's command 0xd2 puts a byte in
 * its output buffer as if the keyboard had sent it, which raises IRQ 1; the
 * handler reads port 0x60 and decodes it. */
static void ps2_inject(uint8_t byte)
{
    while (inb(0x64) & 0x02) cpu_relax(); /* input buffer full: wait */
    outb(0x64, 0xd2);
    while (inb(0x64) & 0x02) cpu_relax();
    outb(0x60, byte);
    uint64_t start = timer_ticks();
    while ((inb(0x64) & 0x01) && timer_ticks() < start + 50) hlt(); /* until IRQ 1 read it */
}

KTEST(keys_through_the_ps2_controller_and_irq_1)
{
    typed_len = 0;
    arrow_up = 0;
    keyboard_set_consumer(capture);
    static const uint8_t bytes[] = {0x25, 0xa5, 0x2a, 0x17, 0x97, 0xaa, 0xe0, 0x48, 0xe0, 0xc8};
    for (unsigned i = 0; i < sizeof bytes; i++) ps2_inject(bytes[i]);
    keyboard_set_consumer(NULL);
    kassert_eq(typed_len, 2);
    kassert_eq(typed[0], 'k');
    kassert_eq(typed[1], 'I');
    kassert_eq(arrow_up, 1);
}

/* A software "int 39" reaches the IRQ 7 path without the PIC having raised
 * it: its in-service bit is clear, so it must count as spurious and get no
 * EOI. Likewise IRQ 15. Timer ticks keep coming afterwards. */
KTEST(spurious_irq_7_and_15_are_recognised)
{
    uint64_t before = pic_spurious_count();
    __asm__ volatile("int $39" ::: "memory");
    __asm__ volatile("int $47" ::: "memory");
    kassert_eq(pic_spurious_count(), before + 2);
    uint64_t start = timer_ticks();
    for (int i = 0; i < 1000 && timer_ticks() < start + 2; i++) hlt();
    kassert(timer_ticks() >= start + 2);
}
