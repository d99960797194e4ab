/* The fixed-size block allocator's own cases: the post's list_index, O(1)
 * reuse, the post's known weakness, the sized-free checks and a corrupted
 * list. The cases every design shares are in test_alloc_suite.c. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/fixed_block.h"

static _Alignas(4096) unsigned char region[1u << 20];
static struct fixed_block_heap heap;

#define CHECK() assert_int_equal(fixed_block_check(&heap), 0)

static void *alloc_ok(size_t size, size_t align)
{
    void *p = fixed_block_alloc(&heap, (struct layout){size, align});
    if (p == NULL) fail_msg("alloc {%zu, %zu} failed", size, align);
    CHECK();
    return p;
}

/* The block size a layout gets is the smallest of 8..2048 >= max(size, align):
 * seen from reuse. Every block is aligned to FIXED_BLOCK_ALIGN (16). */
static void test_list_index(void **state)
{
    (void)state;
    static const struct {
        size_t size, align, block;
    } cases[] = {
        {1, 1, 8},     {8, 8, 8},       {9, 1, 16},       {16, 16, 16},
        {17, 8, 32},   {33, 16, 64},    {100, 8, 128},    {128, 16, 128},
        {129, 1, 256}, {1000, 8, 1024}, {2000, 16, 2048}, {2048, 1, 2048},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixed_block_init(&heap, region, sizeof region);
        struct layout l = {cases[i].size, cases[i].align};
        unsigned char *p = alloc_ok(l.size, l.align);
        assert_int_equal((uintptr_t)p % FIXED_BLOCK_ALIGN, 0);
        fixed_block_dealloc(&heap, p, l);
        CHECK();
        /* any layout of the same list gets the very block back: a pop */
        assert_ptr_equal(alloc_ok(cases[i].block, 1), p);
        fixed_block_dealloc(&heap, p, (struct layout){cases[i].block, 1});
        /* the next larger list does not */
        if (cases[i].block < FIXED_BLOCK_MAX) {
            void *q = alloc_ok(cases[i].block + 1, 1);
            assert_ptr_not_equal(q, p);
            fixed_block_dealloc(&heap, q, (struct layout){cases[i].block + 1, 1});
        }
        CHECK();
    }
}

/* Larger than 2048 bytes, or aligned to more than 16, goes to the
 * linked-list fallback, which merges on free: nothing stays on a list. */
static void test_large_goes_to_fallback(void **state)
{
    (void)state;
    fixed_block_init(&heap, region, 64 * 1024);
    void *a = alloc_ok(2049, 8), *b = alloc_ok(8, 4096), *c = alloc_ok(8, 64);
    assert_int_equal((uintptr_t)b % 4096, 0);
    assert_int_equal((uintptr_t)c % 64, 0);
    fixed_block_dealloc(&heap, a, (struct layout){2049, 8});
    fixed_block_dealloc(&heap, b, (struct layout){8, 4096});
    fixed_block_dealloc(&heap, c, (struct layout){8, 64});
    CHECK();
    assert_int_equal(heap.cached, 0);
    /* one hole again: the largest block a caller can get is all but a header */
    assert_int_equal(fixed_block_stats(&heap).largest_hole, 64 * 1024 - 16);
}

/* The post's known weakness: 16-byte blocks fill the heap, all are freed,
 * and a 1 KiB block cannot be served, though every byte is free. */
static void test_post_weakness_16_byte_fill(void **state)
{
    (void)state;
    static void *blocks[100 * 1024 / 16 + 1];
    fixed_block_init(&heap, region, 100 * 1024);
    size_t n = 0;
    while ((blocks[n] = fixed_block_alloc(&heap, (struct layout){16, 8})) != NULL) n++;
    assert_int_equal(n, 100 * 1024 / 32); /* 16 bytes and the fallback's 16-byte header */
    for (size_t i = 0; i < n; i++) fixed_block_dealloc(&heap, blocks[i], (struct layout){16, 8});
    CHECK();
    struct alloc_stats s = fixed_block_stats(&heap);
    assert_int_equal(s.free, s.size);
    assert_null(fixed_block_alloc(&heap, (struct layout){1024, 8}));
    /* 16-byte blocks are still served, from the list */
    assert_ptr_equal(alloc_ok(16, 8), blocks[n - 1]);
    /* growth is the way out: the fallback serves from the new bytes */
    fixed_block_extend(&heap, 4096);
    void *big = alloc_ok(1024, 8);
    assert_true((uintptr_t)big >= (uintptr_t)region + 100 * 1024);
}

