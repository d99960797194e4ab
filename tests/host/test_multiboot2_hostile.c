/* Host tests of boot/multiboot2.c on large and hostile memory maps: the
 * normalisation against a brute-force oracle on random maps, a 40,000-entry
 * map in shuffled order (timed and printed: it must stay O(n log n)), the
 * largest map a 1 MiB block holds, and the cap on raw entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "kiln/boot_info.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

struct entry {
    uint64_t base, len;
    uint32_t type;
};

static struct boot_info info;

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* Build a block with one memory-map tag of e[0..n) and an end tag, in a heap
 * buffer of exactly its size (ASan sees any read past it), and parse it. */
static enum boot_error parse_map(const struct entry *e, size_t n)
{
    size_t tag = 16 + n * 24, total = 8 + ((tag + 7) & ~(size_t)7) + 8;
    uint8_t *blk = calloc(1, total);
    assert_non_null(blk);
    put32(blk, (uint32_t)total);
    put32(blk + 8, 6);
    put32(blk + 12, (uint32_t)tag);
    put32(blk + 16, 24);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = blk + 24 + i * 24;
        put64(p, e[i].base);
        put64(p + 8, e[i].len);
        put32(p + 16, e[i].type);
    }
    put32(blk + total - 4, 8); /* the end tag: type 0, size 8 */
    enum boot_error err = multiboot2_parse(blk, total, 0x10000, &info);
    free(blk);
    return err;
}

#define assert_boot(expected, actual)                                                              \
    assert_string_equal(boot_error_name(expected), boot_error_name(actual))

/* ---- the oracle: elementary intervals, by brute force ------------------- */

static uint32_t known(uint32_t t)
{
    return t >= 1 && t <= 5 ? t : MEM_RESERVED;
}
static int rank_of(uint32_t t)
{
    static const int rank[6] = {-1, 0, 2, 1, 3, 4};
    return rank[t];
}
static uint64_t end_of(const struct entry *e)
{
    return e->len > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->len;
}
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The regions the documented rules give; returns their count (which may
 * exceed BOOT_MAX_REGIONS: then want holds the first BOOT_MAX_REGIONS). */
static size_t oracle(const struct entry *e, size_t n, struct mem_region *want)
{
    uint64_t *pts = malloc(2 * n * sizeof *pts + 1);
    size_t np = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        pts[np++] = e[i].base;
        pts[np++] = end_of(&e[i]);
    }
    qsort(pts, np, sizeof *pts, cmp_u64);
    for (size_t k = 0; k + 1 < np; k++) {
        uint64_t lo = pts[k], hi = pts[k + 1];
        if (lo == hi) continue;
        uint32_t type = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t t = known(e[i].type);
            if (e[i].base <= lo && lo < end_of(&e[i]) && (type == 0 || rank_of(t) > rank_of(type)))
                type = t;
        }
        if (type == 0) continue;
        if (count > 0 && count <= BOOT_MAX_REGIONS && want[count - 1].end == lo &&
            want[count - 1].type == type) {
            want[count - 1].end = hi;
            continue;
        }
        if (count < BOOT_MAX_REGIONS) want[count] = (struct mem_region){lo, hi, type};
        count++;
    }
    free(pts);
    return count;
}

TEST(test_random_maps_match_the_oracle)
{
    static struct entry map[300];
    static struct mem_region want[BOOT_MAX_REGIONS];
    rng_state = 0x6b696c6e;
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + rnd() % (round % 10 == 0 ? 300 : 24);
        for (size_t i = 0; i < n; i++) {
            /* a small grid, so entries overlap, nest and touch often */
            uint64_t base = (rnd() % 64) * 0x1000, len = (rnd() % 16) * 0x1000;
            if (rnd() % 50 == 0) len = UINT64_MAX - rnd() % 3; /* overflows: clipped */
            map[i] = (struct entry){base, len, (uint32_t)(rnd() % 8)};
        }
        size_t count = oracle(map, n, want);
        enum boot_error err = parse_map(map, n);
        if (count > BOOT_MAX_REGIONS) {
            assert_boot(BOOT_TOO_MANY_REGIONS, err);
            continue;
        }
        assert_boot(BOOT_OK, err);
        assert_int_equal(info.region_count, count);
        for (size_t i = 0; i < count; i++) {
            const struct mem_region *r = &info.regions[i];
            if (r->start != want[i].start || r->end != want[i].end || r->type != want[i].type)
                fail_msg("round %d, region %zu: [%#llx, %#llx) type %u, want [%#llx, %#llx) "
                         "type %u",
                         round, i, (unsigned long long)r->start, (unsigned long long)r->end,
                         r->type, (unsigned long long)want[i].start,
                         (unsigned long long)want[i].end, want[i].type);
        }
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void shuffle(struct entry *e, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd() % i;
        struct entry t = e[i - 1];
        e[i - 1] = e[j];
        e[j] = t;
    }
}

