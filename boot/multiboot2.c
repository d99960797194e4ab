/* The Multiboot2 boot-information parser: loader structures in, struct
 * boot_info out (see include/kiln/boot_info.h for the contract).
 *
 * The block is untrusted input. Every read is bounded by the tag that holds
 * it, every tag by total_size, and total_size by the caller's limit:
 *     8 <= off,  off + tag.size <= total_size <= limit
 * Fields are read through memcpy, so no typed access is ever unaligned.
 * Pure code: no kernel globals, no dynamic memory; one static scratch array
 * for the memory-map sort, so one parse at a time.
 */
#include "kiln/enum_name.h"
#include "kiln/boot_info.h"
#include "kiln/panic.h"
#include "kiln/string.h"

enum tag_type {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER_NAME = 2,
    TAG_MODULE = 3,
    TAG_BASIC_MEMINFO = 4,
    TAG_MEMORY_MAP = 6,
    TAG_FRAMEBUFFER = 8,
    TAG_ELF_SECTIONS = 9,
};

#define TAG_HEADER     8u  /* u32 type, u32 size */
#define MMAP_ENTRY_MIN 24  /* u64 base, u64 length, u32 type, u32 reserved */
#define FB_COMMON      32u /* up to and including GRUB's u16 reserved */
#define FB_RGB_SIZE    38u /* FB_COMMON + six u8 colour fields */
#define ELF_HEADER     20u /* u32 num, u32 entsize, u32 shndx after the tag header */
#define ELF64_SHDR     64u
#define SHF_ALLOC      2u

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

const char *boot_error_name(enum boot_error e)
{
    static const char *const names[] = {
        ENUM_NAME(BOOT_OK),
        ENUM_NAME(BOOT_NULL_INFO),
        ENUM_NAME(BOOT_MISALIGNED_INFO),
        ENUM_NAME(BOOT_TRUNCATED),
        ENUM_NAME(BOOT_TAG_TOO_SMALL),
        ENUM_NAME(BOOT_TAG_PAST_END),
        ENUM_NAME(BOOT_MALFORMED_MEMORY_MAP),
        ENUM_NAME(BOOT_TOO_MANY_REGIONS),
        ENUM_NAME(BOOT_TOO_MANY_MMAP_ENTRIES),
        ENUM_NAME(BOOT_NO_MEMORY_MAP),
        ENUM_NAME(BOOT_MALFORMED_ELF_SECTIONS),
        ENUM_NAME(BOOT_TOO_MANY_MODULES),
        ENUM_NAME(BOOT_MALFORMED_MODULE),
    };
    return enum_name(names, e, "BOOT_UNKNOWN_ERROR");
}

/* The smallest size a tag of this type may have: its header plus the fields
 * kiln reads unconditionally. Unknown types need only the header. */
static uint32_t tag_fixed_size(uint32_t type)
{
    switch (type) {
    case TAG_MODULE:
        return 16;
    case TAG_BASIC_MEMINFO:
        return 16;
    case TAG_MEMORY_MAP:
        return 16;
    case TAG_FRAMEBUFFER:
        return FB_COMMON;
    case TAG_ELF_SECTIONS:
        return ELF_HEADER;
    default:
        return TAG_HEADER;
    }
}

/* Copy at most n bytes of src, stopping at its NUL, into dst[cap]; the result
 * is truncated to cap - 1 characters and always NUL-terminated. */
static void copy_string(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    size_t i = 0;
    while (i < n && i + 1 < cap && src[i] != 0) {
        dst[i] = (char)src[i];
        i++;
    }
    dst[i] = 0;
}

/* ---- memory map --------------------------------------------------------- */

struct mmap_view {
    const uint8_t *entries;
    size_t count;
    uint32_t entry_size;
};

/* Higher rank wins where entries overlap. Indexed by enum mem_type. */
static const uint8_t type_rank[] = {
    [MEM_USABLE] = 0, [MEM_ACPI_RECLAIMABLE] = 1, [MEM_RESERVED] = 2, [MEM_ACPI_NVS] = 3,
    [MEM_BAD] = 4,
};

/* Entry i as [*start, *end) of a known type; end is clipped at UINT64_MAX. */
static void mmap_entry(const struct mmap_view *m, size_t i, uint64_t *start, uint64_t *end,
                       uint32_t *type)
{
    const uint8_t *e = m->entries + i * m->entry_size;
    uint64_t base = rd64(e), length = rd64(e + 8);
    uint32_t t = rd32(e + 16);
    *start = base;
    *end = length > UINT64_MAX - base ? UINT64_MAX : base + length;
    *type = (t >= MEM_USABLE && t <= MEM_BAD) ? t : MEM_RESERVED;
}

/* Append [start, end) of type to out->regions, merging with the last region
 * when it touches and has the same type. */
