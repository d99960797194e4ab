/* Host tests of boot/multiboot2.c: blocks are built in memory the way GRUB
 * lays them out, then copied into a heap buffer of exactly the bytes the
 * parser may read, so ASan reports any read past the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/boot_info.h"

/* ---- block builder -------------------------------------------------------- */

struct mb {
    _Alignas(8) uint8_t buf[16384];
    size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void mb_begin(struct mb *b)
{
    memset(b->buf, 0, sizeof b->buf);
    b->len = 8;
}

/* Start a tag of the given size (padding excluded); returns its first byte. */
static uint8_t *mb_tag(struct mb *b, uint32_t type, uint32_t size)
{
    uint8_t *t = b->buf + b->len;
    assert_true(b->len + size + 8 <= sizeof b->buf);
    put32(t, type);
    put32(t + 4, size);
    b->len += (size + 7u) & ~7u;
    return t;
}

/* total_size: the bytes written so far, or an explicit value. */
static void mb_close(struct mb *b)
{
    put32(b->buf, (uint32_t)b->len);
}

static void mb_end(struct mb *b)
{
    mb_tag(b, 0, 8);
    mb_close(b);
}

static void mb_string(struct mb *b, uint32_t type, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    memcpy(mb_tag(b, type, 8 + n) + 8, s, n);
}

static void mb_meminfo(struct mb *b)
{
    uint8_t *t = mb_tag(b, 4, 16);
    put32(t + 8, 639);
    put32(t + 12, 129920);
}

struct entry {
    uint64_t base, len;
    uint32_t type;
};

static void mb_mmap_sized(struct mb *b, const struct entry *e, size_t n, uint32_t entry_size)
{
    uint8_t *t = mb_tag(b, 6, 16 + (uint32_t)n * entry_size);
    put32(t + 8, entry_size);
    put32(t + 12, 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = t + 16 + i * entry_size;
        put64(p, e[i].base);
        put64(p + 8, e[i].len);
        put32(p + 16, e[i].type);
    }
}

static void mb_mmap(struct mb *b, const struct entry *e, size_t n)
{
    mb_mmap_sized(b, e, n, 24);
}

static void mb_module(struct mb *b, uint32_t start, uint32_t end, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    uint8_t *t = mb_tag(b, 3, 16 + n);
    put32(t + 8, start);
    put32(t + 12, end);
    memcpy(t + 16, s, n);
}

static void mb_fb_ega(struct mb *b)
{
    uint8_t *t = mb_tag(b, 8, 32);
    put64(t + 8, 0xb8000);
    put32(t + 16, 160);
    put32(t + 20, 80);
    put32(t + 24, 25);
    t[28] = 16;
    t[29] = 2;
}

static uint8_t *mb_fb_rgb(struct mb *b, uint64_t addr, uint32_t w, uint32_t h, uint8_t bpp)
{
    uint8_t *t = mb_tag(b, 8, 38);
    put64(t + 8, addr);
    put32(t + 16, w * (bpp / 8u));
    put32(t + 20, w);
    put32(t + 24, h);
    t[28] = bpp;
    t[29] = 1;
    const uint8_t colours[6] = {16, 8, 8, 8, 0, 8};
    memcpy(t + 32, colours, 6);
    return t;
}

struct shdr {
    uint64_t flags, addr, size;
};

static void mb_elf(struct mb *b, const struct shdr *s, uint32_t n, uint32_t entsize)
{
    uint8_t *t = mb_tag(b, 9, 20 + n * entsize);
    put32(t + 8, n);
    put32(t + 12, entsize);
    put32(t + 16, n ? n - 1 : 0);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *h = t + 20 + i * entsize;
        put32(h + 4, (s[i].flags & 2) ? 1 : 3); /* PROGBITS or STRTAB */
        put64(h + 8, s[i].flags);
        put64(h + 16, s[i].addr);
        put64(h + 32, s[i].size);
    }
}

/* Copy the block into a heap buffer of `limit` bytes and parse it there. */
static enum boot_error parse_limited(const struct mb *b, size_t limit, struct boot_info *out)
{
    uint8_t *copy = malloc(limit ? limit : 1); /* malloc gives 16-byte alignment */
    assert_non_null(copy);
    memcpy(copy, b->buf, limit < sizeof b->buf ? limit : sizeof b->buf);
    enum boot_error e = multiboot2_parse(copy, limit, 0x10000, out);
    free(copy);
    return e;
}

