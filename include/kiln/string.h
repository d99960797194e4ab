/* The C string and memory functions kiln provides itself (lib/string.c).
 *
 * The kernel has no libc, and the compiler emits calls to memcpy, memmove,
 * memset and memcmp on its own, so these exact names must exist. On the host,
 * pure code uses the C library's versions of the same functions; the host test
 * of lib/string.c renames kiln's copies (tests/host/string_rename.h) to compare.
 */
#ifndef KILN_STRING_H
#define KILN_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

#endif
