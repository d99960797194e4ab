#include "kiln/enum_name.h"
#include "kiln/paging.h"

#include "arch/x86_64/cpu.h"
#include "kiln/panic.h"
#include "kiln/string.h"
#include "kiln/vmem.h"

#define ENTRIES      512
#define PARENT_FLAGS (PTE_PRESENT | PTE_WRITABLE | PTE_USER)

typedef uint64_t pte_t;

static bool canonical(uint64_t a)
{
    return ((int64_t)(a << 16) >> 16) == (int64_t)a;
}

bool page_from_start(uint64_t addr, struct page *out)
{
    if (addr % PAGE_SIZE || !canonical(addr)) return false;
    out->start = addr;
    return true;
}

struct page page_containing(uint64_t addr)
{
    return (struct page){addr & ~(uint64_t)(PAGE_SIZE - 1)};
}

const char *map_error_name(enum map_error e)
{
    static const char *const names[] = {
        ENUM_NAME(MAP_OK),
        ENUM_NAME(MAP_FRAME_ALLOCATION_FAILED),
        ENUM_NAME(MAP_PAGE_ALREADY_MAPPED),
        ENUM_NAME(MAP_PARENT_HUGE_PAGE),
        ENUM_NAME(MAP_PAGE_NOT_MAPPED),
        ENUM_NAME(MAP_MISALIGNED),
        ENUM_NAME(MAP_NON_CANONICAL),
    };
    return enum_name(names, e, "MAP_UNKNOWN_ERROR");
}

/* PTE_NO_EXECUTE where the CPU has NX (boot.S sets EFER.NXE then), else 0:
 * without NXE, bit 63 is reserved and setting it would fault. */
static uint64_t nx_bit(void)
{
    static int has = -1;
    if (has < 0) {
        uint32_t a, b, c, d;
        cpuid(0x80000000, &a, &b, &c, &d);
        has = 0;
        if (a >= 0x80000001) {
            cpuid(0x80000001, &a, &b, &c, &d);
            has = (d >> 20) & 1;
        }
    }
    return has ? PTE_NO_EXECUTE : 0;
}

bool paging_has_nx(void)
{
    return nx_bit() != 0;
}

/* The leaf entry bits for flags: PTE_EXECUTABLE (software only) is dropped,
 * and without it the page is no-execute where the CPU can say so. */
static uint64_t leaf_flags(uint64_t flags)
{
    uint64_t f = flags & ~PTE_ADDR_MASK & ~PTE_EXECUTABLE & ~PTE_NO_EXECUTE;
    return f | PTE_PRESENT | ((flags & PTE_EXECUTABLE) ? 0 : nx_bit());
}

static pte_t *table_at(uint64_t phys)
{
    return phys_to_virt(phys & PTE_ADDR_MASK);
}
static pte_t *active_l4(void)
{
    return table_at(read_cr3());
}
static unsigned index_of(uint64_t virt, int level)
{
    return (virt >> (12 + 9 * (level - 1))) & 511;
}

struct translation paging_translate(uint64_t virt)
{
    struct translation t = {0};
    if (!canonical(virt)) return t;
    pte_t *table = active_l4();
    for (int level = 4; level >= 1; level--) {
        pte_t e = table[index_of(virt, level)];
        if (!(e & PTE_PRESENT)) return t;
        bool leaf = level == 1 || ((level == 2 || level == 3) && (e & PTE_HUGE));
        if (leaf) {
            int shift = 12 + 9 * (level - 1);
            uint64_t mask = (1ull << shift) - 1;
            t.mapped = true;
            t.phys = (e & PTE_ADDR_MASK & ~mask) | (virt & mask);
            t.flags = e & ~PTE_ADDR_MASK;
            t.size = (enum page_size)shift;
            return t;
        }
        table = table_at(e);
    }
    return t;
}

/* The table entry one level down from parent_entry, creating the table from
 * a zeroed frame when it is missing. */
static enum map_error next_table(pte_t *parent_entry, uint64_t flags, struct frame_source frames,
                                 pte_t **out)
{
    pte_t e = *parent_entry;
    if (e & PTE_PRESENT) {
        if (e & PTE_HUGE) return MAP_PARENT_HUGE_PAGE;
        *parent_entry = e | (flags & PARENT_FLAGS); /* widen, never narrow */
        *out = table_at(e);
        return MAP_OK;
    }
    struct frame f;
    if (!frame_source_alloc(frames, &f)) return MAP_FRAME_ALLOCATION_FAILED;
    memset(table_at(f.start), 0, PAGE_SIZE);
    *parent_entry = f.start | PTE_PRESENT | PTE_WRITABLE | (flags & PTE_USER);
    *out = table_at(f.start);
    return MAP_OK;
}

/* The level-1 entry of page, or an error when a level is missing or huge. */
static enum map_error walk_to_l1(uint64_t virt, pte_t **entry)
{
    pte_t *table = active_l4();
    for (int level = 4; level >= 2; level--) {
        pte_t e = table[index_of(virt, level)];
        if (!(e & PTE_PRESENT)) return MAP_PAGE_NOT_MAPPED;
        if (e & PTE_HUGE) return MAP_PARENT_HUGE_PAGE;
        table = table_at(e);
    }
    *entry = &table[index_of(virt, 1)];
    return (**entry & PTE_PRESENT) ? MAP_OK : MAP_PAGE_NOT_MAPPED;
}

static enum map_error check_page(struct page p)
{
    if (p.start % PAGE_SIZE) return MAP_MISALIGNED;
    return canonical(p.start) ? MAP_OK : MAP_NON_CANONICAL;
}