static enum boot_error parse_block(const struct mb *b, struct boot_info *out)
{
    uint32_t total;
    memcpy(&total, b->buf, 4);
    return parse_limited(b, total, out);
}

static struct boot_info info; /* large: keep it off the stack */

#define assert_boot(expected, actual)                                                              \
    assert_string_equal(boot_error_name(expected), boot_error_name(actual))

static bool all_zero(const struct boot_info *bi)
{
    const uint8_t *p = (const uint8_t *)bi;
    for (size_t i = 0; i < sizeof *bi; i++)
        if (p[i]) return false;
    return true;
}

static void assert_region(size_t i, uint64_t start, uint64_t end, uint32_t type)
{
    assert_true(i < info.region_count);
    assert_int_equal(info.regions[i].start, start);
    assert_int_equal(info.regions[i].end, end);
    assert_int_equal(info.regions[i].type, type);
}

static const struct entry qemu_bios_map[] = {
    {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
};

/* A minimal valid block: a memory map with one usable entry. */
static void mb_minimal(struct mb *b)
{
    static const struct entry one[] = {{0x100000, 0x100000, 1}};
    mb_begin(b);
    mb_mmap(b, one, 1);
}

/* ---- well-formed blocks --------------------------------------------------- */

static void test_grub_bios(void **state)
{
    (void)state;
    static struct mb b;
    static const struct shdr sections[] = {
        {0, 0, 0},                              /* the null section */
        {2 | 4, 0xffffffff80100000ull, 0x5000}, /* .text */
        {2, 0xffffffff80105000ull, 0x1000},     /* .rodata */
        {2 | 1, 0xffffffff80106000ull, 0x4000}, /* .bss */
        {2, 0xffffffff80200000ull, 0},          /* empty: ignored */
        {0, 0, 0x2a},                           /* .comment: not allocated */
        {0, 0xffffffff90000000ull, 0x100},      /* not allocated: ignored */
    };
    mb_begin(&b);
    mb_string(&b, 1, "");
    mb_string(&b, 2, "GRUB 2.06-13+deb12u1");
    mb_meminfo(&b);
    uint8_t *bootdev = mb_tag(&b, 5, 20);
    put32(bootdev + 8, 0xe0);
    mb_mmap(&b, qemu_bios_map, 6);
    mb_fb_ega(&b);
    mb_elf(&b, sections, 7, 64);
    uint8_t *rsdp = mb_tag(&b, 14, 8 + 20); /* ACPI old RSDP: skipped */
    memcpy(rsdp + 8, "RSD PTR ", 8);
    mb_end(&b);

    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.info_addr, 0x10000);
    assert_int_equal(info.info_size, b.len);
    assert_string_equal(info.cmdline, "");
    assert_string_equal(info.loader_name, "GRUB 2.06-13+deb12u1");
    assert_int_equal(info.region_count, 6);
    for (size_t i = 0; i < 6; i++)
        assert_region(i, qemu_bios_map[i].base, qemu_bios_map[i].base + qemu_bios_map[i].len,
                      qemu_bios_map[i].type);
    assert_int_equal(info.fb.kind, FB_EGA_TEXT);
    assert_int_equal(info.fb.addr, 0xb8000);
    assert_int_equal(info.fb.width, 80);
    assert_int_equal(info.fb.height, 25);
    assert_int_equal(info.fb.pitch, 160);
    assert_true(info.have_elf_extent);
    assert_int_equal(info.elf_start, 0xffffffff80100000ull);
    assert_int_equal(info.elf_end, 0xffffffff8010a000ull);
    assert_int_equal(info.module_count, 0);
}

