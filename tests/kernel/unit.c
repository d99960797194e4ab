/* The unit test image: the tests blog_os keeps in lib.rs, from the "VGA Text
 * Mode", "Testing" and "CPU Exceptions" posts. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/spinlock.h"
#include "kiln/string.h"
#include "kiln/vga.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    ktest_main();
}

KTEST(trivial_assertion)
{
    kassert_eq(1, 1);
}

KTEST(println_simple)
{
    println("test_println_simple output");
}

KTEST(println_many)
{
    for (int i = 0; i < 200; i++) println("test_println_many output");
}

/* The line lands on the row above the last, because println's "\n" then
 * scrolls it up by one. */
KTEST(println_output)
{
    static const char s[] = "Some test string that fits on a single line";
    println("\n%s", s);
    for (size_t i = 0; i < sizeof s - 1; i++) {
        uint16_t cell = vga_cell(VGA_HEIGHT - 2, i);
        kassert_eq((char)(cell & 0xff), s[i]);
        kassert_eq(cell >> 8, VGA_BLACK << 4 | VGA_YELLOW);
    }
}

/* Bytes outside 0x20..0x7e print as 0xfe; a line longer than 80 wraps. */
KTEST(nonprintable_and_wrap)
{
    println("a\tb\x01");
    kassert_eq(vga_cell(VGA_HEIGHT - 2, 0) & 0xff, 'a');
    kassert_eq(vga_cell(VGA_HEIGHT - 2, 1) & 0xff, 0xfe);
    kassert_eq(vga_cell(VGA_HEIGHT - 2, 2) & 0xff, 'b');
    kassert_eq(vga_cell(VGA_HEIGHT - 2, 3) & 0xff, 0xfe);
    char line[VGA_WIDTH + 2];
    memset(line, 'x', sizeof line);
    line[VGA_WIDTH] = 'y';
    line[VGA_WIDTH + 1] = 0;
    println("%s", line);
    kassert_eq(vga_cell(VGA_HEIGHT - 3, VGA_WIDTH - 1) & 0xff, 'x');
    kassert_eq(vga_cell(VGA_HEIGHT - 2, 0) & 0xff, 'y');
}

/* int3 reaches the breakpoint handler, which prints and returns. */
KTEST(test_breakpoint_exception)
{
    __asm__ volatile("int3");
}

static volatile int interrupts_were_on = -1;
static void note_interrupts(void *arg)
{
    (void)arg;
    interrupts_were_on = interrupts_enabled();
}

/* without_interrupts runs its function with interrupts off and turns them
 * back on after, as the blog's helper does. */
KTEST(without_interrupts_disables_then_restores)
{
    kassert(interrupts_enabled());
    without_interrupts(note_interrupts, NULL);
    kassert_eq(interrupts_were_on, 0);
    kassert(interrupts_enabled());
}
