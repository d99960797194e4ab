/* The growth logic (mm/alloc/heap_grow.c) with a page source over a static
 * buffer, for every design that can extend; and heap_max='s sizes
 * (cmdline_size, lib/cmdline.c). */
#include <string.h>

#include "support.h"
#include "kiln/cmdline.h"
#include "kiln/heap_grow.h"

#define PAGE PAGE_SOURCE_PAGE
static _Alignas(4096) unsigned char region[8u << 20];
static _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state[64 * 1024];

/* A source that backs pages of region in order, up to a budget of bytes. */
static struct {
    uintptr_t backed; /* [region, backed) is "mapped" */
    size_t budget, calls;
} src;

static bool fake_map(void *ctx, uintptr_t at, size_t bytes)
{
    (void)ctx;
    src.calls++;
    assert_int_equal(at, src.backed); /* always right after the region */
    assert_int_equal(at % PAGE, 0);
    assert_int_equal(bytes % PAGE, 0);
    if (bytes > src.budget) return false;
    src.budget -= bytes;
    src.backed += bytes;
    return true;
}

static struct heap_grow g;

static void start(const struct alloc_design *d, size_t size, size_t max, size_t budget)
{
    src.backed = (uintptr_t)region + size, src.budget = budget, src.calls = 0;
    heap_grow_init(&g, d, state, region, size, max, (struct page_source){NULL, fake_map});
}

static void test_step(void **state_)
{
    (void)state_;
    /* at least the request in pages; doubling preferred; capped */
    assert_int_equal(heap_grow_step(100 << 10, 1, 64 << 20, 4 << 20), 100 << 10);
    assert_int_equal(heap_grow_step(100 << 10, 300 << 10, 64 << 20, 4 << 20), 300 << 10);
    assert_int_equal(heap_grow_step(32 << 20, 8, 64 << 20, 4 << 20), 4 << 20);
    assert_int_equal(heap_grow_step(32 << 20, (10 << 20) + 1, 64 << 20, 4 << 20),
                     (10 << 20) + PAGE);
    /* never past max; 0 when the request does not fit below it */
    assert_int_equal(heap_grow_step(63 << 20, 8, 64 << 20, 4 << 20), 1 << 20);
    assert_int_equal(heap_grow_step(64 << 20, 8, 64 << 20, 4 << 20), 0);
    assert_int_equal(heap_grow_step(63 << 20, (1 << 20) + 1, 64 << 20, 4 << 20), 0);
    assert_int_equal(heap_grow_step(4096, SIZE_MAX, SIZE_MAX, 4 << 20), 0);
    assert_int_equal(heap_grow_step(4096, SIZE_MAX - 100, SIZE_MAX, 4 << 20), 0);
    /* step_max 0: the request alone */
    assert_int_equal(heap_grow_step(32 << 20, 8, 64 << 20, 0), PAGE);
}

/* Grow from one page to the limit, for every design that can extend. */
static void test_grows_to_max_and_stops(void **state_)
{
    (void)state_;
    for (size_t i = 0; i < alloc_design_count; i++) {
        const struct alloc_design *d = alloc_designs[i];
        static void *blocks[4096];
        size_t n = 0, total = 0;
        start(d, PAGE, 2u << 20, SIZE_MAX);
        void *p;
        while ((p = heap_grow_alloc(&g, (struct layout){1000 + n % 3000, 8})) != NULL) {
            assert_true(n < 4096);
            memset(p, (int)n, 1000 + n % 3000);
            total += 1000 + n % 3000;
            blocks[n++] = p;
            assert_int_equal(d->check(state), 0);
        }
        assert_true(g.size <= 2u << 20);
        assert_int_equal((uintptr_t)region + g.size, src.backed);
        if (d->extend == NULL) {
            assert_int_equal(g.size, PAGE); /* bump cannot grow */
            assert_int_equal(g.grows, 0);
        } else {
            /* fixed_block rounds up to its block sizes: at most 2x */
            if (total < (2u << 20) / 2)
                fail_msg("%s: NULL after %zu bytes of 2 MiB", d->name, total);
            assert_true(g.grows >= 5); /* doubling from one page */
            assert_true(g.refused > 0);
            assert_int_equal(d->stats(state).size, g.size);
        }
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(*(unsigned char *)blocks[k], (unsigned char)k);
            heap_grow_dealloc(&g, blocks[k], (struct layout){1000 + k % 3000, 8});
        }
        assert_int_equal(d->check(state), 0);
        assert_int_equal(d->stats(state).used, 0);
    }
}