static void test_grub_uefi(void **state)
{
    (void)state;
    static struct mb b;
    static const struct entry map[] = {
        {0x0, 0xa0000, 1},       {0x100000, 0x700000, 1}, {0x800000, 0x8000, 4},
        {0x808000, 0x8000, 1},   {0x810000, 0xf0000, 4},  {0x900000, 0x7600000, 1},
        {0x7f00000, 0x80000, 3}, {0x7f80000, 0x80000, 2}, {0xffc00000, 0x400000, 2},
    };
    mb_begin(&b);
    mb_string(&b, 1, "kiln quiet");
    mb_string(&b, 2, "GRUB 2.06");
    mb_tag(&b, 12, 16); /* EFI 64-bit system table pointer: skipped */
    mb_mmap(&b, map, 9);
    mb_fb_rgb(&b, 0x80000000ull, 800, 600, 24);
    mb_tag(&b, 17, 16 + 48); /* EFI memory map: skipped */
    mb_end(&b);

    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.cmdline, "kiln quiet");
    assert_int_equal(info.fb.kind, FB_RGB);
    assert_int_equal(info.fb.addr, 0x80000000ull);
    assert_int_equal(info.fb.width, 800);
    assert_int_equal(info.fb.height, 600);
    assert_int_equal(info.fb.pitch, 2400);
    assert_int_equal(info.fb.bpp, 24);
    assert_int_equal(info.fb.red_pos, 16);
    assert_int_equal(info.fb.red_size, 8);
    assert_int_equal(info.fb.green_pos, 8);
    assert_int_equal(info.fb.green_size, 8);
    assert_int_equal(info.fb.blue_pos, 0);
    assert_int_equal(info.fb.blue_size, 8);
    assert_false(info.have_elf_extent);
    assert_int_equal(info.region_count, 9);
    for (size_t i = 0; i < 9; i++)
        assert_region(i, map[i].base, map[i].base + map[i].len, map[i].type);
}

static void test_framebuffer_kinds(void **state)
{
    (void)state;
    static struct mb b;
    mb_minimal(&b);
    mb_fb_rgb(&b, 0xfd000000, 1024, 768, 32);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.fb.kind, FB_RGB);
    assert_int_equal(info.fb.bpp, 32);

    /* RGB that kiln cannot draw on (16 bpp), indexed colour, unknown type */
    const uint8_t kinds[][2] = {{1, 16}, {0, 8}, {7, 32}};
    for (size_t i = 0; i < 3; i++) {
        mb_minimal(&b);
        uint8_t *t = mb_fb_rgb(&b, 0xfd000000, 640, 480, kinds[i][1]);
        t[29] = kinds[i][0];
        mb_end(&b);
        assert_boot(BOOT_OK, parse_block(&b, &info));
        assert_int_equal(info.fb.kind, FB_OTHER);
        assert_int_equal(info.fb.addr, 0xfd000000);
        assert_int_equal(info.fb.width, 640);
    }

    /* no framebuffer tag at all */
    mb_minimal(&b);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.fb.kind, FB_NONE);
}

static void test_modules(void **state)
{
    (void)state;
    static struct mb b;
    mb_minimal(&b);
    mb_module(&b, 0x200000, 0x280000, "initrd");
    mb_module(&b, 0x280000, 0x280000, ""); /* empty module: fine */
    char long_name[100];
    memset(long_name, 'm', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    mb_module(&b, 0x300000, 0x301234, long_name);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.module_count, 3);
    assert_int_equal(info.modules[0].start, 0x200000);
    assert_int_equal(info.modules[0].end, 0x280000);
    assert_string_equal(info.modules[0].cmdline, "initrd");
    assert_string_equal(info.modules[1].cmdline, "");
    assert_int_equal(info.modules[2].end, 0x301234);
    assert_int_equal(strlen(info.modules[2].cmdline), sizeof info.modules[2].cmdline - 1);

    mb_minimal(&b);
    mb_module(&b, 0x300000, 0x2fffff, "backwards");
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_MODULE, parse_block(&b, &info));

    mb_minimal(&b);
    for (uint32_t i = 0; i < BOOT_MAX_MODULES; i++) mb_module(&b, i * 0x1000, i * 0x1000 + 1, "m");
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.module_count, BOOT_MAX_MODULES);
    b.len -= 8; /* reopen before the end tag */
    mb_module(&b, 0x100000, 0x100001, "one too many");
    mb_end(&b);
    assert_boot(BOOT_TOO_MANY_MODULES, parse_block(&b, &info));
}

