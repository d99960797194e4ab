/* Host tests of boot/multiboot2.c: the memory map tag and its
 * normalisation (sorted, disjoint, the more restrictive type wins, touching
 * regions of one type merged, unknown types reserved, overflow clipped). */
#include "multiboot2_builder.h"

static enum boot_error parse_map(const struct entry *e, size_t n)
{
    mb_begin();
    mb_mmap(e, n);
    return parse_ended();
}

TEST(test_map_sorted_and_merged)
{
    static const struct entry map[] = {
        {0x300000, 0x100000, 1},                          /* unsorted */
        {0x0, 0x1000, 1},        {0x200000, 0x100000, 1}, /* touches the first: merged */
        {0x1000, 0x1000, 1},                              /* touches {0, 0x1000}: merged */
        {0x5000, 0, 2},                                   /* zero length: dropped */
        {0x100000, 0x100000, 2}, /* touches usable, other type: kept apart */
    };
    static const struct entry want[] = {
        {0x0, 0x2000, 1}, {0x100000, 0x100000, 2}, {0x200000, 0x200000, 1}};
    assert_boot(BOOT_OK, parse_map(map, 6));
    assert_regions(want, 3);
}

TEST(test_map_overlaps)
{
    /* a bad range inside usable memory splits it in three */
    static const struct entry nested[] = {{0x0, 0x10000, 1}, {0x4000, 0x1000, 5}};
    static const struct entry nested_want[] = {
        {0x0, 0x4000, 1}, {0x4000, 0x1000, 5}, {0x5000, 0xb000, 1}};
    assert_boot(BOOT_OK, parse_map(nested, 2));
    assert_regions(nested_want, 3);

    /* the documented order, pairwise: USABLE < ACPI_RECLAIMABLE < RESERVED <
     * ACPI_NVS < BAD, whatever order the entries come in */
    const uint8_t rank[6] = {0, 0, 2, 1, 3, 4}; /* indexed by type */
    for (uint32_t lo = 1; lo <= 5; lo++) {
        for (uint32_t hi = 1; hi <= 5; hi++) {
            struct entry e[2] = {{0x1000, 0x2000, lo}, {0x2000, 0x2000, hi}};
            assert_boot(BOOT_OK, parse_map(e, 2));
            /* the overlap [0x2000, 0x3000) joins the winner's side */
            uint64_t cut = rank[lo] >= rank[hi] ? 0x3000 : 0x2000;
            struct entry want[2] = {{0x1000, cut - 0x1000, lo}, {cut, 0x4000 - cut, hi}};
            if (lo == hi) want[0].len = 0x3000;
            assert_regions(want, lo == hi ? 1 : 2);
        }
    }

    /* identical duplicates and a chain of overlaps */
    static const struct entry chain[] = {
        {0x0, 0x3000, 1}, {0x2000, 0x3000, 3}, {0x4000, 0x3000, 1},
        {0x0, 0x3000, 1}, {0x6000, 0x1000, 4},
    };
    static const struct entry chain_want[] = {
        {0x0, 0x2000, 1}, {0x2000, 0x3000, 3}, {0x5000, 0x1000, 1}, {0x6000, 0x1000, 4}};
    assert_boot(BOOT_OK, parse_map(chain, 5));
    assert_regions(chain_want, 4);
}

TEST(test_map_unknown_types_and_overflow)
{
    static const struct entry map[] = {
        {0x0, 0x1000, 0},
        {0x1000, 0x1000, 6},
        {0x2000, 0x1000, 0xffffffffu},
        {0x3000, 0x1000, 1},
        {0xfffffffffffff000ull, 0x10000, 1}, /* wraps: clipped */
        {UINT64_MAX, 5, 1},                  /* clipped to zero length: dropped */
    };
    static const struct entry want[] = {
        {0x0, 0x3000, 2}, {0x3000, 0x1000, 1}, {0xfffffffffffff000ull, 0xfff, 1}};
    assert_boot(BOOT_OK, parse_map(map, 6));
    assert_regions(want, 3);
    assert_int_equal(info.regions[2].end, UINT64_MAX);

    /* only zero-length entries, or none: a memory map with no regions */
    static const struct entry empty[] = {{0x1000, 0, 1}, {0x0, 0, 2}};
    assert_boot(BOOT_OK, parse_map(empty, 2));
    assert_int_equal(info.region_count, 0);
    assert_boot(BOOT_OK, parse_map(empty, 0));
    assert_int_equal(info.region_count, 0);
}

TEST(test_map_entry_size)
{
    /* a larger entry size is a newer version: extra bytes are skipped */
    mb_begin();
    mb_mmap_sized(qemu_bios_map, 6, 40);
    assert_boot(BOOT_OK, parse_ended());
    assert_regions(qemu_bios_map, 6);

    const uint32_t bad_sizes[] = {0, 4, 8, 16, 20, 25, 28, 30};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        mb_begin();
        put32(mb_tag(6, 16 + 48) + 8, bad_sizes[i]);
        assert_boot(BOOT_MALFORMED_MEMORY_MAP, parse_ended());
        assert_info_zero();
    }

    /* a trailing partial entry */
    mb_begin();
    put32(mb_tag(6, 16 + 24 + 8) + 8, 24);
    assert_boot(BOOT_MALFORMED_MEMORY_MAP, parse_ended());

    /* no memory map at all */
    mb_begin();
    mb_string(1, "no map");
    assert_boot(BOOT_NO_MEMORY_MAP, parse_ended());
}

TEST(test_map_too_many_regions)
{
    static struct entry map[300];
    /* BOOT_MAX_REGIONS separated entries fit; one more does not */
    for (size_t i = 0; i < 300; i++) map[i] = (struct entry){i * 0x2000, 0x1000, 1 + i % 2};
    assert_boot(BOOT_OK, parse_map(map, BOOT_MAX_REGIONS));
    assert_regions(map, BOOT_MAX_REGIONS);
    assert_boot(BOOT_TOO_MANY_REGIONS, parse_map(map, BOOT_MAX_REGIONS + 1));
    assert_info_zero();

    /* the limit counts regions after merging: 300 touching entries are one */
    for (size_t i = 0; i < 300; i++) map[299 - i] = (struct entry){i * 0x1000, 0x1000, 1};
    assert_boot(BOOT_OK, parse_map(map, 300));
    assert_regions(&(struct entry){0, 300 * 0x1000, 1}, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_sorted_and_merged),
        cmocka_unit_test(test_map_overlaps),
        cmocka_unit_test(test_map_unknown_types_and_overflow),
        cmocka_unit_test(test_map_entry_size),
        cmocka_unit_test(test_map_too_many_regions),
    };
    return RUN_TESTS(tests);
}
