/* The memory and string functions of the kernel (no libc underneath).
 *
 * The compiler itself emits calls to memcpy, memmove, memset and memcmp, so a
 * loop in here must never be turned back into a call to the function that
 * contains it. gcc's loop-distribution pass does that in hosted builds, so it
 * is switched off here whatever the flags; clang forms no such calls under
 * -ffreestanding. (Checked: objdump -dr of the kernel object shows no call
 * to mem* or str*, with gcc and with clang.)
 *
 * Copies and fills move one machine word at a time once the destination is
 * word aligned, but only when source and destination share their alignment,
 * so every word access is aligned. The string functions read byte by byte:
 * they never touch a byte past the terminator, which keeps them safe at the
 * end of a mapping and quiet under AddressSanitizer.
 */
#include <stddef.h>
#include <stdint.h>

#include "kiln/string.h"

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

/* A word that may alias any object, so word copies obey the aliasing rules. */
typedef uintptr_t __attribute__((may_alias)) word_t;
#define WORD      sizeof(word_t)
#define WORD_MASK (WORD - 1)

/* True when a and b can both reach word alignment after the same byte count. */
static inline int co_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

/* Copy n bytes from low to high addresses. Also correct when dst < src and
 * the ranges overlap, because each word is loaded before it is stored. */
NO_LIBCALL static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if (co_aligned(d, s)) {
        for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--) *d++ = *s++;
        for (; n >= WORD; n -= WORD, d += WORD, s += WORD) *(word_t *)d = *(const word_t *)s;
    }
    for (; n > 0; n--) *d++ = *s++;
}

/* Copy n bytes from high to low addresses: correct when dst > src overlap. */
NO_LIBCALL static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    if (co_aligned(d, s)) {
        for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--) *--d = *--s;
        for (; n >= WORD; n -= WORD) {
            d -= WORD;
            s -= WORD;
            *(word_t *)d = *(const word_t *)s;
        }
    }
    for (; n > 0; n--) *--d = *--s;
}

/* Copy n bytes from src to dst; the ranges must not overlap. Returns dst. */
NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

/* Copy n bytes from src to dst as if through a temporary buffer, so any
 * overlap is fine. Returns dst. */
NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    /* dst - src wraps to a huge value when dst < src: forward is safe then,
     * and also when dst lies at or past the end of src. */
    if ((uintptr_t)dst - (uintptr_t)src >= n)
        copy_forward(dst, src, n);
    else
        copy_backward(dst, src, n);
    return dst;
}

/* Fill n bytes at dst with (unsigned char)c. Returns dst. */
NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    word_t pattern = (word_t)b * ((word_t)-1 / 0xff); /* b in every byte */
    for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--) *d++ = b;
    for (; n >= WORD; n -= WORD, d += WORD) *(word_t *)d = pattern;
    for (; n > 0; n--) *d++ = b;
    return dst;
}

/* Compare n bytes as unsigned chars. Returns <0, 0 or >0 as the first
 * differing byte of a is below, equal to or above that of b. */
NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    if (co_aligned(p, q)) {
        for (; n > 0 && ((uintptr_t)p & WORD_MASK); n--, p++, q++)
            if (*p != *q) return *p - *q;
        /* Skip equal words; the byte loop below finds the differing byte. */
        for (; n >= WORD && *(const word_t *)p == *(const word_t *)q; n -= WORD)
            p += WORD, q += WORD;
    }
    for (; n > 0; n--, p++, q++)
        if (*p != *q) return *p - *q;
    return 0;
}

/* Return the number of bytes before the terminating NUL of s. */
NO_LIBCALL size_t strlen(const char *s)
{
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

/* Return strlen(s), but at most max; reads no byte at or past s + max. */
NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}

/* Compare two strings as unsigned chars: <0, 0 or >0 like memcmp. */
NO_LIBCALL int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *p == *q) p++, q++;
    return *p - *q;
}

/* strcmp over at most n bytes; 0 when n == 0. */
NO_LIBCALL int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (; n > 0; n--, p++, q++)
        if (*p != *q || *p == 0) return *p - *q;
    return 0;
}

/* Return the first occurrence of (char)c in s, or NULL when there is none.
 * The terminator counts as part of s, so strchr(s, 0) == s + strlen(s). */
NO_LIBCALL char *strchr(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch) return (char *)s;
        if (*s == 0) return NULL;
    }
}

/* The first occurrence of needle in haystack, or NULL; an empty needle
 * matches at haystack. O(len(haystack) * len(needle)): kiln searches short
 * strings (panic messages in tests). */
NO_LIBCALL char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (;; haystack++) {
        if (strncmp(haystack, needle, n) == 0) return (char *)haystack;
        if (*haystack == 0) return NULL;
    }
}
