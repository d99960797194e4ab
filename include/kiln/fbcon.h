/* The console drawn on a linear framebuffer (drivers/fbcon.c).
 *
 * Under UEFI there is no text mode at 0xb8000: GRUB hands kiln a framebuffer
 * instead. fbcon draws the same console as the VGA writer into it, with the
 * 8x16 PSF font from Debian's console-data embedded at build time
 * (drivers/font.S): the same colours, the same last-row writing, wrapping and
 * scrolling, and 0xfe for bytes outside 0x20..0x7e.
 * Callers serialise: the console lock (kernel/console.c) guards it.
 */
#ifndef KILN_FBCON_H
#define KILN_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/boot_info.h"
#include "kiln/vga.h"

/* Take over fb when it is direct colour at 24 or 32 bits per pixel and lies
 * inside the boot direct map; false (and nothing drawn) otherwise. */
bool fbcon_init(const struct boot_framebuffer *fb);
void fbcon_write(const char *s, size_t n);
void fbcon_clear(void);
void fbcon_set_color(enum vga_color fg, enum vga_color bg);
/* Whether the cell at (row, col) shows byte ch in the current colours, pixel
 * for pixel (the framebuffer's vga_cell, for tests). */
bool fbcon_cell_shows(size_t row, size_t col, uint8_t ch);
/* Columns and rows of text, 0 before fbcon_init succeeds. */
size_t fbcon_columns(void);
size_t fbcon_rows(void);

#endif