static void test_strings_truncated_and_unterminated(void **state)
{
    (void)state;
    static struct mb b;
    char big[300];
    memset(big, 'c', sizeof big - 1);
    big[sizeof big - 1] = 0;
    mb_minimal(&b);
    mb_string(&b, 1, big);
    mb_string(&b, 2, big);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(strlen(info.cmdline), sizeof info.cmdline - 1);
    assert_int_equal(strlen(info.loader_name), sizeof info.loader_name - 1);
    assert_int_equal(info.cmdline[0], 'c');

    /* "abc" without its NUL, as the last bytes of the block: the parser must
     * stop at the tag's end (ASan watches the byte after it). */
    mb_minimal(&b);
    memcpy(mb_tag(&b, 1, 11) + 8, "abc", 3);
    b.len -= 5; /* total_size ends right after the tag, no padding, no end tag */
    mb_close(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.cmdline, "abc");

    /* a module name without its NUL */
    mb_minimal(&b);
    uint8_t *t = mb_tag(&b, 3, 16 + 4);
    put32(t + 8, 0x1000);
    put32(t + 12, 0x2000);
    memcpy(t + 16, "modX", 4);
    b.len -= 4;
    mb_close(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.modules[0].cmdline, "modX");

    /* a string stops at its first NUL even when the tag is longer */
    mb_minimal(&b);
    memcpy(mb_tag(&b, 2, 8 + 8) + 8, "ab\0cdefg", 8);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.loader_name, "ab");
}

/* ---- block and tag bounds -------------------------------------------------- */

static void test_truncated_blocks(void **state)
{
    (void)state;
    static struct mb b;
    mb_minimal(&b);
    mb_end(&b);
    uint32_t total = (uint32_t)b.len;
    assert_boot(BOOT_OK, parse_limited(&b, total, &info));
    assert_boot(BOOT_OK, parse_limited(&b, total + 64, &info)); /* limit beyond: fine */
    assert_boot(BOOT_TRUNCATED, parse_limited(&b, total - 1, &info));
    assert_boot(BOOT_TRUNCATED, parse_limited(&b, 7, &info));
    assert_boot(BOOT_TRUNCATED, parse_limited(&b, 0, &info));
    for (uint32_t small = 0; small < 16; small++) {
        put32(b.buf, small);
        assert_boot(BOOT_TRUNCATED, parse_limited(&b, total, &info));
    }
    /* 16 bytes holding just an end tag: well formed, but no memory map */
    mb_begin(&b);
    mb_end(&b);
    assert_int_equal(b.len, 16);
    assert_boot(BOOT_NO_MEMORY_MAP, parse_block(&b, &info));
    assert_true(all_zero(&info));
}

static void test_bad_tag_sizes(void **state)
{
    (void)state;
    static struct mb b;
    /* a zero-size tag, and every size below the 8-byte header */
    for (uint32_t size = 0; size < 8; size++) {
        mb_minimal(&b);
        uint8_t *t = mb_tag(&b, 99, 8);
        put32(t + 4, size);
        mb_end(&b);
        assert_boot(BOOT_TAG_TOO_SMALL, parse_block(&b, &info));
        assert_true(all_zero(&info));
    }
    /* tags shorter than their type's fixed fields */
    const uint32_t short_tags[][2] = {{3, 15}, {4, 12}, {6, 15}, {8, 31}, {9, 19}};
    for (size_t i = 0; i < 5; i++) {
        mb_minimal(&b);
        mb_tag(&b, short_tags[i][0], short_tags[i][1]);
        mb_end(&b);
        assert_boot(BOOT_TAG_TOO_SMALL, parse_block(&b, &info));
    }
    /* an RGB framebuffer without its colour fields */
    mb_minimal(&b);
    uint8_t *t = mb_tag(&b, 8, 32);
    t[28] = 32;
    t[29] = 1;
    mb_end(&b);
    assert_boot(BOOT_TAG_TOO_SMALL, parse_block(&b, &info));
}

static void test_tag_past_end(void **state)
{
    (void)state;
    static struct mb b;
    /* the last tag claims more bytes than total_size leaves */
    mb_minimal(&b);
    mb_string(&b, 1, "cmdline");
    mb_close(&b);
    put32(b.buf + b.len - 16 + 4, 17); /* "cmdline\0" tag: size 16 -> 17 */
    assert_boot(BOOT_TAG_PAST_END, parse_block(&b, &info));

    /* a huge size must not wrap around */
    mb_minimal(&b);
    uint8_t *t = mb_tag(&b, 1, 16);
    put32(t + 4, 0xfffffff8u);
    mb_end(&b);
    assert_boot(BOOT_TAG_PAST_END, parse_block(&b, &info));

    /* total_size ends inside a tag header */
    mb_minimal(&b);
    mb_end(&b);
    put32(b.buf, (uint32_t)b.len - 4);
    assert_boot(BOOT_TAG_PAST_END, parse_block(&b, &info));
}

