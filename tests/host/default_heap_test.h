/* Shared by the default allocator's host tests (test_default_heap.c,
 * test_default_heap_misuse.c): the region, the heap, and the checks run
 * after every operation. */
#ifndef KILN_TEST_DEFAULT_HEAP_H
#define KILN_TEST_DEFAULT_HEAP_H

#include <string.h>

#include "support.h"
#include "kiln/default_heap.h"

#define REGION   (4u << 20)
#define MAX_SIZE 512

static _Alignas(4096) unsigned char region[REGION + 4096] __attribute__((unused));
static struct default_heap heap __attribute__((unused));

#define CHECK(h)                                                                                   \
    do {                                                                                           \
        size_t broken_ = default_heap_check(h);                                                    \
        if (broken_)                                                                               \
            fail_msg("%s:%d: default_heap_check: %zu broken", __FILE__, __LINE__, broken_);        \
    } while (0)

static inline struct layout L(size_t size, size_t align) {
    return (struct layout){size, align};
}

static inline uint8_t
pattern(size_t i, size_t tag)
{
    return (uint8_t)(i * 131 + tag * 7 + 1);
}

static inline void fill(void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++) ((uint8_t *)p)[i] = pattern(i, tag);
}

static inline void expect_filled(const void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++)
        if (((const uint8_t *)p)[i] != pattern(i, tag))
            fail_msg("block %p (tag %zu) byte %zu was overwritten", p, tag, i);
}

static inline void expect_consistent(const struct default_heap *h)
{
    struct alloc_stats s = default_heap_stats(h);
    assert_int_equal(s.free + s.used, s.size);
    assert_true(s.largest_hole <= s.free);
    CHECK(h);
}

static inline void *alloc_ok(struct default_heap *h, size_t size, size_t align)
{
    void *p = default_heap_alloc(h, L(size, align));
    if (p == NULL) fail_msg("alloc {%zu, %zu} failed", size, align);
    uintptr_t a = (uintptr_t)p;
    assert_int_equal(a % align, 0);
    assert_int_equal(a % 16, 0);
    assert_true(a >= h->start && a + size <= h->end);
    struct layout l = default_heap_layout_of(h, p);
    assert_true(l.size >= size);
    assert_true(l.align >= (align < 16 ? align : 16));
    CHECK(h);
    return p;
}

/* Everything free: one hole spans the region but its end marker. */
static inline void expect_pristine(struct default_heap *h)
{
    struct alloc_stats s = default_heap_stats(h);
    assert_int_equal(s.free + s.used, s.size);
    assert_int_equal(s.used, 0);
    if (s.size) assert_int_equal(s.largest_hole, s.size - 32);
    CHECK(h);
}

/* Release the kept empty slab pages, then expect a pristine heap. */
static inline void expect_all_free(struct default_heap *h)
{
    /* A full-region alloc forces the kept pages back to the pool. */
    struct alloc_stats s = default_heap_stats(h);
    if (s.size) {
        void *p = default_heap_alloc(h, L(s.size - 32, 16));
        assert_non_null(p);
        default_heap_dealloc(h, p, L(s.size - 32, 16));
    }
    expect_pristine(h);
}

#endif