enum map_error paging_map_to(struct page page, struct frame frame, uint64_t flags,
                             struct frame_source frames)
{
    enum map_error e = check_page(page);
    if (e != MAP_OK) return e;
    if (frame.start % PAGE_SIZE || frame.start > PTE_ADDR_MASK) return MAP_MISALIGNED;
    pte_t *table = active_l4();
    for (int level = 4; level >= 2; level--) {
        e = next_table(&table[index_of(page.start, level)], flags, frames, &table);
        if (e != MAP_OK) return e;
    }
    pte_t *entry = &table[index_of(page.start, 1)];
    if (*entry & PTE_PRESENT) return MAP_PAGE_ALREADY_MAPPED;
    *entry = frame.start | leaf_flags(flags);
    invlpg(page.start);
    return MAP_OK;
}

enum map_error paging_unmap(struct page page, struct frame *frame)
{
    pte_t *entry;
    enum map_error e = check_page(page);
    if (e == MAP_OK) e = walk_to_l1(page.start, &entry);
    if (e != MAP_OK) return e;
    if (frame) frame->start = *entry & PTE_ADDR_MASK;
    *entry = 0;
    invlpg(page.start);
    return MAP_OK;
}

enum map_error paging_update_flags(struct page page, uint64_t flags)
{
    pte_t *entry;
    enum map_error e = check_page(page);
    if (e == MAP_OK) e = walk_to_l1(page.start, &entry);
    if (e != MAP_OK) return e;
    *entry = (*entry & PTE_ADDR_MASK) | leaf_flags(flags);
    invlpg(page.start);
    return MAP_OK;
}

static bool cpu_has_1g_pages(void)
{
    uint32_t a, b, c, d;
    cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000001) return false;
    cpuid(0x80000001, &a, &b, &c, &d);
    return d & (1u << 26);
}

void paging_map_physical_memory(uint64_t end, struct frame_source frames)
{
    const uint64_t gib = 1ull << 30, mib2 = 2ull << 20;
    bool huge1g = cpu_has_1g_pages();
    const uint64_t leaf = PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | nx_bit();
    pte_t *l4 = active_l4();
    for (uint64_t p = BOOT_DIRECT_MAP_BYTES; p < end; p += gib) {
        uint64_t virt = PHYS_OFFSET + p;
        pte_t *l3, *l2;
        enum map_error e = next_table(&l4[index_of(virt, 4)], PTE_WRITABLE, frames, &l3);
        if (e == MAP_OK && huge1g) {
            if (!(l3[index_of(virt, 3)] & PTE_PRESENT)) l3[index_of(virt, 3)] = p | leaf;
            continue;
        }
        if (e == MAP_OK) e = next_table(&l3[index_of(virt, 3)], PTE_WRITABLE, frames, &l2);
        if (e != MAP_OK)
            panic("map_physical_memory: %s at physical 0x%llx", map_error_name(e),
                  (unsigned long long)p);
        for (uint64_t q = p; q < p + gib && q < end; q += mib2)
            l2[index_of(PHYS_OFFSET + q, 2)] = q | leaf;
    }
    /* Only not-present entries were filled: the TLB caches none of them. */
}

/* The level-2 table that maps the phys_offset address virt (2 MiB pages). */
static pte_t *direct_map_l2(uint64_t virt)
{
    pte_t l4e = active_l4()[index_of(virt, 4)];
    if (!(l4e & PTE_PRESENT)) return NULL;
    pte_t l3e = table_at(l4e)[index_of(virt, 3)];
    if (!(l3e & PTE_PRESENT) || (l3e & PTE_HUGE)) return NULL;
    return table_at(l3e);
}

/* Replace the 2 MiB page at phys_offset + base by 512 4 KiB pages, writable
 * and no-execute, except [ro_start, ro_end) which is read-only. */
static void split_read_only(pte_t *l2e, uint64_t base, uint64_t ro_start, uint64_t ro_end,
                            struct frame_source frames)
{
    struct frame f;
    if (!frame_source_alloc(frames, &f))
        panic("paging_protect_direct_map: %s splitting physical 0x%llx",
              map_error_name(MAP_FRAME_ALLOCATION_FAILED), (unsigned long long)base);
    pte_t *pt = table_at(f.start);
    for (unsigned i = 0; i < ENTRIES; i++) {
        uint64_t q = base + (uint64_t)i * PAGE_SIZE;
        bool ro = q + PAGE_SIZE > ro_start && q < ro_end;
        pt[i] = q | PTE_PRESENT | (ro ? 0 : PTE_WRITABLE) | nx_bit();
    }
    *l2e = f.start | PTE_PRESENT | PTE_WRITABLE;
    for (unsigned i = 0; i < ENTRIES; i++) invlpg(PHYS_OFFSET + base + (uint64_t)i * PAGE_SIZE);
}

void paging_protect_direct_map(uint64_t ro_start, uint64_t ro_end, struct frame_source frames)
{
    const uint64_t mib2 = 2ull << 20;
    uint64_t nx = nx_bit();
    for (uint64_t p = 0; p < BOOT_DIRECT_MAP_BYTES; p += mib2) {
        pte_t *l2 = direct_map_l2(PHYS_OFFSET + p);
        if (!l2)
            panic("paging_protect_direct_map: physical 0x%llx is not in 2 MiB pages",
                  (unsigned long long)p);
        pte_t *e = &l2[index_of(PHYS_OFFSET + p, 2)];
        if (p + mib2 > ro_start && p < ro_end) {
            split_read_only(e, p, ro_start, ro_end, frames);
        } else if ((*e & (PTE_PRESENT | PTE_HUGE)) == (PTE_PRESENT | PTE_HUGE) && !(*e & nx)) {
            *e |= nx;
            invlpg(PHYS_OFFSET + p);
        }
    }
}
