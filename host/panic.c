/* panic_at and kiln_die for the hosted libraries (libkiln_heap.a,
 * libkiln_malloc.so): a message on stderr, then abort.
 *
 * Formats with kiln's own kvsnprintf into a static buffer and writes with
 * write(2): no stdio, no malloc, so both are safe inside malloc itself (a
 * concurrent second failure may garble the buffer; the first abort wins).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "die.h"
#include "kiln/fmt.h"
#include "kiln/panic.h"

static char die_buf[1024];

/* Write die_buf[0, n) and the formatted message, a newline, then abort. */
static noreturn void finish(size_t n, const char *fmt, va_list ap)
{
    int m = kvsnprintf(die_buf + n, sizeof die_buf - n - 1, fmt, ap);
    size_t len = n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof die_buf - 2) len = sizeof die_buf - 2;
    die_buf[len++] = '\n';
    for (size_t off = 0; off < len;) {
        ssize_t w = write(2, die_buf + off, len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    abort();
}

static size_t prefix(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(die_buf, sizeof die_buf / 2, fmt, ap);
    va_end(ap);
    return n < 0 ? 0 : (size_t)n >= sizeof die_buf / 2 ? sizeof die_buf / 2 - 1 : (size_t)n;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    size_t n = prefix("kiln: panicked at %s:%d: ", file, line);
    va_start(ap, fmt);
    finish(n, fmt, ap);
}

void kiln_die(const char *fmt, ...)
{
    va_list ap;
    size_t n = prefix("kiln: ");
    va_start(ap, fmt);
    finish(n, fmt, ap);
}