static enum boot_error region_append(struct boot_info *out, uint64_t start, uint64_t end,
                                     uint32_t type)
{
    if (out->region_count > 0) {
        struct mem_region *last = &out->regions[out->region_count - 1];
        if (last->end == start && last->type == type) {
            last->end = end;
            return BOOT_OK;
        }
    }
    if (out->region_count == BOOT_MAX_REGIONS) return BOOT_TOO_MANY_REGIONS;
    out->regions[out->region_count++] = (struct mem_region){start, end, type};
    return BOOT_OK;
}

/* Type by rank: the inverse of type_rank. */
static const uint8_t rank_type[] = {MEM_USABLE, MEM_ACPI_RECLAIMABLE, MEM_RESERVED, MEM_ACPI_NVS,
                                    MEM_BAD};
#define RANKS 5

/* Scratch for the sort: the indices of the nonempty entries. One block is
 * parsed at a time (at boot, once), so one static array serves. */
static uint16_t order[BOOT_MAX_MMAP_ENTRIES];

static uint64_t entry_start(const struct mmap_view *m, uint16_t i)
{
    return rd64(m->entries + (size_t)i * m->entry_size);
}

/* Sift order[root] down the max-heap order[0..n) keyed by entry start. */
static void sift_down(const struct mmap_view *m, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && entry_start(m, order[child + 1]) > entry_start(m, order[child]))
            child++;
        if (entry_start(m, order[root]) >= entry_start(m, order[child])) return;
        uint16_t t = order[root];
        order[root] = order[child];
        order[child] = t;
        root = child;
    }
}

/* Heapsort order[0..n) by entry start: O(n log n) worst case, in place, no
 * recursion (the input is the loader's, so its order may be hostile). */
static void sort_by_start(const struct mmap_view *m, size_t n)
{
    for (size_t k = n / 2; k-- > 0;) sift_down(m, k, n);
    for (size_t end = n; end-- > 1;) {
        uint16_t t = order[0];
        order[0] = order[end];
        order[end] = t;
        sift_down(m, 0, end);
    }
}

/* Rebuild out->regions from the loader's entries in O(n log n): sort the
 * entries by start, then sweep. For each rank r, reach[r] is the largest end
 * among the rank-r entries that start at or before cur; cur is covered by
 * rank r exactly when reach[r] > cur. The sweep stops only at starts and
 * reaches, so between two stops no coverage changes, and the highest covered
 * rank names the type. Each stop consumes a start or passes a reach (which
 * moves again only after a start): at most n + RANKS * (n + 1) stops. */
static enum boot_error mmap_normalise(const struct mmap_view *m, struct boot_info *out)
{
    size_t n = 0;
    out->region_count = 0;
    for (size_t i = 0; i < m->count; i++) {
        uint64_t s, e;
        uint32_t t;
        mmap_entry(m, i, &s, &e, &t);
        if (s < e) order[n++] = (uint16_t)i; /* zero length: dropped */
    }
    if (n == 0) return BOOT_OK;
    sort_by_start(m, n);

    uint64_t reach[RANKS] = {0};
    size_t next_entry = 0;
    uint64_t cur = entry_start(m, order[0]);
    for (;;) {
        for (; next_entry < n; next_entry++) {
            uint64_t s, e;
            uint32_t t;
            mmap_entry(m, order[next_entry], &s, &e, &t);
            if (s > cur) break;
            if (e > reach[type_rank[t]]) reach[type_rank[t]] = e;
        }
        int top = -1;
        bool more = next_entry < n;
        uint64_t next = more ? entry_start(m, order[next_entry]) : 0;
        for (int r = 0; r < RANKS; r++) {
            if (reach[r] <= cur) continue;
            top = r;
            if (!more || reach[r] < next) next = reach[r], more = true;
        }
        if (!more) return BOOT_OK;
        if (top >= 0) {
            enum boot_error err = region_append(out, cur, next, rank_type[top]);
            if (err != BOOT_OK) return err;
        }
        cur = next;
    }
}

static enum boot_error parse_memory_map(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    struct mmap_view m;
    m.entry_size = rd32(tag + 8);
    m.entries = tag + 16;
    if (m.entry_size < MMAP_ENTRY_MIN || m.entry_size % 8 != 0) return BOOT_MALFORMED_MEMORY_MAP;
    if ((size - 16) % m.entry_size != 0) return BOOT_MALFORMED_MEMORY_MAP;
    m.count = (size - 16) / m.entry_size;
    if (m.count > BOOT_MAX_MMAP_ENTRIES) return BOOT_TOO_MANY_MMAP_ENTRIES;
    return mmap_normalise(&m, out);
}

/* ---- the other tags ------------------------------------------------------ */

static enum boot_error parse_module(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    uint32_t start = rd32(tag + 8), end = rd32(tag + 12);
    if (end < start) return BOOT_MALFORMED_MODULE;
    if (out->module_count == BOOT_MAX_MODULES) return BOOT_TOO_MANY_MODULES;
    struct boot_module *mod = &out->modules[out->module_count++];
    mod->start = start;
    mod->end = end;
    copy_string(mod->cmdline, sizeof mod->cmdline, tag + 16, size - 16);
    return BOOT_OK;
}

