/* Freestanding formatted output (lib/fmt.c).
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, the length modifiers hh h l ll z
 * j t, width and precision (also as *: a negative width means '-', a negative
 * precision means none), and the flags - 0 + space #. Numbers follow C99.
 * %p prints 0x and lowercase hex, so NULL prints 0x0; a NULL %s prints
 * (null), or nothing when the precision is below 6 (as glibc does).
 *
 * An unknown or malformed conversion (%y, %n, %lc, %5%, a trailing %) is
 * printed exactly as written and consumes no argument. Widths written in
 * digits saturate at INT_MAX. No floating point. Names carry a k so they never
 * collide with a host libc.
 */
#ifndef KILN_FMT_H
#define KILN_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each piece of formatted output, in order; always n > 0, and s is
 * not NUL-terminated. */
typedef void (*fmt_sink)(void *ctx, const char *s, size_t n);

/* Format fmt to sink(ctx, ...), consuming from ap exactly the arguments its
 * known conversions name. Returns the number of bytes passed to the sink, or
 * -1 when that exceeds INT_MAX. Panics when sink or fmt is NULL. */
int kvformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Write at most size-1 bytes and a NUL into buf (nothing when size == 0, and
 * buf may then be NULL); return the length the whole output would have had,
 * like C99 vsnprintf, or -1 when that exceeds INT_MAX. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