static void test_end_tag_and_clean_end(void **state)
{
    (void)state;
    static struct mb b;
    /* no end tag, total_size ends cleanly after the last tag: accepted */
    mb_minimal(&b);
    mb_string(&b, 1, "x");
    mb_close(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.cmdline, "x");

    /* tags after the end tag are never read, even broken ones */
    mb_minimal(&b);
    mb_tag(&b, 0, 8);
    uint8_t *t = mb_tag(&b, 1, 8);
    put32(t + 4, 0);
    mb_close(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));

    /* a memory map after the end tag does not count */
    static const struct entry one[] = {{0, 0x1000, 1}};
    mb_begin(&b);
    mb_tag(&b, 0, 8);
    mb_mmap(&b, one, 1);
    mb_close(&b);
    assert_boot(BOOT_NO_MEMORY_MAP, parse_block(&b, &info));
}

static void test_unknown_tags_skipped(void **state)
{
    (void)state;
    static struct mb b;
    mb_begin(&b);
    uint8_t *t = mb_tag(&b, 99, 13); /* odd size: padded to 16 */
    memset(t + 8, 0xff, 5);
    mb_tag(&b, 0x7fffffff, 8);
    mb_tag(&b, 21, 12); /* image load base */
    static const struct entry one[] = {{0x100000, 0x1000, 1}};
    mb_mmap(&b, one, 1);
    mb_tag(&b, 100, 200);
    mb_string(&b, 1, "after");
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_string_equal(info.cmdline, "after");
    assert_int_equal(info.region_count, 1);
    assert_region(0, 0x100000, 0x101000, MEM_USABLE);
}

static void test_misaligned_and_null(void **state)
{
    (void)state;
    static struct mb b;
    mb_minimal(&b);
    mb_end(&b);
    uint8_t *copy = malloc(b.len + 8);
    assert_non_null(copy);
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(copy + shift, b.buf, b.len);
        assert_boot(BOOT_MISALIGNED_INFO, multiboot2_parse(copy + shift, b.len, 0, &info));
    }
    memcpy(copy, b.buf, b.len);
    assert_boot(BOOT_OK, multiboot2_parse(copy, b.len, 0, &info));
    free(copy);
    assert_boot(BOOT_NULL_INFO, multiboot2_parse(NULL, 4096, 0, &info));
    EXPECT_PANIC(multiboot2_parse(b.buf, b.len, 0, NULL), "out is NULL");
}

/* ---- memory map ------------------------------------------------------------ */

static enum boot_error parse_map(const struct entry *e, size_t n)
{
    static struct mb b;
    mb_begin(&b);
    mb_mmap(&b, e, n);
    mb_end(&b);
    return parse_block(&b, &info);
}

static void test_map_sorted_and_merged(void **state)
{
    (void)state;
    static const struct entry map[] = {
        {0x300000, 0x100000, 1},                          /* unsorted */
        {0x0, 0x1000, 1},        {0x200000, 0x100000, 1}, /* touches the first: merged */
        {0x1000, 0x1000, 1},                              /* touches {0, 0x1000}: merged */
        {0x5000, 0, 2},                                   /* zero length: dropped */
        {0x100000, 0x100000, 2}, /* touches usable, other type: kept apart */
    };
    assert_boot(BOOT_OK, parse_map(map, 6));
    assert_int_equal(info.region_count, 3);
    assert_region(0, 0x0, 0x2000, MEM_USABLE);
    assert_region(1, 0x100000, 0x200000, MEM_RESERVED);
    assert_region(2, 0x200000, 0x400000, MEM_USABLE);
}

