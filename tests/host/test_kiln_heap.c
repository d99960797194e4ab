/* libkiln_heap's API (host/kiln_heap.c): every registered design over a
 * caller's region, and growable heaps over mmap and over a page source that
 * runs dry. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kiln_heap.h"
#include "mmap_source.h"
#include "support.h"

static _Alignas(64) unsigned char region[256 * 1024];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed + i * 7);
}

static bool intact(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7)) return false;
    return true;
}

static void every_design_over_a_fixed_region(void **state)
{
    (void)state;
    for (size_t d = 0; d < alloc_design_count; d++) {
        const char *name = alloc_designs[d]->name;
        size_t over = kiln_heap_overhead(name);
        assert_true(over > 0);
        struct kiln_heap *h = kiln_heap_create(name, region + 3, sizeof region - 3);
        assert_non_null(h);
        assert_ptr_equal(kiln_heap_design(h), alloc_designs[d]);
        struct alloc_stats s = kiln_heap_stats(h);
        assert_true(s.size <= sizeof region - 3 - over && s.size + over + 64 >= sizeof region - 3);
        unsigned char *p[64];
        for (unsigned i = 0; i < 64; i++) {
            size_t n = 1 + i * 37, align = (size_t)1 << (i % 8);
            p[i] = i % 3 ? kiln_heap_alloc(h, n, align) : kiln_heap_alloc_zeroed(h, n, align);
            assert_non_null(p[i]);
            assert_true((uintptr_t)p[i] % align == 0);
            if (i % 3 == 0)
                for (size_t k = 0; k < n; k++) assert_int_equal(p[i][k], 0);
            fill(p[i], n, i);
            assert_int_equal(kiln_heap_check(h), 0);
        }
        for (unsigned i = 0; i < 64; i += 2) {
            size_t n = 1 + i * 37, align = (size_t)1 << (i % 8);
            unsigned char *q = kiln_heap_realloc(h, p[i], n, align, n * 2);
            assert_non_null(q);
            assert_true(intact(q, n, i));
            kiln_heap_dealloc(h, q, n * 2, align);
        }
        for (unsigned i = 1; i < 64; i += 2) {
            assert_true(intact(p[i], 1 + i * 37, i));
            kiln_heap_dealloc(h, p[i], 1 + i * 37, (size_t)1 << (i % 8));
        }
        s = kiln_heap_stats(h);
        assert_int_equal(s.free + s.used, s.size);
        assert_int_equal(kiln_heap_check(h), 0);
        assert_null(kiln_heap_alloc(h, SIZE_MAX - 8, 16));
        assert_null(kiln_heap_alloc(h, 16, 3));
        assert_null(kiln_heap_alloc(h, sizeof region, 1)); /* a fixed region never grows */
    }
}

static void refusals(void **state)
{
    (void)state;
    assert_int_equal(kiln_heap_overhead("no_such_design"), 0);
    assert_null(kiln_heap_create("no_such_design", region, sizeof region));
    assert_null(kiln_heap_create("linked_list", region, 8)); /* no room for the record */
    assert_null(kiln_heap_create("linked_list", NULL, 4096));
    /* bump cannot extend: no growable bump heap. */
    assert_null(kiln_heap_create_mmap("bump", 1 << 20));
}

/* A growable heap of every design that can extend: 32 MiB through a 64 KiB
 * first mapping, data intact across the growths, everything back at the end. */
static void growable_over_mmap(void **state)
{
    (void)state;
    for (size_t d = 0; d < alloc_design_count; d++) {
        if (alloc_designs[d]->extend == NULL) continue;
        struct kiln_heap *h = kiln_heap_create_mmap(alloc_designs[d]->name, 256u << 20);
        assert_non_null(h);
        size_t first = kiln_heap_mapped(h);
        unsigned char *p[64];
        for (unsigned i = 0; i < 64; i++) {
            p[i] = kiln_heap_alloc(h, 512 * 1024, 64);
            assert_non_null(p[i]);
            fill(p[i], 512 * 1024, i);
        }
        assert_true(kiln_heap_mapped(h) > first + 32u * 1024 * 1024 - 1);
        assert_true(kiln_heap_mapped(h) <= kiln_heap_reserve(h));
        p[0] = kiln_heap_realloc(h, p[0], 512 * 1024, 64, 8u << 20); /* grows the heap again */
        assert_non_null(p[0]);
        assert_true(intact(p[0], 512 * 1024, 0));
        kiln_heap_dealloc(h, p[0], 8u << 20, 64);
        for (unsigned i = 1; i < 64; i++) {
            assert_true(intact(p[i], 512 * 1024, i));
            kiln_heap_dealloc(h, p[i], 512 * 1024, 64);
        }
        assert_int_equal(kiln_heap_check(h), 0);
        assert_int_equal(kiln_heap_stats(h).used, 0);
        /* Beyond the reservation: NULL, and the heap is as it was. */
        assert_null(kiln_heap_alloc(h, 300u << 20, 16));
        assert_int_equal(kiln_heap_check(h), 0);
        kiln_heap_destroy_mmap(h);
    }
}

/* A page source that backs at most budget bytes, then refuses. */
struct dry_source {
    size_t budget;
    size_t refusals;
};
static bool dry_map(void *ctx, uintptr_t at, size_t bytes)
{
    struct dry_source *s = ctx;
    if (bytes > s->budget) return s->refusals++, false;
    s->budget -= bytes;
    return mmap_source().map(NULL, at, bytes);
}

static void growth_stops_when_the_source_runs_dry(void **state)
{
    (void)state;
    size_t reserve = 64u << 20;
    uintptr_t base = mmap_source_reserve(reserve);
    assert_true(base != 0);
    struct dry_source dry = {.budget = 2u << 20};
    struct kiln_heap *h = kiln_heap_create_growable(
        "linked_list", base, reserve, (struct page_source){.ctx = &dry, .map = dry_map});
    assert_non_null(h);
    size_t n = 0;
    void *p[64];
    while (n < 64 && (p[n] = kiln_heap_alloc(h, 100 * 1024, 16)) != NULL) n++;
    assert_true(n >= 15 && n < 21); /* about 2 MiB of 100 KiB blocks */
    assert_true(dry.refusals > 0);
    assert_int_equal(kiln_heap_check(h), 0);
    while (n) kiln_heap_dealloc(h, p[--n], 100 * 1024, 16);
    assert_int_equal(kiln_heap_stats(h).used, 0);
    mmap_source_release(base, reserve);
}

/* The heap as the global allocator: kmalloc and kfree over a growing heap,
 * as libkiln_malloc.so uses it for designs without layout_of. */
static void kmalloc_over_a_growable_heap(void **state)
{
    (void)state;
    struct kiln_heap *h = kiln_heap_create_mmap("linked_list", 64u << 20);
    struct allocator a = kiln_heap_allocator(h);
    global_alloc_set(&a);
    char *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = kmalloc(i * 1000);
        memset(p[i], i, i * 1000);
    }
    for (int i = 0; i < 100; i++) {
        assert_int_equal(kmalloc_size(p[i]), i * 1000);
        kfree(p[i]);
    }
    assert_int_equal(kiln_heap_stats(h).used, 0);
    host_alloc_install();
    kiln_heap_destroy_mmap(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_design_over_a_fixed_region),
        cmocka_unit_test(refusals),
        cmocka_unit_test(growable_over_mmap),
        cmocka_unit_test(growth_stops_when_the_source_runs_dry),
        cmocka_unit_test(kmalloc_over_a_growable_heap),
    };
    return RUN_TESTS(tests);
}
