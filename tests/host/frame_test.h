/* What the host tests of the frame allocator (test_frame.c,
 * test_frame_map.c) share.
 *
 * "Physical memory" is a 64 MiB buffer: physical address p lives at
 * phys + p, so phys_offset = (uintptr_t)phys and reach_limit = PHYS_SIZE.
 * Larger maps (4 GiB, 6 GiB with the PCI hole) only free frames that lie
 * inside the buffer; their other frames are handed out by the bump cursor,
 * which never touches frame memory. Every drain is checked against an oracle
 * that decides frame by frame, independently of the allocator's range code.
 */
#ifndef KILN_TEST_FRAME_H
#define KILN_TEST_FRAME_H

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
static inline bool alloc_addr(struct frame_allocator *a, uint64_t *addr)
{
    struct frame f;
    if (!frame_alloc(a, &f)) return false;
    *addr = f.start;
    return true;
}
static inline void free_addr(struct frame_allocator *a, uint64_t addr)
{
    frame_free(a, (struct frame){addr});
}
static inline bool allocated_addr(const struct frame_allocator *a, uint64_t addr)
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

static inline enum frame_error init(const struct map *m, uint64_t reach)
{
    return frame_allocator_init(&fa, m->regions, m->n, m->res, m->rn, (uintptr_t)phys, reach);
}

/* The oracle: a whole frame of usable RAM at or above 1 MiB that no reserved
 * range touches. */
static inline bool oracle_managed(const struct map *m, uint64_t f)
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
static inline uint64_t oracle_count(const struct map *m, uint64_t *limit)
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

static inline uint64_t bitmap_frames(uint64_t limit)
{
    uint64_t bytes = (limit / FRAME_SIZE + 63) / 64 * 8;
    return (bytes + FRAME_SIZE - 1) / FRAME_SIZE;
}

/* Allocate until exhaustion and check every frame: aligned, managed per the
 * oracle, not in the bitmap, never twice, ascending (a fresh allocator hands
 * out from the bump cursor), marked allocated. Returns the count. */
static inline uint64_t drain_check(const struct map *m)
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

#endif