static enum boot_error parse_framebuffer(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    struct boot_framebuffer fb = {0};
    fb.addr = rd64(tag + 8);
    fb.pitch = rd32(tag + 16);
    fb.width = rd32(tag + 20);
    fb.height = rd32(tag + 24);
    fb.bpp = tag[28];
    switch (tag[29]) {
    case 1: /* direct RGB: the colour fields follow the common part */
        if (size < FB_RGB_SIZE) return BOOT_TAG_TOO_SMALL;
        fb.red_pos = tag[32];
        fb.red_size = tag[33];
        fb.green_pos = tag[34];
        fb.green_size = tag[35];
        fb.blue_pos = tag[36];
        fb.blue_size = tag[37];
        fb.kind = (fb.bpp == 24 || fb.bpp == 32) ? FB_RGB : FB_OTHER;
        break;
    case 2:
        fb.kind = FB_EGA_TEXT;
        break;
    default:
        fb.kind = FB_OTHER;
        break; /* 0: indexed colour; others: unknown */
    }
    out->fb = fb;
    return BOOT_OK;
}

/* The extent [elf_start, elf_end) of the sections with SHF_ALLOC and a
 * nonzero size. Section headers are ELF64 (kiln is a 64-bit ELF). */
static enum boot_error parse_elf_sections(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
    uint32_t num = rd32(tag + 8), entsize = rd32(tag + 12);
    out->have_elf_extent = false;
    out->elf_start = out->elf_end = 0;
    if (num == 0) return BOOT_OK;
    if (entsize < ELF64_SHDR || (uint64_t)num * entsize > size - ELF_HEADER)
        return BOOT_MALFORMED_ELF_SECTIONS;
    for (uint32_t i = 0; i < num; i++) {
        const uint8_t *sh = tag + ELF_HEADER + (size_t)i * entsize;
        uint64_t flags = rd64(sh + 8), addr = rd64(sh + 16), len = rd64(sh + 32);
        if (!(flags & SHF_ALLOC) || len == 0) continue;
        if (len > UINT64_MAX - addr) return BOOT_MALFORMED_ELF_SECTIONS;
        if (!out->have_elf_extent || addr < out->elf_start) out->elf_start = addr;
        if (!out->have_elf_extent || addr + len > out->elf_end) out->elf_end = addr + len;
        out->have_elf_extent = true;
    }
    return BOOT_OK;
}

/* One tag whose header and fixed fields lie inside the block. */
static enum boot_error parse_tag(const uint8_t *tag, uint32_t type, uint32_t size,
                                 struct boot_info *out, bool *have_mmap)
{
    switch (type) {
    case TAG_CMDLINE:
        copy_string(out->cmdline, sizeof out->cmdline, tag + 8, size - 8);
        return BOOT_OK;
    case TAG_LOADER_NAME:
        copy_string(out->loader_name, sizeof out->loader_name, tag + 8, size - 8);
        return BOOT_OK;
    case TAG_MODULE:
        return parse_module(tag, size, out);
    case TAG_MEMORY_MAP:
        *have_mmap = true;
        return parse_memory_map(tag, size, out);
    case TAG_FRAMEBUFFER:
        return parse_framebuffer(tag, size, out);
    case TAG_ELF_SECTIONS:
        return parse_elf_sections(tag, size, out);
    default:
        return BOOT_OK; /* basic meminfo (the memory map says more) and unknown tags */
    }
}

static enum boot_error parse(const uint8_t *base, size_t limit, uint64_t info_phys,
                             struct boot_info *out)
{
    if (base == NULL) return BOOT_NULL_INFO;
    if ((uintptr_t)base % 8 != 0) return BOOT_MISALIGNED_INFO;
    if (limit < 8) return BOOT_TRUNCATED;
    uint32_t total = rd32(base);
    if (total < 16 || total > limit) return BOOT_TRUNCATED;
    out->info_addr = info_phys;
    out->info_size = total;

    bool have_mmap = false;
    size_t off = 8;
    while (off < total) {
        if (total - off < TAG_HEADER) return BOOT_TAG_PAST_END;
        uint32_t type = rd32(base + off), size = rd32(base + off + 4);
        if (size < TAG_HEADER) return BOOT_TAG_TOO_SMALL;
        if (size > total - off) return BOOT_TAG_PAST_END;
        if (size < tag_fixed_size(type)) return BOOT_TAG_TOO_SMALL;
        if (type == TAG_END) break;
        enum boot_error err = parse_tag(base + off, type, size, out, &have_mmap);
        if (err != BOOT_OK) return err;
        off += ((size_t)size + 7) & ~(size_t)7; /* tags start 8-aligned */
    }
    return have_mmap ? BOOT_OK : BOOT_NO_MEMORY_MAP;
}

enum boot_error multiboot2_parse(const void *info, size_t limit, uint64_t info_phys,
                                 struct boot_info *out)
{
    if (out == NULL) panic("multiboot2_parse: out is NULL");
    memset(out, 0, sizeof *out);
    enum boot_error err = parse(info, limit, info_phys, out);
    if (err != BOOT_OK) memset(out, 0, sizeof *out);
    return err;
}
