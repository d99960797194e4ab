/* Host tests of the frame allocator's setup (mm/frame.c): where its bitmap
 * goes, reservations, bad memory maps with named errors, and a random
 * workload against an oracle. The fixtures are in frame_test.h. */
#include "frame_test.h"

/* The bitmap goes in the lowest range that holds it, below reach_limit. */
static void test_bitmap_placement(void **state)
{
    (void)state;
    /* 4 GiB needs 128 KiB; the first range has 64 KiB, the second 256 KiB. */
    static const struct mem_region map[] = {
        {MiB, MiB + 64 * KiB, U},
        {2 * MiB, 2 * MiB + 256 * KiB, U},
        {32 * MiB, 4 * GiB, U},
    };
    struct map m = MAP_NO_RES(map);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    assert_int_equal(frame_bitmap_range(&fa).start, 2 * MiB);
    assert_int_equal(frame_bitmap_range(&fa).end, 2 * MiB + 128 * KiB);
    uint64_t f;
    assert_true(alloc_addr(&fa, &f));
    assert_int_equal(f, MiB); /* the small range still hands out first */
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    drain_check(&m);

    /* Exactly at reach_limit fits; one frame short does not. */
    assert_int_equal(init(&m, 2 * MiB + 128 * KiB), FRAME_OK);
    assert_int_equal(init(&m, 2 * MiB + 124 * KiB), FRAME_NO_ROOM_FOR_BITMAP);
    /* An empty range list after a failure: nothing handed out, zero counters. */
    f = 7;
    assert_false(alloc_addr(&fa, &f));
    assert_int_equal(f, 7);
    assert_int_equal(frame_stats(&fa).total, 0);
    assert_int_equal(frame_bitmap_range(&fa).end, 0);
    EXPECT_PANIC(free_addr(&fa, 2 * MiB), "FRAME_OUTSIDE_USABLE");

    /* Nothing low can hold it: the RAM above 1 GiB is out of reach. */
    static const struct mem_region high[] = {{MiB, MiB + 64 * KiB, U}, {2 * GiB, 4 * GiB, U}};
    struct map h = MAP_NO_RES(high);
    assert_int_equal(init(&h, 1 * GiB), FRAME_NO_ROOM_FOR_BITMAP);
    assert_string_equal(frame_error_name(FRAME_NO_ROOM_FOR_BITMAP), "FRAME_NO_ROOM_FOR_BITMAP");
}

/* The bitmap skips memory the caller reserves, even when it is usable. */
static void test_bitmap_avoids_reservations(void **state)
{
    (void)state;
    static const struct mem_region map[] = {{MiB, 16 * MiB, U}};
    static const struct frame_range res[] = {{MiB, 4 * MiB}, {4 * MiB + 100, 4 * MiB + 200}};
    struct map m = MAP(map, res);
    memset(phys, 0xa5, PHYS_SIZE); /* a dirty bitmap must not leak in */
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    assert_int_equal(frame_bitmap_range(&fa).start, 4 * MiB + FRAME_SIZE);
    drain_check(&m);
}

