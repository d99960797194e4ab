/* A Multiboot2 block builder for the host tests of boot/multiboot2.c.
 *
 * Blocks are built in memory the way GRUB lays them out, then copied into a
 * heap buffer of exactly the bytes the parser may read, so ASan reports any
 * read past the limit. One block at a time lives in b; the parse result in
 * info. Include after support.h, from one test file per binary.
 */
#ifndef KILN_TEST_MULTIBOOT2_BUILDER_H
#define KILN_TEST_MULTIBOOT2_BUILDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/boot_info.h"

static struct {
    _Alignas(8) uint8_t buf[16384];
    size_t len;
} b;
static struct boot_info info; /* large: kept off the stack */

static inline void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static inline void mb_begin(void)
{
    memset(b.buf, 0, sizeof b.buf);
    b.len = 8;
}

/* Append a tag of the given size (padding excluded); returns its first byte. */
static inline uint8_t *mb_tag(uint32_t type, uint32_t size)
{
    uint8_t *t = b.buf + b.len;
    assert_true(b.len + size + 8 <= sizeof b.buf);
    put32(t, type);
    put32(t + 4, size);
    b.len += (size + 7u) & ~7u;
    return t;
}

/* Set total_size to the bytes written so far. */
static inline void mb_close(void)
{
    put32(b.buf, (uint32_t)b.len);
}

static inline void mb_string(uint32_t type, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    memcpy(mb_tag(type, 8 + n) + 8, s, n);
}

struct entry {
    uint64_t base, len;
    uint32_t type;
};

static inline void mb_mmap_sized(const struct entry *e, size_t n, uint32_t entry_size)
{
    uint8_t *t = mb_tag(6, 16 + (uint32_t)n * entry_size);
    put32(t + 8, entry_size);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = t + 16 + i * entry_size;
        put64(p, e[i].base);
        put64(p + 8, e[i].len);
        put32(p + 16, e[i].type);
    }
}

static inline void mb_mmap(const struct entry *e, size_t n)
{
    mb_mmap_sized(e, n, 24);
}

/* A block holding a memory map with one usable entry, left open. */
static inline void mb_minimal(void)
{
    static const struct entry one[] = {{0x100000, 0x100000, 1}};
    mb_begin();
    mb_mmap(one, 1);
}

static inline void mb_module(uint32_t start, uint32_t end, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    uint8_t *t = mb_tag(3, 16 + n);
    put32(t + 8, start);
    put32(t + 12, end);
    memcpy(t + 16, s, n);
}

/* A framebuffer tag of the given type (1 RGB: with GRUB's 8:8:8 colour fields). */
static inline uint8_t *mb_fb(uint8_t type, uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h,
                             uint8_t bpp)
{
    uint8_t *t = mb_tag(8, type == 1 ? 38 : 32);
    put64(t + 8, addr);
    put32(t + 16, pitch);
    put32(t + 20, w);
    put32(t + 24, h);
    t[28] = bpp;
    t[29] = type;
    if (type == 1) memcpy(t + 32, (const uint8_t[6]){16, 8, 8, 8, 0, 8}, 6);
    return t;
}

struct shdr {
    uint64_t flags, addr, size;
};

static inline void mb_elf(const struct shdr *s, uint32_t n, uint32_t entsize)
{
    uint8_t *t = mb_tag(9, 20 + n * entsize);
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

/* Copy b into a heap buffer of `limit` bytes and parse it there. */
static inline enum boot_error parse_limited(size_t limit)
{
    uint8_t *copy = malloc(limit ? limit : 1); /* malloc gives 16-byte alignment */
    assert_non_null(copy);
    memcpy(copy, b.buf, limit < sizeof b.buf ? limit : sizeof b.buf);
    enum boot_error e = multiboot2_parse(copy, limit, 0x10000, &info);
    free(copy);
    return e;
}

/* Parse b as it is: total_size bytes readable. */
static inline enum boot_error parse(void)
{
    uint32_t total;
    memcpy(&total, b.buf, 4);
    return parse_limited(total);
}

/* Append the end tag, close and parse. */
static inline enum boot_error parse_ended(void)
{
    mb_tag(0, 8);
    mb_close();
    return parse();
}

#define assert_boot(expected, actual)                                                              \
    assert_string_equal(boot_error_name(expected), boot_error_name(actual))

static inline void assert_info_zero(void)
{
    static const struct boot_info zero;
    assert_memory_equal(&info, &zero, sizeof info);
}

/* info.regions == want[0..n) */
static inline void assert_regions(const struct entry *want, size_t n)
{
    assert_int_equal(info.region_count, n);
    for (size_t i = 0; i < n; i++) {
        const struct mem_region *r = &info.regions[i];
        if (r->start != want[i].base || r->end != want[i].base + want[i].len ||
            r->type != want[i].type)
            fail_msg("region %zu: [%#llx, %#llx) type %u, want [%#llx, %#llx) type %u", i,
                     (unsigned long long)r->start, (unsigned long long)r->end, r->type,
                     (unsigned long long)want[i].base,
                     (unsigned long long)(want[i].base + want[i].len), want[i].type);
    }
}

static inline void assert_fb(enum fb_kind kind, uint64_t addr, uint32_t pitch, uint32_t w,
                             uint32_t h, uint8_t bpp)
{
    assert_int_equal(info.fb.kind, kind);
    assert_int_equal(info.fb.addr, addr);
    assert_int_equal(info.fb.pitch, pitch);
    assert_int_equal(info.fb.width, w);
    assert_int_equal(info.fb.height, h);
    assert_int_equal(info.fb.bpp, bpp);
}

/* Every test starts with (void **state): TEST(name) says so once. */
#define TEST(name) static void name(void **state __attribute__((unused)))

static const struct entry qemu_bios_map[] = {
    {0x0, 0x9fc00, 1},        {0x9fc00, 0x400, 2},     {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2},
};

#endif