/* 39,000 touching usable pages and 1,000 nested reserved ranges, shuffled:
 * 80,000 distinct boundaries for a sweep that rescans every entry at each
 * one (the O(n^2) parser took 78 s on 20,000 under QEMU), three regions. */
TEST(test_hostile_40000_entries)
{
    enum { PAGES = 39000, NESTED = 1000, N = PAGES + NESTED };
    const uint64_t pg = 0x1000, center = 20000 * pg;
    struct entry *map = malloc(N * sizeof *map);
    assert_non_null(map);
    for (size_t i = 0; i < PAGES; i++) map[i] = (struct entry){i * pg, pg, MEM_USABLE};
    for (size_t j = 0; j < NESTED; j++)
        map[PAGES + j] = (struct entry){center - (j + 1) * pg, 2 * (j + 1) * pg, MEM_RESERVED};
    rng_state = 40000;
    shuffle(map, N);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum boot_error err = parse_map(map, N);
    double s = seconds_since(&t0);
    free(map);
    print_message("# 40,000 hostile entries parsed in %.1f ms (ASan build)\n", s * 1e3);

    assert_boot(BOOT_OK, err);
    assert_int_equal(info.region_count, 3);
    assert_int_equal(info.regions[0].start, 0);
    assert_int_equal(info.regions[0].end, center - NESTED * pg);
    assert_int_equal(info.regions[0].type, MEM_USABLE);
    assert_int_equal(info.regions[1].start, center - NESTED * pg);
    assert_int_equal(info.regions[1].end, center + NESTED * pg);
    assert_int_equal(info.regions[1].type, MEM_RESERVED);
    assert_int_equal(info.regions[2].start, center + NESTED * pg);
    assert_int_equal(info.regions[2].end, PAGES * pg);
    assert_int_equal(info.regions[2].type, MEM_USABLE);
    /* A generous bound, only to catch a return to O(n^2) (tens of seconds);
     * the figure above is the measurement. */
    assert_true(s < 5.0);
}

/* The most entries a 1 MiB block holds, alternating types and in reverse
 * order: far more regions than kiln keeps, refused by name. */
TEST(test_largest_block_alternating_types)
{
    const size_t n = ((1u << 20) - 8 - 16 - 8) / 24;
    struct entry *map = malloc(n * sizeof *map);
    assert_non_null(map);
    for (size_t i = 0; i < n; i++)
        map[n - 1 - i] = (struct entry){i * 0x1000, 0x1000, i % 2 ? MEM_RESERVED : MEM_USABLE};
    enum boot_error alternating = parse_map(map, n);
    /* the same entries all of one type merge into one region */
    for (size_t i = 0; i < n; i++) map[i].type = MEM_USABLE;
    enum boot_error one_type = parse_map(map, n);
    free(map);
    assert_boot(BOOT_TOO_MANY_REGIONS, alternating);
    assert_boot(BOOT_OK, one_type);
    assert_int_equal(info.region_count, 1);
    assert_int_equal(info.regions[0].end, n * 0x1000);
}

TEST(test_raw_entry_cap)
{
    const size_t n = BOOT_MAX_MMAP_ENTRIES + 1;
    struct entry *map = malloc(n * sizeof *map);
    assert_non_null(map);
    for (size_t i = 0; i < n; i++) map[i] = (struct entry){(n - i) * 0x1000, 0x1000, MEM_USABLE};
    enum boot_error at_cap = parse_map(map + 1, n - 1);
    size_t regions = info.region_count;
    enum boot_error over = parse_map(map, n);
    free(map);
    assert_boot(BOOT_OK, at_cap);
    assert_int_equal(regions, 1);
    assert_boot(BOOT_TOO_MANY_MMAP_ENTRIES, over);
    assert_int_equal(info.region_count, 0); /* *out all zeros on an error */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_maps_match_the_oracle),
        cmocka_unit_test(test_hostile_40000_entries),
        cmocka_unit_test(test_largest_block_alternating_types),
        cmocka_unit_test(test_raw_entry_cap),
    };
    return RUN_TESTS(tests);
}