/* A source short of the preferred step still serves the request alone; a
 * source with nothing leaves everything as it was. */
static void test_source_runs_dry(void **state_)
{
    (void)state_;
    const struct alloc_design *d = alloc_design_find("linked_list");
    start(d, 64 << 10, 8u << 20, 20 << 10);
    void *a = heap_grow_alloc(&g, (struct layout){60 << 10, 8});
    assert_non_null(a);
    void *b = heap_grow_alloc(&g, (struct layout){10 << 10, 8}); /* 64 KiB wanted, 20 given */
    assert_non_null(b);
    assert_int_equal(g.size, (64 << 10) + (16 << 10));
    size_t size = g.size, calls = src.calls;
    assert_null(heap_grow_alloc(&g, (struct layout){12 << 10, 8})); /* 10 KiB are left */
    assert_int_equal(g.size, size);
    assert_int_equal(src.calls, calls + 2); /* preferred, then the request alone */
    assert_int_equal(g.refused, 1);
    assert_int_equal(d->check(state), 0);
    /* realloc grows too, and a refused one keeps the block */
    src.budget = 1 << 20;
    memset(b, 7, 10 << 10);
    unsigned char *c = heap_grow_realloc(&g, b, (struct layout){10 << 10, 8}, 200 << 10);
    assert_non_null(c);
    assert_int_equal(c[(10 << 10) - 1], 7);
    src.budget = 0;
    assert_null(heap_grow_realloc(&g, c, (struct layout){200 << 10, 8}, 4 << 20));
    assert_int_equal(c[0], 7);
    /* invalid layouts never grow */
    calls = src.calls;
    assert_null(heap_grow_alloc(&g, (struct layout){8, 3}));
    assert_null(heap_grow_alloc(&g, (struct layout){SIZE_MAX, 8}));
    assert_int_equal(src.calls, calls);
    heap_grow_dealloc(&g, a, (struct layout){60 << 10, 8});
    heap_grow_dealloc(&g, c, (struct layout){200 << 10, 8});
    assert_int_equal(d->stats(state).used, 0);
}

static void test_init_needs_a_page_end(void **state_)
{
    (void)state_;
    EXPECT_PANIC(start(alloc_design_find("linked_list"), 1000, 1 << 20, 0), "page boundary");
}

static void test_cmdline_size(void **state_)
{
    (void)state_;
    size_t n = 1;
    assert_true(cmdline_size("8M", &n));
    assert_int_equal(n, 8u << 20);
    assert_true(cmdline_size("100k", &n));
    assert_int_equal(n, 100u << 10);
    assert_true(cmdline_size("0x1000", &n));
    assert_int_equal(n, 4096);
    assert_true(cmdline_size("2G", &n));
    assert_int_equal(n, 2ull << 30);
    assert_true(cmdline_size("123", &n));
    assert_int_equal(n, 123);
    n = 5;
    assert_false(cmdline_size("", &n));
    assert_false(cmdline_size("M", &n));
    assert_false(cmdline_size("12Q", &n));
    assert_false(cmdline_size("0x", &n));
    assert_false(cmdline_size("99999999999999999999", &n));
    assert_false(cmdline_size("17179869184G", &n));
    assert_int_equal(n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_grows_to_max_and_stops),
        cmocka_unit_test(test_source_runs_dry),
        cmocka_unit_test(test_init_needs_a_page_end),
        cmocka_unit_test(test_cmdline_size),
    };
    return RUN_TESTS(tests);
}