static void test_overlapping_reservations(void **state)
{
    (void)state;
    static const struct mem_region map[] = {
        {0, 0x9fc00, U},         {MiB, 20 * MiB, U},
        {20 * MiB, 21 * MiB, R}, {21 * MiB + 7, 40 * MiB + 5, U},
        {48 * MiB, 64 * MiB, U},
    };
    static const struct frame_range res[] = {
        {10 * MiB, 12 * MiB}, /* unsorted input */
        {2 * MiB, 3 * MiB},
        {2 * MiB + 512 * KiB, 4 * MiB}, /* overlapping */
        {11 * MiB, 11 * MiB + 10},      /* nested inside another */
        {19 * MiB + 1, 22 * MiB - 1},   /* spans two regions and the gap */
        {0x5000, 0x9000},               /* below 1 MiB */
        {63 * MiB, 80 * MiB},           /* sticks out of the map */
        {30 * MiB, 30 * MiB},           /* empty: reserves nothing */
        {35 * MiB + 1, 35 * MiB + 2},   /* inside one frame */
        {2 * MiB, 3 * MiB},             /* duplicate */
        {45 * MiB, 47 * MiB},           /* in a hole of the map */
        {MiB, 2 * MiB},
    };
    struct map m = MAP(map, res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    assert_int_equal(frame_bitmap_range(&fa).start, 4 * MiB);
    assert_true(allocated_addr(&fa, 0) == false);
    drain_check(&m);
    assert_true(allocated_addr(&fa, 30 * MiB));
    assert_false(allocated_addr(&fa, 35 * MiB));
    assert_true(allocated_addr(&fa, 35 * MiB + FRAME_SIZE));
    EXPECT_PANIC(free_addr(&fa, 11 * MiB), "FRAME_OUTSIDE_USABLE");
    EXPECT_PANIC(free_addr(&fa, 21 * MiB + FRAME_SIZE), "FRAME_OUTSIDE_USABLE");
}

static void test_too_many_ranges(void **state)
{
    (void)state;
    /* Usable 2-frame regions, 3 frames apart, from 1 MiB. */
    static struct mem_region many[FRAME_MAX_RANGES + 1];
    for (size_t i = 0; i < COUNT(many); i++) {
        uint64_t s = MiB + i * 3 * FRAME_SIZE;
        many[i] = (struct mem_region){s, s + 2 * FRAME_SIZE, U};
    }
    struct map m = {many, FRAME_MAX_RANGES, NULL, 0};
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    assert_int_equal(drain_check(&m), 2 * FRAME_MAX_RANGES - 1);
    m.n = FRAME_MAX_RANGES + 1;
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_TOO_MANY_RANGES);

    /* A reservation that splits a range needs one more slot. */
    static struct mem_region wide[FRAME_MAX_RANGES];
    for (size_t i = 0; i < COUNT(wide); i++) {
        uint64_t s = MiB + i * 4 * FRAME_SIZE;
        wide[i] = (struct mem_region){s, s + 3 * FRAME_SIZE, U};
    }
    static const struct frame_range split[] = {{MiB + 9 * FRAME_SIZE, MiB + 10 * FRAME_SIZE}};
    struct map w = {wide, COUNT(wide), split, 1};
    assert_int_equal(init(&w, PHYS_SIZE), FRAME_TOO_MANY_RANGES);
    assert_string_equal(frame_error_name(FRAME_TOO_MANY_RANGES), "FRAME_TOO_MANY_RANGES");
}

static void test_bad_maps_get_named_errors(void **state)
{
    (void)state;
    static const struct mem_region backwards[] = {{2 * MiB, MiB, U}};
    static const struct mem_region unsorted[] = {{4 * MiB, 8 * MiB, U}, {MiB, 2 * MiB, U}};
    static const struct mem_region overlap[] = {{MiB, 8 * MiB, U}, {4 * MiB, 9 * MiB, U}};
    static const struct mem_region low_only[] = {{0, 0x9fc00, U}, {MiB, 2 * MiB, R}};
    static const struct mem_region one_frame[] = {{MiB, MiB + FRAME_SIZE, U}};
    static const struct mem_region ok[] = {{MiB, 8 * MiB, U}};
    static const struct frame_range res_back[] = {{3 * MiB, 2 * MiB}};
    static const struct frame_range res_all[] = {{0, 8 * MiB}};
    struct map m;
    m = MAP_NO_RES(backwards);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_BAD_RANGE);
    m = MAP_NO_RES(unsorted);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_MAP_UNSORTED);
    m = MAP_NO_RES(overlap);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_MAP_UNSORTED);
    m = MAP_NO_RES(low_only);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_NO_USABLE_MEMORY);
    m = MAP_NO_RES(one_frame); /* the bitmap takes the only frame */
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_NO_USABLE_MEMORY);
    m = MAP(ok, res_back);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_BAD_RANGE);
    m = MAP(ok, res_all);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_NO_USABLE_MEMORY);
    assert_int_equal(frame_allocator_init(&fa, NULL, 0, NULL, 0, (uintptr_t)phys, PHYS_SIZE),
                     FRAME_NO_USABLE_MEMORY);
    EXPECT_PANIC(frame_allocator_init(NULL, ok, 1, NULL, 0, 0, PHYS_SIZE),
                 "frame_allocator_init: NULL argument");
    EXPECT_PANIC(frame_allocator_init(&fa, NULL, 1, NULL, 0, 0, PHYS_SIZE), "NULL argument");
    EXPECT_PANIC(frame_allocator_init(&fa, ok, 1, NULL, 1, 0, PHYS_SIZE), "NULL argument");

    static const enum frame_error all[] = {
        FRAME_OK,           FRAME_NO_USABLE_MEMORY, FRAME_NO_ROOM_FOR_BITMAP, FRAME_TOO_MANY_RANGES,
        FRAME_MAP_UNSORTED, FRAME_BAD_RANGE};
    for (unsigned i = 0; i < COUNT(all); i++) {
        assert_true(strncmp(frame_error_name(all[i]), "FRAME_", 6) == 0);
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(frame_error_name(all[i]), frame_error_name(all[j]));
    }
    assert_string_equal(frame_error_name((enum frame_error)99), "FRAME_UNKNOWN_ERROR");
}

