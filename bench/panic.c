/* panic_at for the host benchmarks: the pure code they run panics through
 * it. Print the message and abort, like a failed assertion. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kiln/panic.h"

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "panicked at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
