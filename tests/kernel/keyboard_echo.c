/* Typed keys echo as the blog's keyboard handler prints them, on both
 * consoles: scancodes fed through the keyboard path (keyboard_handle_byte,
 * as IRQ 1 would) reach COM1 as the characters and key names, control
 * characters as themselves, and the VGA screen with ■ (0xfe) for the
 * control character, as the blog's writer shows it. */
#include <stdint.h>

#include "kiln/boot.h"
#include "kiln/console.h"
#include "kiln/init.h"
#include "kiln/keyboard.h"
#include "kiln/ktest.h"
#include "kiln/string.h"
#include "kiln/vga.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys);
    console_init(&bi->fb);
    kernel_init();
    ktest_main();
}

static char seen[128];
static size_t seen_len;

static void collect(const char *s, size_t n)
{
    for (size_t i = 0; i < n && seen_len < sizeof seen - 1; i++) seen[seen_len++] = s[i];
    seen[seen_len] = 0;
}

/* h, i, Shift+1, Backspace, Ctrl+C, ArrowUp, F1 (with their releases). */
static const uint8_t typed[] = {0x23, 0xa3, 0x17, 0x97, 0x2a, 0x02, 0x82, 0xaa, 0x0e, 0x8e,
                                0x1d, 0x2e, 0xae, 0x9d, 0xe0, 0x48, 0xe0, 0xc8, 0x3b, 0xbb};
static const char echoed[] = "hiLShift!\bLControlcArrowUpF1";

KTEST(typed_keys_echo_as_the_blogs_handler_prints_them)
{
    kassert_eq(console_display(), CONSOLE_VGA);
    print("\n"); /* start the bottom row afresh */
    seen_len = 0;
    console_set_mirror(collect);
    for (size_t i = 0; i < sizeof typed; i++) keyboard_handle_byte(typed[i]);
    console_set_mirror(NULL);
    if (strcmp(seen, echoed) != 0) panic("COM1 got \"%s\", want \"%s\"", seen, echoed);

    /* The bottom row of the VGA screen: the same text, 0x08 shown as ■. */
    for (size_t col = 0; col < sizeof echoed - 1; col++) {
        uint8_t want = echoed[col] == '\b' ? 0xfe : (uint8_t)echoed[col];
        uint8_t got = (uint8_t)vga_cell(VGA_HEIGHT - 1, col);
        if (got != want) panic("VGA column %zu holds 0x%x, want 0x%x", col, got, want);
    }
}
