/* The kernel console (kernel/console.c): one display, VGA text or a
 * framebuffer, with every byte mirrored to COM1.
 *
 * Before console_init it writes to the VGA text buffer and serial, so println
 * works with no init at all (the blog's lazy static WRITER). All output goes
 * through one interrupt-safe lock: a whole kprintf is written under it, so
 * lines never interleave and an interrupt handler that prints cannot
 * deadlock against the code it interrupted.
 */
#ifndef KILN_CONSOLE_H
#define KILN_CONSOLE_H

#include <stddef.h>

#include "kiln/boot_info.h"
#include "kiln/vga.h"

enum console_display { CONSOLE_VGA, CONSOLE_FRAMEBUFFER, CONSOLE_SERIAL_ONLY };

/* Choose the display from GRUB's framebuffer tag: EGA text → VGA, 24/32-bpp
 * RGB → framebuffer console, anything else → serial only. Returns the choice. */
enum console_display console_init(const struct boot_framebuffer *fb);
enum console_display console_display(void);

/* Write n bytes to the display and to COM1. */
void console_write(const char *s, size_t n);
/* Blank the display (GRUB's leftovers) and start at the last row. */
void console_clear(void);
void console_set_color(enum vga_color fg, enum vga_color bg);

/* Format to the console; returns the bytes written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The blog's print!/println! */
#define print(...)        kprintf(__VA_ARGS__)
#define println(fmt, ...) kprintf(fmt "\n", ##__VA_ARGS__)

/* Where the console's copy for COM1 goes. NULL (the default) writes it to
 * COM1; a test image points it at its capture buffer while a test runs, so
 * what the test prints cannot split its "suite::name...\t[ok]" line. The
 * mirror runs under the console lock with interrupts off. */
typedef void (*console_mirror)(const char *s, size_t n);
void console_set_mirror(console_mirror mirror);

/* For the panic path only: stop taking the console and serial locks, which
 * the panicking code may hold. */
void console_break_lock(void);

#endif
