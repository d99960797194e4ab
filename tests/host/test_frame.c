/* Host tests of the physical frame allocator (mm/frame.c).
 *
 * "Physical memory" is a 64 MiB buffer: physical address p lives at
 * phys + p, so phys_offset = (uintptr_t)phys and reach_limit = PHYS_SIZE.
 * Larger maps (4 GiB, 6 GiB with the PCI hole) only free frames that lie
 * inside the buffer; their other frames are handed out by the bump cursor,
 * which never touches frame memory. Every drain is checked against an oracle
 * that decides frame by frame, independently of the allocator's range code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/frame.h"

#define KiB       (1ull << 10)
#define MiB       (1ull << 20)
#define GiB       (1ull << 30)
#define PHYS_SIZE (64 * MiB)
#define U         MEM_USABLE
#define R         MEM_RESERVED
#define COUNT(a)  (sizeof(a) / sizeof((a)[0]))

static unsigned char *phys;
static struct frame_allocator fa; /* 4 KiB of ranges: keep it off the stack */

/* The tests reason in addresses; the allocator speaks struct frame. */
static bool alloc_addr(struct frame_allocator *a, uint64_t *addr)
{
    struct frame f;
    if (!frame_alloc(a, &f)) return false;
    *addr = f.start;
    return true;
}
static void free_addr(struct frame_allocator *a, uint64_t addr)
{
    frame_free(a, (struct frame){addr});
}
static bool allocated_addr(const struct frame_allocator *a, uint64_t addr)
{
    return frame_is_allocated(a, (struct frame){addr});
}

struct map {
    const struct mem_region *regions;
    size_t n;
    const struct frame_range *res;
    size_t rn;
};
#define MAP(regions, res)   ((struct map){regions, COUNT(regions), res, COUNT(res)})
#define MAP_NO_RES(regions) ((struct map){regions, COUNT(regions), NULL, 0})

static enum frame_error init(const struct map *m, uint64_t reach)
{
    return frame_allocator_init(&fa, m->regions, m->n, m->res, m->rn, (uintptr_t)phys, reach);
}

/* The oracle: a whole frame of usable RAM at or above 1 MiB that no reserved
 * range touches. */
static bool oracle_managed(const struct map *m, uint64_t f)
{
    if (f < MiB) return false;
    bool usable = false;
    for (size_t i = 0; i < m->n; i++)
        if (m->regions[i].type == U && m->regions[i].start <= f &&
            f + FRAME_SIZE <= m->regions[i].end)
            usable = true;
    if (!usable) return false;
    for (size_t i = 0; i < m->rn; i++)
        if (m->res[i].start < m->res[i].end && m->res[i].start < f + FRAME_SIZE &&
            f < m->res[i].end)
            return false;
    return true;
}

/* Managed frames per the oracle, before the bitmap; *limit: the end of the
 * highest one. */
static uint64_t oracle_count(const struct map *m, uint64_t *limit)
{
    uint64_t top = 0, n = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->regions[i].end > top) top = m->regions[i].end;
    *limit = 0;
    for (uint64_t f = 0; f + FRAME_SIZE <= top; f += FRAME_SIZE)
        if (oracle_managed(m, f)) {
            n++;
            *limit = f + FRAME_SIZE;
        }
    return n;
}

static uint64_t bitmap_frames(uint64_t limit)
{
    uint64_t bytes = (limit / FRAME_SIZE + 63) / 64 * 8;
    return (bytes + FRAME_SIZE - 1) / FRAME_SIZE;
}

/* Allocate until exhaustion and check every frame: aligned, managed per the
 * oracle, not in the bitmap, never twice, ascending (a fresh allocator hands
 * out from the bump cursor), marked allocated. Returns the count. */
static uint64_t drain_check(const struct map *m)
{
    uint64_t limit, expected = oracle_count(m, &limit);
    struct frame_range bm = frame_bitmap_range(&fa);
    assert_int_equal(bm.end - bm.start, bitmap_frames(limit) * FRAME_SIZE);
    assert_true(bm.end <= PHYS_SIZE);
    for (uint64_t b = bm.start; b < bm.end; b += FRAME_SIZE) assert_true(oracle_managed(m, b));
    for (uint64_t f = 0; f < limit; f += FRAME_SIZE) assert_false(allocated_addr(&fa, f));
    struct frame_stats st = frame_stats(&fa);
    assert_int_equal(st.total, expected - bitmap_frames(limit));
    assert_int_equal(st.used, 0);
    assert_int_equal(st.free, st.total);

    uint64_t *seen = calloc(limit / FRAME_SIZE / 64 + 1, 8);
    assert_non_null(seen);
    uint64_t n = 0, f, prev = 0;
    while (alloc_addr(&fa, &f)) {
        assert_int_equal(f % FRAME_SIZE, 0);
        if (!oracle_managed(m, f)) fail_msg("frame 0x%llx is not managed", (unsigned long long)f);
        assert_false(f >= bm.start && f < bm.end);
        assert_true(f < limit);
        uint64_t k = f / FRAME_SIZE;
        if (seen[k / 64] >> (k % 64) & 1) fail_msg("frame 0x%llx twice", (unsigned long long)f);
        seen[k / 64] |= 1ull << (k % 64);
        assert_true(n == 0 || f > prev);
        assert_true(allocated_addr(&fa, f));
        prev = f;
        n++;
    }
    free(seen);
    assert_int_equal(n, st.total);
    st = frame_stats(&fa);
    assert_int_equal(st.free, 0);
    assert_int_equal(st.used, st.total);
    f = 0xdeadbeef;
    assert_false(alloc_addr(&fa, &f));
    assert_int_equal(f, 0xdeadbeef); /* no wild value on failure */
    return n;
}

/* A QEMU-like 64 MiB machine: the kernel just above 1 MiB, the Multiboot2
 * block right after it on unaligned edges, one boot module. */
static const struct mem_region qemu64[] = {
    {0, 0x9fc00, U},          {0x9fc00, 0xa0000, R},     {0xf0000, 0x100000, R},
    {0x100000, 0x3fe0000, U}, {0x3fe0000, 0x4000000, R},
};
static const struct frame_range qemu64_res[] = {
    {0x100000, 0x2a5123}, /* kernel image */
    {0x2a6008, 0x2a7100}, /* Multiboot2 information */
    {0x800000, 0x900000}, /* a module */
};

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
