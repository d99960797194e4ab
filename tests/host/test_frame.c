/* Host tests of the physical frame allocator (mm/frame.c): drains against
 * an oracle, reuse, counters, misuse panics and the frame sources. The
 * fixtures are in frame_test.h. */
#include "frame_test.h"

static void test_small_map_drain(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    /* 0x100000..0x2a6000 kernel, 0x2a6000..0x2a8000 info: bitmap at 0x2a8000. */
    assert_int_equal(frame_bitmap_range(&fa).start, 0x2a8000);
    uint64_t n = drain_check(&m);
    /* (0x3fe0000 - 0x100000) / 4 KiB, less kernel 422, info 2, module 256, bitmap 1. */
    assert_int_equal(n, (0x3fe0000 - 0x100000) / FRAME_SIZE - 422 - 2 - 256 - 1);
}

static void test_first_frames_ascend_from_bottom(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t f;
    assert_true(alloc_addr(&fa, &f));
    assert_int_equal(f, 0x2a9000); /* the lowest managed frame after the bitmap */
    for (int i = 0; i < 2000; i++) {
        uint64_t g;
        assert_true(alloc_addr(&fa, &g));
        assert_true(g > f);
        f = g;
    }
    /* the module [8 MiB, 9 MiB) is skipped over */
    assert_true(f >= 0x900000);
    assert_false(allocated_addr(&fa, 0x800000));
}

static void test_free_then_reuse_lifo(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t a, b, c, d, x, y, z;
    assert_true(alloc_addr(&fa, &a));
    assert_true(alloc_addr(&fa, &b));
    assert_true(alloc_addr(&fa, &c));
    free_addr(&fa, a);
    free_addr(&fa, c);
    assert_false(allocated_addr(&fa, a));
    assert_true(allocated_addr(&fa, b));
    assert_int_equal(frame_stats(&fa).used, 1);
    assert_true(alloc_addr(&fa, &x));
    assert_true(alloc_addr(&fa, &y));
    assert_true(alloc_addr(&fa, &z));
    assert_int_equal(x, c);
    assert_int_equal(y, a);
    assert_true(z > c); /* the stack is empty: back to the cursor */
    assert_true(alloc_addr(&fa, &d));
    assert_int_equal(d, z + FRAME_SIZE);
    assert_int_equal(frame_stats(&fa).used, 5);
}

static void test_counters_track_every_call(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t total = frame_stats(&fa).total, frames[300];
    for (unsigned i = 0; i < COUNT(frames); i++) {
        assert_true(alloc_addr(&fa, &frames[i]));
        struct frame_stats st = frame_stats(&fa);
        assert_int_equal(st.used, i + 1);
        assert_int_equal(st.free, total - i - 1);
        assert_int_equal(st.total, total);
    }
    for (unsigned i = 0; i < COUNT(frames); i += 2) free_addr(&fa, frames[i]);
    struct frame_stats st = frame_stats(&fa);
    assert_int_equal(st.used, 150);
    assert_int_equal(st.used + st.free, st.total);
}

/* Partial frames at region edges are never handed out. */
static void test_partial_edge_frames_skipped(void **state)
{
    (void)state;
    static const struct mem_region map[] = {
        {0x100800, 0x105800, U}, /* whole frames 0x101000..0x105000 */
        {0x105800, 0x200010, R},
        {0x200010, 0x202ff0, U}, /* whole frames 0x201000..0x202000 */
    };
    struct map m = MAP_NO_RES(map);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    assert_int_equal(frame_bitmap_range(&fa).start, 0x101000);
    static const uint64_t want[] = {0x102000, 0x103000, 0x104000, 0x201000};
    for (unsigned i = 0; i < COUNT(want); i++) {
        uint64_t f;
        assert_true(alloc_addr(&fa, &f));
        assert_int_equal(f, want[i]);
    }
    uint64_t f;
    assert_false(alloc_addr(&fa, &f));
    assert_int_equal(frame_stats(&fa).total, COUNT(want));
}