/* A random mix of allocs and frees against a shadow model; at the end every
 * frame comes back: none was lost or handed out twice. */
static void test_random_workload(void **state)
{
    (void)state;
    struct map m = MAP(qemu64, qemu64_res);
    assert_int_equal(init(&m, PHYS_SIZE), FRAME_OK);
    uint64_t total = frame_stats(&fa).total;
    static uint64_t live[PHYS_SIZE / FRAME_SIZE];
    static unsigned char owned[PHYS_SIZE / FRAME_SIZE];
    assert_true(total <= COUNT(live));
    uint64_t n = 0, rng = 0x9e3779b97f4a7c15ull;
    for (int step = 0; step < 200000; step++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        bool take = n == 0 || (rng % 100) < (step < 100000 ? 60 : 40);
        if (take) {
            uint64_t f;
            if (!alloc_addr(&fa, &f)) {
                assert_int_equal(n, total);
                continue;
            }
            assert_true(oracle_managed(&m, f));
            assert_int_equal(owned[f / FRAME_SIZE], 0);
            owned[f / FRAME_SIZE] = 1;
            live[n++] = f;
        } else {
            size_t i = (rng >> 20) % n;
            uint64_t f = live[i];
            live[i] = live[--n];
            free_addr(&fa, f);
            owned[f / FRAME_SIZE] = 0;
            assert_false(allocated_addr(&fa, f));
        }
        assert_int_equal(frame_stats(&fa).used, n);
        assert_int_equal(frame_stats(&fa).free, total - n);
    }
    for (uint64_t f = 0; f < PHYS_SIZE; f += FRAME_SIZE)
        assert_int_equal(allocated_addr(&fa, f), owned[f / FRAME_SIZE]);
    while (n) {
        free_addr(&fa, live[--n]);
        owned[live[n] / FRAME_SIZE] = 0;
    }
    assert_int_equal(frame_stats(&fa).used, 0);
    uint64_t f, got = 0;
    while (alloc_addr(&fa, &f)) {
        assert_int_equal(owned[f / FRAME_SIZE], 0);
        owned[f / FRAME_SIZE] = 2;
        got++;
    }
    assert_int_equal(got, total);
}

int main(void)
{
    phys = aligned_alloc(FRAME_SIZE, PHYS_SIZE);
    if (!phys) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bitmap_placement),
        cmocka_unit_test(test_bitmap_avoids_reservations),
        cmocka_unit_test(test_overlapping_reservations),
        cmocka_unit_test(test_too_many_ranges),
        cmocka_unit_test(test_bad_maps_get_named_errors),
        cmocka_unit_test(test_random_workload),
    };
    int failed = RUN_TESTS(tests);
    free(phys);
    return failed;
}
