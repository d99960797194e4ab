/* The VGA text-mode writer of the blog's "VGA Text Mode" post (drivers/vga.c).
 *
 * 80x25 cells at physical 0xb8000, each cell a character byte and a colour
 * byte, colour = background << 4 | foreground. It writes on the last row,
 * wraps at column 80, and "\n" scrolls everything up one row and clears the
 * last. Bytes outside 0x20..0x7e (and not "\n") print as 0xfe, a square.
 * Callers serialise: the console lock (kernel/console.c) guards it.
 */
#ifndef KILN_VGA_H
#define KILN_VGA_H

#include <stddef.h>
#include <stdint.h>

#define VGA_WIDTH  80
#define VGA_HEIGHT 25

enum vga_color {
    VGA_BLACK,
    VGA_BLUE,
    VGA_GREEN,
    VGA_CYAN,
    VGA_RED,
    VGA_MAGENTA,
    VGA_BROWN,
    VGA_LIGHT_GRAY,
    VGA_DARK_GRAY,
    VGA_LIGHT_BLUE,
    VGA_LIGHT_GREEN,
    VGA_LIGHT_CYAN,
    VGA_LIGHT_RED,
    VGA_PINK,
    VGA_YELLOW,
    VGA_WHITE,
};

/* Write n bytes at the cursor. */
void vga_write(const char *s, size_t n);
/* Blank every cell in the current colour and put the cursor at the start of
 * the last row. */
void vga_clear(void);
/* The colour of everything written from now on (default yellow on black). */
void vga_set_color(enum vga_color fg, enum vga_color bg);
/* The cell at (row, col): character in the low byte, colour in the high. */
uint16_t vga_cell(size_t row, size_t col);

#endif
