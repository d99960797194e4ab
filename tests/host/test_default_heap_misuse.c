/* kiln's default allocator under misuse: every misuse panics with its name
 * (double free, invalid free, size mismatch) before anything is written, and
 * check() counts deliberate corruption of its metadata without faulting. */
#include <stdio.h>
#include <string.h>

#include "default_heap_test.h"

/* ---- misuse ------------------------------------------------------------------ */

static void test_double_free(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 1u << 20);
    void *keep = alloc_ok(&heap, 16, 8), *p = alloc_ok(&heap, 16, 8);
    default_heap_dealloc(&heap, p, L(16, 8));
    EXPECT_PANIC(default_heap_dealloc(&heap, p, L(16, 8)), "double free of 0x");
    EXPECT_PANIC(default_heap_layout_of(&heap, p), "double free of 0x");
    CHECK(&heap);
    void *q = alloc_ok(&heap, 3000, 8);
    default_heap_dealloc(&heap, q, L(3000, 8));
    EXPECT_PANIC(default_heap_dealloc(&heap, q, L(3000, 8)), "double free of 0x");
    EXPECT_PANIC(default_heap_realloc(&heap, q, L(3000, 8), 10), "double free of 0x");
    CHECK(&heap);
    /* Freed after a moving realloc. */
    void *r = alloc_ok(&heap, 100, 8), *moved = default_heap_realloc(&heap, r, L(100, 8), 2000);
    assert_ptr_not_equal(r, moved);
    EXPECT_PANIC(default_heap_dealloc(&heap, r, L(100, 8)), "double free of 0x");
    default_heap_dealloc(&heap, moved, L(2000, 8));
    default_heap_dealloc(&heap, keep, L(16, 8));
    expect_all_free(&heap);
}