/* 4 GiB of RAM from 1 MiB up: a 128 KiB (32-frame) bitmap. */
static void test_4g_map(void **state)
{
    (void)state;
    static const struct mem_region map[] = {{0, 0x9f000, U}, {MiB, 4 * GiB, U}};
    static const struct frame_range res[] = {{MiB, 3 * MiB}};
    struct map m = MAP(map, res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    struct frame_range bm = frame_bitmap_range(&fa);
    assert_int_equal(bm.start, 3 * MiB);
    assert_int_equal(bm.end - bm.start, 128 * KiB);
    assert_int_equal(drain_check(&m), (4 * GiB - 3 * MiB - 128 * KiB) / FRAME_SIZE);

    /* free frames that lie in the buffer, then take them back, LIFO */
    for (uint64_t f = 4 * MiB; f < 8 * MiB; f += FRAME_SIZE) free_addr(&fa, f);
    assert_int_equal(frame_stats(&fa).free, 4 * MiB / FRAME_SIZE);
    for (uint64_t f = 8 * MiB - FRAME_SIZE; f >= 4 * MiB; f -= FRAME_SIZE) {
        uint64_t g;
        assert_true(alloc_addr(&fa, &g));
        assert_int_equal(g, f);
    }
    uint64_t g;
    assert_false(alloc_addr(&fa, &g));
    assert_int_equal(frame_stats(&fa).free, 0);
}

/* 5 GiB of RAM around the PCI hole [3 GiB, 4 GiB): usable up to 6 GiB. */
static void test_5g_map_with_pci_hole(void **state)
{
    (void)state;
    static const struct mem_region map[] = {
        {0, 0x9fc00, U},
        {0xf0000, MiB, R},
        {MiB, 3 * GiB - 128 * KiB, U},
        {3 * GiB - 128 * KiB, 3 * GiB, 3},
        {3 * GiB, 4 * GiB, R},
        {4 * GiB, 6 * GiB, U},
    };
    static const struct frame_range res[] = {{MiB, 0x2a5123}, {0x2a5200, 0x2a5300}};
    struct map m = MAP(map, res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    struct frame_range bm = frame_bitmap_range(&fa);
    assert_int_equal(bm.start, 0x2a6000);
    assert_int_equal(bm.end - bm.start, 192 * KiB); /* 6 GiB / 32768 */
    drain_check(&m);
    assert_false(allocated_addr(&fa, 3 * GiB));
    assert_true(allocated_addr(&fa, 4 * GiB));
    assert_true(allocated_addr(&fa, 6 * GiB - FRAME_SIZE));
    EXPECT_PANIC(free_addr(&fa, 3 * GiB + 5 * FRAME_SIZE), "FRAME_OUTSIDE_USABLE");
}

static void test_bad_frees_panic_with_names(void **state)
{
    (void)state;
    static const struct mem_region map[] = {{0, 0x9fc00, U}, {MiB, 4 * GiB, U}};
    static const struct frame_range res[] = {{MiB, 0x2a5123}};
    struct map m = MAP(map, res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t a, b;
    assert_true(alloc_addr(&fa, &a));
    assert_true(alloc_addr(&fa, &b));
    free_addr(&fa, a);
    struct frame_stats before = frame_stats(&fa);
    char want[64];
    snprintf(want, sizeof want, "frame_free: FRAME_NOT_ALLOCATED 0x%llx", (unsigned long long)a);
    EXPECT_PANIC(free_addr(&fa, a), want); /* double free */
    EXPECT_PANIC(free_addr(&fa, 16 * MiB), "frame_free: FRAME_NOT_ALLOCATED 0x1000000");
    EXPECT_PANIC(free_addr(&fa, b + 8), "frame_free: FRAME_MISALIGNED");
    EXPECT_PANIC(free_addr(&fa, 0x123), "frame_free: FRAME_MISALIGNED 0x123");
    EXPECT_PANIC(free_addr(&fa, 0x5000), "frame_free: FRAME_OUTSIDE_USABLE 0x5000");
    EXPECT_PANIC(free_addr(&fa, 0), "frame_free: FRAME_OUTSIDE_USABLE 0x0");
    EXPECT_PANIC(free_addr(&fa, 0x200000), "frame_free: FRAME_OUTSIDE_USABLE 0x200000");
    EXPECT_PANIC(free_addr(&fa, frame_bitmap_range(&fa).start), "FRAME_OUTSIDE_USABLE");
    EXPECT_PANIC(free_addr(&fa, 4 * GiB), "frame_free: FRAME_OUTSIDE_USABLE 0x100000000");
    EXPECT_PANIC(free_addr(&fa, 1ull << 60), "FRAME_OUTSIDE_USABLE");
    struct frame_stats after = frame_stats(&fa);
    assert_int_equal(after.used, before.used);
    assert_int_equal(after.free, before.free);
    assert_true(allocated_addr(&fa, b));
}

static void test_corrupt_free_stack_panics(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t a, b, c;
    assert_true(alloc_addr(&fa, &a));
    assert_true(alloc_addr(&fa, &b));
    assert_true(alloc_addr(&fa, &c));
    free_addr(&fa, a);
    free_addr(&fa, b);
    uint64_t bad = 0x1234;
    memcpy(phys + b, &bad, sizeof bad); /* a write after free */
    EXPECT_PANIC(alloc_addr(&fa, &a), "frame_alloc: FRAME_FREE_STACK_CORRUPT link 0x1234");
    bad = c; /* points at an allocated frame */
    memcpy(phys + b, &bad, sizeof bad);
    EXPECT_PANIC(alloc_addr(&fa, &a), "FREE_STACK_CORRUPT");
}

/* struct frame, kiln's one frame type: built only from aligned addresses that
 * a page-table entry can hold, or rounded down on purpose. */
static void test_frame_from_start_and_containing(void **state)
{
    (void)state;
    struct frame f = {7};
    assert_true(frame_from_start(0x5000, &f));
    assert_int_equal(f.start, 0x5000);
    assert_true(frame_from_start(FRAME_ADDR_MAX, &f));
    f.start = 7;
    assert_false(frame_from_start(0x5008, &f));
    assert_false(frame_from_start(FRAME_ADDR_MAX + FRAME_SIZE, &f));
    assert_int_equal(f.start, 7); /* untouched on refusal */
    assert_int_equal(frame_containing(0x5fff).start, 0x5000);
    assert_int_equal(frame_containing(0).start, 0);
}

static void test_empty_source_always_fails(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        struct frame f = {42};
        assert_false(frame_source_alloc(frame_source_empty, &f));
        assert_int_equal(f.start, 42);
    }
}

static void test_source_of_draws_from_allocator(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    struct frame_source src = frame_source_of(&fa);
    struct frame a, b;
    assert_true(frame_source_alloc(src, &a));
    assert_true(frame_alloc(&fa, &b));
    assert_int_equal(b.start, a.start + FRAME_SIZE);
    assert_true(frame_is_allocated(&fa, a));
    frame_free(&fa, a);
    assert_true(frame_source_alloc(src, &b));
    assert_int_equal(b.start, a.start);
    assert_int_equal(frame_stats(&fa).used, 2);
}

int main(void)
{
    phys = aligned_alloc(FRAME_SIZE, PHYS_SIZE);
    if (!phys) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_map_drain),
        cmocka_unit_test(test_first_frames_ascend_from_bottom),
        cmocka_unit_test(test_free_then_reuse_lifo),
        cmocka_unit_test(test_counters_track_every_call),
        cmocka_unit_test(test_partial_edge_frames_skipped),
        cmocka_unit_test(test_4g_map),
        cmocka_unit_test(test_5g_map_with_pci_hole),
        cmocka_unit_test(test_bad_frees_panic_with_names),
        cmocka_unit_test(test_corrupt_free_stack_panics),
        cmocka_unit_test(test_empty_source_always_fails),
        cmocka_unit_test(test_frame_from_start_and_containing),
        cmocka_unit_test(test_source_of_draws_from_allocator),
    };
    int failed = RUN_TESTS(tests);
    free(phys);
    return failed;
}
