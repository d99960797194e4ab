/* The console picks its display from GRUB's framebuffer tag and shows the
 * same lines on each: VGA text under BIOS, the framebuffer console under
 * UEFI. */
// run: bios
// run: uefi @uefi
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/boot.h"
#include "kiln/console.h"
#include "kiln/fbcon.h"
#include "kiln/ktest.h"
#include "kiln/vga.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    boot_info_load(magic, info_phys);
    ktest_main();
}

static const char line[] = "Hello World! 0123 ~{}";

KTEST(display_follows_the_framebuffer_tag)
{
    const struct boot_framebuffer *fb = &boot_info()->fb;
    enum console_display d = console_init(fb);
    if (fb->kind == FB_EGA_TEXT) {
        kassert_eq(d, CONSOLE_VGA);
        kassert_eq(fb->addr, 0xb8000);
    } else {
        kassert_eq(fb->kind, FB_RGB);
        kassert(fb->bpp == 24 || fb->bpp == 32);
        kassert_eq(d, CONSOLE_FRAMEBUFFER);
        kassert(fbcon_columns() >= 80);
    }
}

KTEST(a_line_appears_on_the_display)
{
    console_clear();
    println("%s", line);
    for (size_t i = 0; i < sizeof line - 1; i++) {
        if (console_display() == CONSOLE_VGA) {
            kassert_eq(vga_cell(VGA_HEIGHT - 2, i) & 0xff, (uint8_t)line[i]);
        } else {
            kassert(fbcon_cell_shows(fbcon_rows() - 2, i, (uint8_t)line[i]));
            kassert(!fbcon_cell_shows(fbcon_rows() - 2, i, (uint8_t)line[i] ^ 1));
        }
    }
}

KTEST(wrapping_and_non_printable_bytes)
{
    if (console_display() != CONSOLE_FRAMEBUFFER) return; /* the VGA case is in unit */
    size_t cols = fbcon_columns();
    for (size_t i = 0; i < cols; i++) print("x");
    println("y\x01");
    kassert(fbcon_cell_shows(fbcon_rows() - 3, cols - 1, 'x'));
    kassert(fbcon_cell_shows(fbcon_rows() - 2, 0, 'y'));
    kassert(fbcon_cell_shows(fbcon_rows() - 2, 1, 0xfe));
}