static void test_sized_free_mismatch_panics(void **state)
{
    (void)state;
    fixed_block_init(&heap, region, 64 * 1024);
    unsigned char *small = alloc_ok(16, 8);
    (void)alloc_ok(16, 8); /* so small + 16 is a live block too */
    unsigned char *p32 = alloc_ok(32, 8);
    /* a 16-byte block freed as a 64-byte one: not aligned to 64 */
    unsigned char *odd = (uintptr_t)small % 64 ? small : small + 16;
    EXPECT_PANIC(fixed_block_dealloc(&heap, odd, (struct layout){64, 8}), "size mismatch");
    assert_int_not_equal((uintptr_t)p32 % 2048, 0);
    EXPECT_PANIC(fixed_block_dealloc(&heap, p32, (struct layout){2048, 8}), "size mismatch");
    EXPECT_PANIC(fixed_block_dealloc(&heap, p32 + 3, (struct layout){8, 1}), "invalid free");
    EXPECT_PANIC(fixed_block_dealloc(&heap, region + sizeof region, (struct layout){8, 8}),
                 "invalid free");
    char want[32];
    snprintf(want, sizeof want, "%p", (void *)(p32 + 3));
    EXPECT_PANIC(fixed_block_dealloc(&heap, p32 + 3, (struct layout){8, 1}), want);
    fixed_block_dealloc(&heap, p32, (struct layout){32, 8});
    EXPECT_PANIC(fixed_block_dealloc(&heap, p32, (struct layout){32, 8}), "double free");
    CHECK();
}

/* What the sealed header (kiln/block_seal.h) adds to the post's design: a
 * double free anywhere in a list, a smaller class, an aligned interior
 * pointer, a never-allocated pointer, the region's first byte. */
static void test_sealed_header_misuse_panics(void **state)
{
    (void)state;
    fixed_block_init(&heap, region, 64 * 1024);
    unsigned char *a = alloc_ok(64, 8), *b = alloc_ok(64, 8), *big = alloc_ok(256, 16);
    memset(big, 0x5a, 256);
    fixed_block_dealloc(&heap, a, (struct layout){64, 8});
    fixed_block_dealloc(&heap, b, (struct layout){64, 8}); /* a is no longer the head */
    EXPECT_PANIC(fixed_block_dealloc(&heap, a, (struct layout){64, 8}), "double free");
    EXPECT_PANIC(fixed_block_dealloc(&heap, a, (struct layout){4000, 8}), "double free");
    EXPECT_PANIC(fixed_block_dealloc(&heap, big, (struct layout){16, 8}), "size mismatch");
    EXPECT_PANIC(fixed_block_dealloc(&heap, big, (struct layout){4000, 8}), "size mismatch");
    EXPECT_PANIC(fixed_block_dealloc(&heap, big + 64, (struct layout){64, 16}), "invalid free");
    EXPECT_PANIC(fixed_block_dealloc(&heap, region + 32 * 1024, (struct layout){64, 16}),
                 "invalid free");
    EXPECT_PANIC(fixed_block_dealloc(&heap, region, (struct layout){64, 16}), "invalid free");
    CHECK();
    for (int i = 0; i < 256; i++) assert_int_equal(big[i], 0x5a);
    /* a header overwritten on a free block (an overflow of the block below) */
    b[-16] ^= 0x80; /* the seal's first byte: a write past the end of the block below */
    assert_int_equal(fixed_block_check(&heap),
                     2); /* on its list, and among the fallback's blocks */
    EXPECT_PANIC(fixed_block_alloc(&heap, (struct layout){64, 8}), "heap corrupted");
    b[-16] ^= 0x80;
    CHECK();
    assert_ptr_equal(alloc_ok(64, 8), b);
    assert_ptr_equal(alloc_ok(64, 8), a);
}

static void test_corrupted_list_panics_and_check_counts(void **state)
{
    (void)state;
    fixed_block_init(&heap, region, 64 * 1024);
    void **a = alloc_ok(64, 8), **b = alloc_ok(64, 8);
    fixed_block_dealloc(&heap, b, (struct layout){64, 8});
    fixed_block_dealloc(&heap, a, (struct layout){64, 8});
    CHECK();
    *a = (void *)0xdead0000; /* a use-after-free write over the list's link */
    assert_int_equal(fixed_block_check(&heap), 1);
    EXPECT_PANIC(fixed_block_alloc(&heap, (struct layout){64, 8}), "heap corrupted");
    *a = (unsigned char *)b + 8; /* inside the region, misaligned for its list */
    assert_int_equal(fixed_block_check(&heap), 1);
    EXPECT_PANIC(fixed_block_alloc(&heap, (struct layout){64, 8}), "heap corrupted");
    *a = a; /* a cycle: bounded walk */
    assert_true(fixed_block_check(&heap) > 0);
    *a = b;
    CHECK();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_index),
        cmocka_unit_test(test_large_goes_to_fallback),
        cmocka_unit_test(test_post_weakness_16_byte_fill),
        cmocka_unit_test(test_sized_free_mismatch_panics),
        cmocka_unit_test(test_sealed_header_misuse_panics),
        cmocka_unit_test(test_corrupted_list_panics_and_check_counts),
    };
    return RUN_TESTS(tests);
}
