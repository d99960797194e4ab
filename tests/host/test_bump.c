/* The bump allocator: bump_check() == 0 after every operation. */
#include <string.h>

#include "support.h"
#include "kiln/bump.h"

static _Alignas(4096) unsigned char region[64 * 1024];
static struct bump_heap bump;

#define CHECK(b) assert_int_equal(bump_check(b), 0)

static void *alloc_ok(size_t size, size_t align)
{
    void *p = bump_alloc(&bump, (struct layout){size, align});
    if (p == NULL) fail_msg("bump alloc {%zu, %zu} failed", size, align);
    assert_int_equal((uintptr_t)p % align, 0);
    assert_true((uintptr_t)p >= bump.start && (uintptr_t)p + size <= bump.end);
    CHECK(&bump);
    return p;
}

static void test_sizes_and_alignments(void **state)
{
    (void)state;
    for (size_t align = 1; align <= 4096; align *= 2) {
        bump_init(&bump, region + 1, sizeof region - 1); /* an unaligned start */
        void *last = NULL;
        size_t n = 0;
        for (size_t size = 1; size <= 64; size++) {
            unsigned char *p = alloc_ok(size, align);
            assert_true(p > (unsigned char *)last); /* upwards, never overlapping */
            memset(p, (int)size, size);
            last = p + size - 1;
            n++;
            if (bump_stats(&bump).free < 64 + 4096) break;
        }
        struct alloc_stats s = bump_stats(&bump);
        assert_int_equal(s.used, bump.next - bump.start);
        assert_int_equal(s.free + s.used, s.size);
        assert_int_equal(bump.allocations, n);
        bump.allocations = 0; /* drop them all at once through the reset below */
        bump.next = bump.start;
        CHECK(&bump);
    }
}

static void test_reset_when_all_freed(void **state)
{
    (void)state;
    bump_init(&bump, region, 1024);
    struct layout l = {100, 8};
    void *a = alloc_ok(100, 8), *b = alloc_ok(100, 8);
    /* each block: a 16-byte header, then its bytes; 100 + 16 = 116, pad 4 */
    assert_int_equal(bump_stats(&bump).used, 16 + 100 + 4 + 16 + 100);
    assert_ptr_equal(a, region + 16);
    bump_dealloc(&bump, a, l);
    CHECK(&bump);
    assert_int_equal(bump_stats(&bump).used, 236); /* not reused before the reset */
    bump_dealloc(&bump, b, l);
    CHECK(&bump);
    assert_int_equal(bump_stats(&bump).used, 0);
    assert_ptr_equal(alloc_ok(100, 8), a); /* the region is reused from its start */
}

static void test_oom(void **state)
{
    (void)state;
    bump_init(&bump, region, 1000);
    assert_non_null(alloc_ok(960, 1)); /* next: 16 + 960 = 976 */
    struct alloc_stats before = bump_stats(&bump);
    assert_int_equal(before.largest_hole, 8); /* the next block: 976 + 16 = 992, 8 bytes */
    assert_null(bump_alloc(&bump, (struct layout){9, 1}));
    assert_null(bump_alloc(&bump, (struct layout){0, 4096})); /* the padding alone overflows */
    assert_null(bump_alloc(&bump, (struct layout){SIZE_MAX - 1, 1}));
    assert_null(bump_alloc(&bump, (struct layout){8, 3})); /* invalid */
    struct alloc_stats after = bump_stats(&bump);
    assert_memory_equal(&before, &after, sizeof before);
    assert_non_null(alloc_ok(8, 1)); /* the last bytes */
    assert_int_equal(bump_stats(&bump).free, 0);
    CHECK(&bump);
}

/* The blog's heap tests, on a bump allocator. */
static void test_blog_many_boxes(void **state)
{
    (void)state;
    bump_init(&bump, region, sizeof region);
    struct layout l = layout_for(uint64_t);
    for (uint64_t i = 0; i < sizeof region; i++) {
        uint64_t *x = alloc_ok(l.size, l.align);
        *x = i;
        assert_int_equal(*x, i);
        bump_dealloc(&bump, x, l);
    }
    CHECK(&bump);
    assert_int_equal(bump_stats(&bump).used, 0);
}

static void test_misuse_panics(void **state)
{
    (void)state;
    bump_init(&bump, region, 1024);
    struct layout l = {16, 8};
    EXPECT_PANIC(bump_dealloc(&bump, region, l), "invalid free"); /* nothing live */
    void *a = alloc_ok(16, 8);
    EXPECT_PANIC(bump_dealloc(&bump, region + 512, l), "invalid free");  /* never handed out */
    EXPECT_PANIC(bump_dealloc(&bump, region + 2048, l), "invalid free"); /* outside */
    EXPECT_PANIC(bump_dealloc(&bump, a, (struct layout){16, 0}), "LAYOUT_ALIGN_ZERO");
    CHECK(&bump);
    bump_dealloc(&bump, NULL, l);
    /* the sealed header below each block (kiln/block_seal.h) */
    unsigned char *big = alloc_ok(64, 16);
    EXPECT_PANIC(bump_dealloc(&bump, big + 16, l), "invalid free"); /* interior, aligned */
    EXPECT_PANIC(bump_dealloc(&bump, big + 3, l), "invalid free");  /* interior, unaligned */
    EXPECT_PANIC(bump_dealloc(&bump, big, (struct layout){48, 16}), "size mismatch"); /* smaller */
    EXPECT_PANIC(bump_dealloc(&bump, a, (struct layout){24, 8}), "size mismatch");    /* larger */
    CHECK(&bump);
    bump_dealloc(&bump, a, l);
    CHECK(&bump);
    EXPECT_PANIC(bump_dealloc(&bump, a, l), "double free");
    /* the old pointer after a moving realloc (the default realloc: a copy) */
    struct allocator al = bump_allocator(&bump);
    void *moved = allocator_realloc(&al, big, (struct layout){64, 16}, 128);
    assert_ptr_not_equal(moved, big);
    EXPECT_PANIC(bump_dealloc(&bump, big, (struct layout){64, 16}), "double free");
    assert_int_equal(bump.allocations, 1);
    bump_dealloc(&bump, moved, (struct layout){128, 16});
    assert_int_equal(bump_stats(&bump).used, 0);
    CHECK(&bump);
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    bump_init(&bump, region, 1024);
    (void)alloc_ok(16, 8);
    bump.next = bump.end + 1;
    assert_true(bump_check(&bump) > 0);
    bump.next = bump.start + 16;
    bump.allocations = 0; /* nothing live, yet next != start */
    assert_int_equal(bump_check(&bump), 1);
}

static void test_as_allocator(void **state)
{
    (void)state;
    bump_init(&bump, region, 4096);
    struct allocator a = bump_allocator(&bump);
    char *p = allocator_alloc(&a, (struct layout){10, 1});
    memcpy(p, "0123456789", 10);
    char *q = allocator_realloc(&a, p, (struct layout){10, 1}, 20); /* the default: a copy */
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    assert_memory_equal(q, "0123456789", 10);
    assert_int_equal(bump.allocations, 1);
    allocator_dealloc(&a, q, (struct layout){20, 1});
    assert_int_equal(bump_stats(&bump).used, 0);
    CHECK(&bump);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_and_alignments),
        cmocka_unit_test(test_reset_when_all_freed),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_blog_many_boxes),
        cmocka_unit_test(test_misuse_panics),
        cmocka_unit_test(test_check_detects_corruption),
        cmocka_unit_test(test_as_allocator),
    };
    return RUN_TESTS(tests);
}