static void test_map_overlaps(void **state)
{
    (void)state;
    /* a bad range inside usable memory splits it in three */
    static const struct entry nested[] = {{0x0, 0x10000, 1}, {0x4000, 0x1000, 5}};
    assert_boot(BOOT_OK, parse_map(nested, 2));
    assert_int_equal(info.region_count, 3);
    assert_region(0, 0x0, 0x4000, MEM_USABLE);
    assert_region(1, 0x4000, 0x5000, MEM_BAD);
    assert_region(2, 0x5000, 0x10000, MEM_USABLE);

    /* the documented order, pairwise: USABLE < ACPI_RECLAIMABLE < RESERVED <
     * ACPI_NVS < BAD, whatever order the entries come in */
    for (uint32_t lo = 1; lo <= 5; lo++) {
        for (uint32_t hi = 1; hi <= 5; hi++) {
            const uint8_t rank[6] = {0, 0, 2, 1, 3, 4};
            uint32_t winner = rank[lo] >= rank[hi] ? lo : hi;
            struct entry e[2] = {{0x1000, 0x2000, lo}, {0x2000, 0x2000, hi}};
            assert_boot(BOOT_OK, parse_map(e, 2));
            if (lo == hi) {
                assert_int_equal(info.region_count, 1);
                assert_region(0, 0x1000, 0x4000, lo);
                continue;
            }
            /* the overlap [0x2000, 0x3000) joins the winner's side */
            uint64_t cut = winner == lo ? 0x3000 : 0x2000;
            assert_int_equal(info.region_count, 2);
            assert_region(0, 0x1000, cut, lo);
            assert_region(1, cut, 0x4000, hi);
        }
    }

    /* identical duplicates and a chain of overlaps */
    static const struct entry chain[] = {
        {0x0, 0x3000, 1}, {0x2000, 0x3000, 3}, {0x4000, 0x3000, 1},
        {0x0, 0x3000, 1}, {0x6000, 0x1000, 4},
    };
    assert_boot(BOOT_OK, parse_map(chain, 5));
    assert_int_equal(info.region_count, 4);
    assert_region(0, 0x0, 0x2000, MEM_USABLE);
    assert_region(1, 0x2000, 0x5000, MEM_ACPI_RECLAIMABLE);
    assert_region(2, 0x5000, 0x6000, MEM_USABLE);
    assert_region(3, 0x6000, 0x7000, MEM_ACPI_NVS);
}

static void test_map_unknown_types_and_overflow(void **state)
{
    (void)state;
    static const struct entry map[] = {
        {0x0, 0x1000, 0},
        {0x1000, 0x1000, 6},
        {0x2000, 0x1000, 0xffffffffu},
        {0x3000, 0x1000, 1},
        {0xfffffffffffff000ull, 0x10000, 1}, /* wraps: clipped */
        {UINT64_MAX, 5, 1},                  /* clipped to zero length: dropped */
    };
    assert_boot(BOOT_OK, parse_map(map, 6));
    assert_int_equal(info.region_count, 3);
    assert_region(0, 0x0, 0x3000, MEM_RESERVED);
    assert_region(1, 0x3000, 0x4000, MEM_USABLE);
    assert_region(2, 0xfffffffffffff000ull, UINT64_MAX, MEM_USABLE);

    /* only zero-length entries: a memory map with no regions */
    static const struct entry empty[] = {{0x1000, 0, 1}, {0x0, 0, 2}};
    assert_boot(BOOT_OK, parse_map(empty, 2));
    assert_int_equal(info.region_count, 0);
    assert_boot(BOOT_OK, parse_map(empty, 0));
    assert_int_equal(info.region_count, 0);
}

static void test_map_entry_size(void **state)
{
    (void)state;
    static struct mb b;
    static const struct entry map[] = {{0x0, 0x1000, 1}, {0x1000, 0x1000, 2}};
    /* a larger entry size is a newer version: extra bytes are skipped */
    mb_begin(&b);
    mb_mmap_sized(&b, map, 2, 40);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_int_equal(info.region_count, 2);
    assert_region(1, 0x1000, 0x2000, MEM_RESERVED);

    const uint32_t bad_sizes[] = {0, 4, 8, 16, 20, 25, 28, 30};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        mb_begin(&b);
        uint8_t *t = mb_tag(&b, 6, 16 + 48);
        put32(t + 8, bad_sizes[i]);
        mb_end(&b);
        assert_boot(BOOT_MALFORMED_MEMORY_MAP, parse_block(&b, &info));
    }

    /* a trailing partial entry */
    mb_begin(&b);
    uint8_t *t = mb_tag(&b, 6, 16 + 24 + 8);
    put32(t + 8, 24);
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_MEMORY_MAP, parse_block(&b, &info));

    /* no memory map at all */
    mb_begin(&b);
    mb_string(&b, 1, "no map");
    mb_end(&b);
    assert_boot(BOOT_NO_MEMORY_MAP, parse_block(&b, &info));
}

