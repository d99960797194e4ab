/* What the kernel test images expect of bump (blog_os post 11's first
 * design; make ALLOCATOR=bump, or alloc=bump on the command line), written
 * down where an image's case cannot hold for it, instead of skipped:
 * - bump's one cursor goes back to the start only when every block is
 *   freed, so memory freed while any other block lives is never handed out
 *   again, and heap_stats().used is the cursor: it never drops on a free
 *   until the last one;
 * - its region never grows past the post's HEAP_SIZE (its extend is NULL).
 * docs/allocators.md lists each image's bump case. */
#ifndef KILN_TEST_BUMP_H
#define KILN_TEST_BUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "kiln/heap.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

/* The most bump adds to one block of alignment <= 16: padding, and a block
 * header where the design keeps one. The images measure the exact figure
 * (the distance between two blocks) and hold it to this bound. */
#define BUMP_BLOCK_SLACK 64

static inline bool heap_is_bump(void)
{
    return strcmp(heap_design(), "bump") == 0;
}

/* The number after `key` in text, or 0. */
static inline size_t bump_number_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    size_t n = 0;
    for (p = p ? p + strlen(key) : ""; *p >= '0' && *p <= '9'; p++) n = n * 10 + (size_t)(*p - '0');
    return n;
}

/* A ktest_expect_panic confirmation for "allocation error: Layout { size:
 * N, align: M }" under bump: the heap is sound, still the post's HEAP_SIZE
 * (it did not grow), and used up: its largest hole (the largest block a
 * caller can get) is smaller than N plus M, room for the request at any
 * alignment. NULL when so, else what differs. */
static inline const char *bump_exhausted(const char *message)
{
    size_t size = bump_number_after(message, "Layout { size: ");
    size_t align = bump_number_after(message, ", align: ");
    struct alloc_stats s = heap_stats();
    if (!heap_is_bump()) return "the heap is not bump";
    if (size == 0 || align == 0) return "the message has no layout";
    if (heap_check() != 0) return "heap_check() finds the heap broken";
    if (s.size != HEAP_SIZE) return "the region is not the post's 100 KiB";
    if (s.largest_hole >= size + align) return "the request still fits in what bump has left";
    return NULL;
}

#endif
