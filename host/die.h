/* Fatal errors of the hosted libraries (host/panic.c). */
#ifndef KILN_HOST_DIE_H
#define KILN_HOST_DIE_H

#include <stdnoreturn.h>

/* Print "kiln: " and the message (kiln's ksnprintf formats: no malloc, no
 * stdio) on stderr, then abort. */
noreturn void kiln_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