static void test_map_too_many_regions(void **state)
{
    (void)state;
    static struct entry map[300];
    /* BOOT_MAX_REGIONS separated entries fit; one more does not */
    for (size_t i = 0; i < 300; i++) map[i] = (struct entry){i * 0x2000, 0x1000, 1 + i % 2};
    assert_boot(BOOT_OK, parse_map(map, BOOT_MAX_REGIONS));
    assert_int_equal(info.region_count, BOOT_MAX_REGIONS);
    assert_boot(BOOT_TOO_MANY_REGIONS, parse_map(map, BOOT_MAX_REGIONS + 1));
    assert_true(all_zero(&info));

    /* the limit counts regions after merging: 300 touching entries are one */
    for (size_t i = 0; i < 300; i++) map[299 - i] = (struct entry){i * 0x1000, 0x1000, 1};
    assert_boot(BOOT_OK, parse_map(map, 300));
    assert_int_equal(info.region_count, 1);
    assert_region(0, 0, 300 * 0x1000, MEM_USABLE);
}

/* ---- ELF sections ---------------------------------------------------------- */

static void test_elf_sections(void **state)
{
    (void)state;
    static struct mb b;
    static const struct shdr one[] = {{0, 0, 0}, {2, 0xffffffff80000000ull, 0x123}};
    /* a larger entsize is allowed: the stride follows it */
    mb_minimal(&b);
    mb_elf(&b, one, 2, 80);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_true(info.have_elf_extent);
    assert_int_equal(info.elf_start, 0xffffffff80000000ull);
    assert_int_equal(info.elf_end, 0xffffffff80000123ull);

    /* no sections */
    mb_minimal(&b);
    mb_elf(&b, one, 0, 0);
    mb_end(&b);
    assert_boot(BOOT_OK, parse_block(&b, &info));
    assert_false(info.have_elf_extent);

    /* ELF32-sized headers */
    mb_minimal(&b);
    mb_elf(&b, one, 2, 40);
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_block(&b, &info));

    /* num * entsize past the tag */
    mb_minimal(&b);
    uint8_t *t = mb_tag(&b, 9, 20 + 64);
    put32(t + 8, 2);
    put32(t + 12, 64);
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_block(&b, &info));

    mb_minimal(&b);
    t = mb_tag(&b, 9, 20 + 64);
    put32(t + 8, 0x04000001u); /* num * entsize wraps in 32 bits */
    put32(t + 12, 64);
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_block(&b, &info));

    /* addr + size overflows */
    static const struct shdr wrap[] = {{2, 0xfffffffffffff000ull, 0x2000}};
    mb_minimal(&b);
    mb_elf(&b, wrap, 1, 64);
    mb_end(&b);
    assert_boot(BOOT_MALFORMED_ELF_SECTIONS, parse_block(&b, &info));
}

static void test_error_names(void **state)
{
    (void)state;
    const char *seen[BOOT_MALFORMED_MODULE + 1];
    for (int e = BOOT_OK; e <= BOOT_MALFORMED_MODULE; e++) {
        const char *name = boot_error_name((enum boot_error)e);
        assert_non_null(name);
        assert_int_equal(strncmp(name, "BOOT_", 5), 0);
        assert_string_not_equal(name, "BOOT_UNKNOWN_ERROR");
        for (int j = 0; j < e; j++) assert_string_not_equal(name, seen[j]);
        seen[e] = name;
    }
    assert_string_equal(boot_error_name(BOOT_TAG_PAST_END), "BOOT_TAG_PAST_END");
    assert_string_equal(boot_error_name((enum boot_error)999), "BOOT_UNKNOWN_ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grub_bios),
        cmocka_unit_test(test_grub_uefi),
        cmocka_unit_test(test_framebuffer_kinds),
        cmocka_unit_test(test_modules),
        cmocka_unit_test(test_strings_truncated_and_unterminated),
        cmocka_unit_test(test_truncated_blocks),
        cmocka_unit_test(test_bad_tag_sizes),
        cmocka_unit_test(test_tag_past_end),
        cmocka_unit_test(test_end_tag_and_clean_end),
        cmocka_unit_test(test_unknown_tags_skipped),
        cmocka_unit_test(test_misaligned_and_null),
        cmocka_unit_test(test_map_sorted_and_merged),
        cmocka_unit_test(test_map_overlaps),
        cmocka_unit_test(test_map_unknown_types_and_overflow),
        cmocka_unit_test(test_map_entry_size),
        cmocka_unit_test(test_map_too_many_regions),
        cmocka_unit_test(test_elf_sections),
        cmocka_unit_test(test_error_names),
    };
    return RUN_TESTS(tests);
}