static void test_invalid_free(void **state)
{
    (void)state;
    static unsigned char outside[64];
    default_heap_init(&heap, region, 1u << 20);
    unsigned char *small = alloc_ok(&heap, 64, 8), *large = alloc_ok(&heap, 5000, 8);
    fill(large, 5000, 3);
    EXPECT_PANIC(default_heap_dealloc(&heap, small + 16, L(16, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, small + 1, L(16, 1)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, large + 32, L(32, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, large + 4096, L(600, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, large + 3, L(600, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, outside, L(16, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, region, L(16, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, region + (1u << 20), L(16, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_layout_of(&heap, large + 16), "invalid free of 0x");
    /* A slot of the page that was never handed out: free in the page's
     * bitmap, as a freed one is. */
    struct layout l = default_heap_layout_of(&heap, small);
    EXPECT_PANIC(default_heap_dealloc(&heap, small + 2 * l.size, L(64, 8)), "double free of 0x");
    /* The slab page's own header. */
    uintptr_t page = (uintptr_t)small & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1);
    EXPECT_PANIC(default_heap_dealloc(&heap, (void *)(page + 16), L(64, 8)), "invalid free of 0x");
    /* realloc looks for a pool layout's block in the pool first, then among
     * the slab pages: a pointer that is neither is named after realloc. */
    EXPECT_PANIC(default_heap_realloc(&heap, (void *)(page + 16), L(5000, 8), 10),
                 "invalid free of 0x");
    EXPECT_PANIC(default_heap_realloc(&heap, large + 32, L(5000, 8), 10),
                 "default_heap_realloc: invalid free of 0x");
    EXPECT_PANIC(default_heap_realloc(&heap, outside, L(5000, 8), 10),
                 "default_heap_realloc: invalid free of 0x");
    expect_filled(large, 5000, 3);
    CHECK(&heap);
    default_heap_dealloc(&heap, small, L(64, 8));
    default_heap_dealloc(&heap, large, L(5000, 8));
    expect_all_free(&heap);
}

static void test_size_mismatch(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 1u << 20);
    void *s = alloc_ok(&heap, 40, 8), *b = alloc_ok(&heap, 2000, 8), *a = alloc_ok(&heap, 40, 64);
    EXPECT_PANIC(default_heap_dealloc(&heap, s, L(64, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, s, L(16, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, s, L(4000, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, s, L(40, 32)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(2100, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(1900, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(100, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(2000, 256)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, a, L(40, 128)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, a, L(40, 32)), "size mismatch: ");
    EXPECT_PANIC(default_heap_dealloc(&heap, a, L(40, 8)), "size mismatch: ");
    EXPECT_PANIC(default_heap_realloc(&heap, b, L(3000, 8), 10), "size mismatch: ");
    /* realloc and resize_in_place look for a small layout's block among the
     * slab pages first, any other's in the pool first: a block of the other
     * kind is a size mismatch either way. */
    struct allocator al = default_heap_allocator(&heap);
    EXPECT_PANIC(default_heap_realloc(&heap, s, L(4000, 8), 10), "size mismatch: ");
    EXPECT_PANIC(default_heap_realloc(&heap, s, L(40, 32), 10), "size mismatch: ");
    EXPECT_PANIC(default_heap_realloc(&heap, b, L(100, 8), 10), "size mismatch: ");
    EXPECT_PANIC(al.ops->resize_in_place(al.state, s, L(4000, 8), 10), "size mismatch: ");
    EXPECT_PANIC(al.ops->resize_in_place(al.state, b, L(100, 8), 10), "size mismatch: ");
    CHECK(&heap);
    /* Sizes of the same class are the same block. */
    default_heap_dealloc(&heap, s, L(33, 1));
    default_heap_dealloc(&heap, b, L(1990, 16));
    default_heap_dealloc(&heap, a, L(40, 64));
    expect_all_free(&heap);
}

/* ---- check() finds corruption and never faults ------------------------------ */

static void test_check_detects_corruption(void **state)
{
    (void)state;
    uint64_t *w;
    /* A pool block's size. */
    default_heap_init(&heap, region, 1u << 20);
    unsigned char *b = alloc_ok(&heap, 1000, 8);
    alloc_ok(&heap, 1000, 8);
    w = (uint64_t *)(b - 8);
    uint64_t saved = *w;
    *w = saved + 0x10000000;
    assert_true(default_heap_check(&heap) > 0);
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(1000, 8)), "invalid free of 0x");
    *w = saved;
    CHECK(&heap);
    /* A one-byte overflow into the next block's header. */
    b[1008 + 8] ^= 0xff; /* the payload is 1008 bytes: the next header's head */
    assert_true(default_heap_check(&heap) > 0);
    EXPECT_PANIC(default_heap_dealloc(&heap, b, L(1000, 8)), "heap corrupted: ");
    b[1008 + 8] ^= 0xff;
    CHECK(&heap);
    /* A hole's list link pointing far outside the region. */
    default_heap_dealloc(&heap, b, L(1000, 8));
    uint64_t *links = (uint64_t *)b;
    uint64_t saved_next = links[0];
    links[0] = 0xdead0000beef000ull;
    assert_true(default_heap_check(&heap) > 0);
    links[0] = saved_next;
    CHECK(&heap);
    /* A write to a freed slot (a use after free) misleads nothing: slots
     * are found through the page's bitmap, not through links in the slots. */
    void **slot = alloc_ok(&heap, 16, 8), **next = alloc_ok(&heap, 16, 8);
    default_heap_dealloc(&heap, slot, L(16, 8));
    *slot = (void *)0x123456789000ull;
    CHECK(&heap);
    assert_ptr_equal(alloc_ok(&heap, 16, 8), slot);
    assert_ptr_not_equal(alloc_ok(&heap, 16, 8), next);
    /* The slab header: the avail list link, and live bits off the slot starts. */
    default_heap_init(&heap, region, 1u << 20);
    slot = alloc_ok(&heap, 16, 8);
    uint64_t *page = (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1));
    page[5] = 0xdead0000beef000ull; /* avail list link */
    assert_true(default_heap_check(&heap) > 0);
    default_heap_init(&heap, region, 1u << 20);
    slot = alloc_ok(&heap, 32, 8);
    page = (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1));
    page[3] &= ~(1ull << 5); /* live at offset 80, inside the 32-byte slot at 64 */
    assert_true(default_heap_check(&heap) > 0);
    default_heap_init(&heap, region, 1u << 20);
    slot = alloc_ok(&heap, 16, 8);
    page = (uint64_t *)((uintptr_t)slot & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1));
    page[2] ^= 1; /* the check word: the page is no longer a slab */
    assert_true(default_heap_check(&heap) > 0);
    EXPECT_PANIC(default_heap_dealloc(&heap, slot, L(16, 8)), "invalid free of 0x");
    /* The mark of the page kept for its class (byte 58 of the header: see
     * mm/alloc/default_heap_impl.h), which lets a free skip the emptied-page
     * bookkeeping: cleared on the kept page, or set on another. */
    default_heap_init(&heap, region, 1u << 20);
    slot = alloc_ok(&heap, 16, 8);
    default_heap_dealloc(&heap, slot, L(16, 8)); /* the page empties: kept */
    CHECK(&heap);
    uint8_t *kept = (uint8_t *)((uintptr_t)slot & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1)) + 58;
    assert_int_equal(*kept, 1);
    *kept = 0;
    assert_true(default_heap_check(&heap) > 0);
    *kept = 1;
    CHECK(&heap);
    void *other = alloc_ok(&heap, 32, 8); /* a page of another class, not kept */
    kept = (uint8_t *)((uintptr_t)other & ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1)) + 58;
    assert_int_equal(*kept, 0);
    *kept = 1;
    assert_true(default_heap_check(&heap) > 0);
    *kept = 0;
    default_heap_dealloc(&heap, other, L(32, 8));
    CHECK(&heap);
    /* The state itself. */
    default_heap_init(&heap, region, 1u << 20);
    heap.heads[3 * DEFAULT_HEAP_SL + 2] = (void *)0x42;
    assert_true(default_heap_check(&heap) > 0);
    default_heap_init(&heap, region, 1u << 20);
    heap.avail[2] = NULL; /* an empty list holds a page with no free slot, never NULL */
    assert_true(default_heap_check(&heap) > 0);
}

/* Slots in the second half of a page (their vacant bits are in the bitmap's
 * second word) are checked as exactly, and a free from a full page puts it
 * back on its class's list. */
static void test_second_bitmap_word(void **state)
{
    (void)state;
    enum { SLOTS = 41 }; /* 48-byte slots in a page */
    static unsigned char *b[SLOTS];
    default_heap_init(&heap, region, 1u << 20);
    for (size_t i = 0; i < SLOTS; i++) b[i] = alloc_ok(&heap, 48, 16);
    unsigned char *high = b[SLOTS - 2], *next = alloc_ok(&heap, 48, 16);
    assert_true(((uintptr_t)high & (DEFAULT_HEAP_PAGE - 1)) >= DEFAULT_HEAP_PAGE / 2);
    assert_int_not_equal((uintptr_t)next / DEFAULT_HEAP_PAGE, (uintptr_t)high / DEFAULT_HEAP_PAGE);
    CHECK(&heap); /* the full page is off its list */
    EXPECT_PANIC(default_heap_dealloc(&heap, high + 16, L(48, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, high + 8, L(48, 8)), "invalid free of 0x");
    EXPECT_PANIC(default_heap_dealloc(&heap, high, L(64, 8)), "size mismatch: ");
    default_heap_dealloc(&heap, high, L(48, 8)); /* back on the list */
    CHECK(&heap);
    EXPECT_PANIC(default_heap_dealloc(&heap, high, L(48, 8)), "double free of 0x");
    EXPECT_PANIC(default_heap_layout_of(&heap, high), "double free of 0x");
    assert_ptr_equal(alloc_ok(&heap, 48, 16), high); /* the first page's free slot */
    CHECK(&heap);
    for (size_t i = 0; i < SLOTS; i++) default_heap_dealloc(&heap, b[i], L(48, 16));
    default_heap_dealloc(&heap, next, L(48, 16));
    expect_all_free(&heap);
}

/* Frees that leave the slab fast path (misaligned, outside the slab range,
 * or a small layout whose block is no slot) reach the slow path with their
 * exact address: freed there, or named in the panic. */
static void test_frees_off_the_fast_path(void **state)
{
    (void)state;
    char msg[64];
    default_heap_init(&heap, region + 16, 1u << 20); /* region itself lies below the heap */
    unsigned char *slot = alloc_ok(&heap, 40, 8), *big = alloc_ok(&heap, 300, 8);
    unsigned char *zero = alloc_ok(&heap, 0, 1), *zero64 = alloc_ok(&heap, 0, 64);
    assert_ptr_equal(default_heap_realloc(&heap, big, L(300, 8), 100), big); /* shrunk in place */
    unsigned char *bad[] = {slot + 8, slot + 3, region, region + 5,
                            (unsigned char *)((uintptr_t)slot - DEFAULT_HEAP_PAGE * 4096)};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(msg, sizeof msg, "invalid free of 0x%lx", (unsigned long)bad[i]);
        EXPECT_PANIC(default_heap_dealloc(&heap, bad[i], L(40, 8)), msg);
    }
    snprintf(msg, sizeof msg, "size mismatch: free of 0x%lx ", (unsigned long)slot);
    EXPECT_PANIC(default_heap_dealloc(&heap, slot, L(20, 8)), msg);
    CHECK(&heap);
    default_heap_dealloc(&heap, big, L(100, 8)); /* a pool block, small layout */
    default_heap_dealloc(&heap, zero, L(0, 1));
    default_heap_dealloc(&heap, zero64, L(0, 64));
    default_heap_dealloc(&heap, slot, L(40, 8));
    expect_all_free(&heap);
}

/* A slab header left in memory by an earlier heap over the same bytes is not
 * taken for a slab of the new heap. */
static void test_reinit_ignores_stale_slab_headers(void **state)
{
    (void)state;
    enum { N = 600 };
    static void *q[N];
    const size_t P = DEFAULT_HEAP_PAGE;
    default_heap_init(&heap, region + 16, 1u << 20);
    void *s = alloc_ok(&heap, 48, 8);
    uintptr_t page = (uintptr_t)s & ~(uintptr_t)(P - 1);
    default_heap_dealloc(&heap, s, L(48, 8));
    /* A new heap over the same bytes: page-aligned blocks until one starts
     * where the old slab header lies. */
    default_heap_init(&heap, region + 16, 1u << 20);
    size_t n = 0, hit = N;
    while (n < N && (q[n] = default_heap_alloc(&heap, L(1, P))) != NULL) {
        if ((uintptr_t)q[n] == page) hit = n;
        n++;
    }
    assert_true(hit < N);
    assert_int_equal(default_heap_layout_of(&heap, q[hit]).align, P);
    for (size_t i = 0; i < n; i++) default_heap_dealloc(&heap, q[i], L(1, P));
    expect_all_free(&heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_free),
        cmocka_unit_test(test_invalid_free),
        cmocka_unit_test(test_size_mismatch),
        cmocka_unit_test(test_check_detects_corruption),
        cmocka_unit_test(test_second_bitmap_word),
        cmocka_unit_test(test_frees_off_the_fast_path),
        cmocka_unit_test(test_reinit_ignores_stale_slab_headers),
    };
    return RUN_TESTS(tests);
}
