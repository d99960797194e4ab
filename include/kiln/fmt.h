/* Freestanding formatted output (lib/fmt.c).
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, the length modifiers hh h l ll z,
 * width and precision (also as *), and the flags - 0 + space #. %p prints 0x
 * and hex; a NULL %s prints (null); an unknown conversion is printed as written.
 * No floating point. Names carry a k so they never collide with a host libc.
 */
#ifndef KILN_FMT_H
#define KILN_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each piece of formatted output, in order. */
typedef void (*fmt_sink)(void *ctx, const char *s, size_t n);

/* Format to a sink; returns the number of bytes produced. */
int kvformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Write at most size-1 bytes and a NUL into buf (nothing when size == 0);
 * return the length the whole output would have had, like C99 vsnprintf. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
