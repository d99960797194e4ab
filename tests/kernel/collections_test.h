/* What the collection test images (collections.c, collections_btree.c,
 * collections_oom.c) share: the heap assertions, a seeded generator and an
 * int comparator. */
#ifndef KILN_TEST_COLLECTIONS_H
#define KILN_TEST_COLLECTIONS_H

#include <stdint.h>

#include "kiln/heap.h"
#include "kiln/ktest.h"

/* [p, p + n) lies inside the heap. */
#define in_heap(p, n)                                                                              \
    ((uintptr_t)(p) >= HEAP_START && (uintptr_t)(p) + (n) <= HEAP_START + HEAP_SIZE)
#define heap_used() (heap_stats().used)
/* The end of every test: all given back, and the allocator sound. */
#define assert_heap_back_to(used0)                                                                 \
    do {                                                                                           \
        kassert_eq(heap_used(), (used0));                                                          \
        kassert_eq(heap_check(), 0);                                                               \
    } while (0)

static uint64_t rng_state;
static inline uint32_t rng(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static inline int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

#endif
