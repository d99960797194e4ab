/* Paging and the frame allocator on real boot memory maps, booted with 64 MiB,
 * 2 GiB and 5 GiB of RAM (5 GiB puts RAM above the 4 GiB the boot tables map,
 * and QEMU's PCI hole below it). */
// run: 64m -m 64M
// run: 2g -m 2G
// run: 5g -m 5G
// run: 5g-1g-pages -m 5G -cpu qemu64,+pdpe1gb
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/boot.h"
#include "kiln/console.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/memory.h"
#include "kiln/page_fault.h"
#include "kiln/paging.h"
#include "kiln/serial.h"
#include "kiln/string.h"
#include "kiln/timer.h"
#include "kiln/vmem.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys);
    kernel_init();
    memory_init(bi);
    ktest_main();
}

extern char kernel_phys_start[], kernel_phys_end[];
#define TEST_PAGE 0x0000123456789000ull /* an otherwise unused L4 slot */

KTEST(translate_4k_page)
{
    uint64_t code = (uint64_t)(uintptr_t)kernel_main;
    struct translation t = paging_translate(code);
    kassert(t.mapped);
    kassert_eq(t.size, PAGE_4K);
    kassert_eq(t.phys, code - KERNEL_VMA);
}

KTEST(translate_2m_page)
{
    struct translation t = paging_translate(PHYS_OFFSET + 0x200123);
    kassert(t.mapped);
    kassert_eq(t.size, PAGE_2M);
    kassert_eq(t.phys, 0x200123);
    kassert(!paging_translate(0x1000).mapped); /* low memory is not identity mapped */
    kassert(!paging_translate(0x0000800000000000ull).mapped); /* non-canonical */
}

/* A 1 GiB page built by hand in an unused L4 slot (walked, never touched:
 * QEMU's default CPU has no 1 GiB pages). */
KTEST(translate_1g_page)
{
    uint64_t *l4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    unsigned slot = 300;
    kassert_eq(l4[slot], 0);
    struct frame l3;
    kassert(frame_alloc(memory_frames(), &l3));
    memset(phys_to_virt(l3.start), 0, PAGE_SIZE);
    ((uint64_t *)phys_to_virt(l3.start))[2] = (5ull << 30) | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE;
    l4[slot] = l3.start | PTE_PRESENT | PTE_WRITABLE;
    uint64_t virt = 0xffff000000000000ull | (uint64_t)slot << 39 | 2ull << 30 | 0x12345678;
    struct translation t = paging_translate(virt);
    l4[slot] = 0;
    frame_free(memory_frames(), l3);
    kassert(t.mapped);
    kassert_eq(t.size, PAGE_1G);
    kassert_eq(t.phys, (5ull << 30) + 0x12345678);
}

KTEST(phys_offset_covers_all_usable_memory)
{
    const struct boot_info *bi = boot_info();
    for (size_t i = 0; i < bi->region_count; i++) {
        if (bi->regions[i].type != MEM_USABLE) continue;
        uint64_t last = bi->regions[i].end - 8;
        struct translation t = paging_translate(PHYS_OFFSET + last);
        kassert(t.mapped);
        kassert_eq(t.phys, last);
        uint64_t v; /* readable, not only mapped */
        kassert(!probe_read((uintptr_t)phys_to_virt(last), &v).faulted);
    }
    kassert(memory_direct_map_end() >= (4ull << 30));
}

KTEST(map_write_read_unmap_then_fault)
{
    struct frame f;
    kassert(frame_alloc(memory_frames(), &f));
    struct page page;
    struct frame frame;
    kassert(page_from_start(TEST_PAGE, &page));
    kassert(frame_from_start(f.start, &frame));
    kassert_eq(paging_map_to(page, frame, PTE_WRITABLE, memory_frame_source()), MAP_OK);
    struct translation t = paging_translate(TEST_PAGE + 8);
    kassert(t.mapped);
    kassert_eq(t.phys, f.start + 8);
    ((volatile uint64_t *)(uintptr_t)TEST_PAGE)[1] = 0x6b696c6e;
    kassert_eq(((volatile uint64_t *)phys_to_virt(f.start))[1], 0x6b696c6e);

    struct frame back;
    kassert_eq(paging_unmap(page, &back), MAP_OK);
    kassert_eq(back.start, f.start);
    kassert(!paging_translate(TEST_PAGE).mapped);
    uint64_t v = 0;
    struct probe_result r = probe_read(TEST_PAGE + 8, &v);
    kassert(r.faulted);
    kassert_eq(r.address, TEST_PAGE + 8);
    kassert_eq(r.error_code & (PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE), 0);
    kassert_eq(paging_unmap(page, NULL), MAP_PAGE_NOT_MAPPED);
    frame_free(memory_frames(), f);
}

KTEST(update_flags_makes_a_page_read_only)
{
    struct frame f;
    kassert(frame_alloc(memory_frames(), &f));
    struct page page = page_containing(TEST_PAGE);
    kassert_eq(paging_map_to(page, f, PTE_WRITABLE, memory_frame_source()), MAP_OK);
    kassert(!probe_write(TEST_PAGE, 1).faulted);
    kassert_eq(paging_update_flags(page, 0), MAP_OK);
    struct probe_result r = probe_write(TEST_PAGE, 2);
    kassert(r.faulted);
    kassert_eq(r.error_code & (PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE),
               PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE);
    uint64_t v = 0;
    kassert(!probe_read(TEST_PAGE, &v).faulted);
    kassert_eq(v, 1);
    kassert_eq(paging_unmap(page, NULL), MAP_OK);
    frame_free(memory_frames(), f);
}

KTEST(map_errors)
{
    struct frame vga = frame_containing(0xb8000);
    /* A fresh L4 range needs three new tables; the empty allocator has none. */
    kassert_eq(paging_map_to(page_containing(0x0000500000000000ull), vga, PTE_WRITABLE,
                             frame_source_empty),
               MAP_FRAME_ALLOCATION_FAILED);
    /* The phys_offset window is made of 2 MiB pages (past the kernel image,
     * whose 2 MiB are split to make its alias read-only). */
    kassert_eq(paging_map_to(page_containing(PHYS_OFFSET + 0x401000), vga, PTE_WRITABLE,
                             memory_frame_source()),
               MAP_PARENT_HUGE_PAGE);
    /* Kernel code is mapped already. */
    kassert_eq(paging_map_to(page_containing((uint64_t)(uintptr_t)kernel_main), vga, PTE_WRITABLE,
                             memory_frame_source()),
               MAP_PAGE_ALREADY_MAPPED);
    struct page odd = {TEST_PAGE + 1};
    kassert_eq(paging_map_to(odd, vga, PTE_WRITABLE, memory_frame_source()), MAP_MISALIGNED);
    struct page wild = {0x0000900000000000ull};
    kassert_eq(paging_map_to(wild, vga, PTE_WRITABLE, memory_frame_source()), MAP_NON_CANONICAL);
    struct page p;
    kassert(!page_from_start(TEST_PAGE + 8, &p));
    struct frame fr;
    kassert(!frame_from_start(0xb8001, &fr));
}

KTEST(free_then_reuse)
{
    struct frame a, b;
    kassert(frame_alloc(memory_frames(), &a));
    kassert(frame_is_allocated(memory_frames(), a));
    frame_free(memory_frames(), a);
    kassert(!frame_is_allocated(memory_frames(), a));
    kassert(frame_alloc(memory_frames(), &b));
    kassert_eq(a.start, b.start);
    frame_free(memory_frames(), b);
}

/* One bit per frame of up to 8 GiB: which frames this test was handed. */
static uint64_t seen[(8ull << 30) / PAGE_SIZE / 64];

static bool in(uint64_t f, uint64_t start, uint64_t end)
{
    return f + PAGE_SIZE > (start & ~(uint64_t)(PAGE_SIZE - 1)) && f < end;
}

/* May the allocator hand out frame f, by the boot map alone? */
static bool frame_is_handable(const struct boot_info *bi, uint64_t f, struct frame_range bitmap)
{
    if (f < 0x100000 ||
        in(f, (uint64_t)(uintptr_t)kernel_phys_start, (uint64_t)(uintptr_t)kernel_phys_end))
        return false;
    if (in(f, bi->info_addr, bi->info_addr + bi->info_size) || in(f, bitmap.start, bitmap.end))
        return false;
    for (size_t i = 0; i < bi->module_count; i++)
        if (in(f, bi->modules[i].start, bi->modules[i].end)) return false;
    for (size_t i = 0; i < bi->region_count; i++)
        if (bi->regions[i].type == MEM_USABLE && f >= bi->regions[i].start &&
            f + PAGE_SIZE <= bi->regions[i].end)
            return true;
    return false;
}

/* Every frame, until none is left: unique, aligned, usable, outside the
 * kernel, the boot information and the bitmap; the counters match the boot
 * memory map exactly; exhaustion says "no frame"; all of them come back. */
KTEST(frames_are_unique_valid_and_counted)
{
    const struct boot_info *bi = boot_info();
    struct frame_allocator *fa = memory_frames();
    struct frame_range bitmap = frame_bitmap_range(fa);
    struct frame_stats before = frame_stats(fa);

    uint64_t expected = 0;
    for (size_t i = 0; i < bi->region_count; i++) {
        if (bi->regions[i].type != MEM_USABLE) continue;
        uint64_t s = (bi->regions[i].start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
        for (uint64_t f = s; f + PAGE_SIZE <= bi->regions[i].end; f += PAGE_SIZE)
            expected += frame_is_handable(bi, f, bitmap);
    }
    kassert_eq(before.total, expected);

    uint64_t count = 0;
    struct frame fr;
    while (frame_alloc(fa, &fr)) {
        uint64_t f = fr.start;
        kassert_eq(f % PAGE_SIZE, 0);
        kassert(f < sizeof seen * 8 * PAGE_SIZE);
        kassert(frame_is_handable(bi, f, bitmap));
        uint64_t bit = f / PAGE_SIZE;
        kassert(!(seen[bit / 64] & (1ull << (bit % 64))));
        seen[bit / 64] |= 1ull << (bit % 64);
        count++;
    }
    kassert(!frame_alloc(fa, &fr));
    kassert_eq(count, before.free);
    kassert_eq(frame_stats(fa).free, 0);
    kassert_eq(frame_stats(fa).used, before.total);
    println("(%llu frames)", (unsigned long long)count);

    for (uint64_t w = 0; w < sizeof seen / sizeof seen[0]; w++)
        for (; seen[w]; seen[w] &= seen[w] - 1)
            frame_free(fa,
                       (struct frame){(w * 64 + (uint64_t)__builtin_ctzll(seen[w])) * PAGE_SIZE});
    kassert_eq(frame_stats(fa).free, before.free);
}

/* Not a check: the figure for the closing note. TSC cycles are calibrated
 * against 10 timer ticks (100 ms). */
KTEST(report_frame_allocator_build_time)
{
    uint64_t t = timer_ticks();
    while (timer_ticks() == t) hlt();
    uint64_t c0 = rdtsc(), t0 = timer_ticks();
    while (timer_ticks() < t0 + 10) hlt();
    uint64_t per_ms = (rdtsc() - c0) / 100;
    uint64_t cycles = memory_frame_init_cycles();
    println("(build: %llu cycles = %llu us for %llu frames)", (unsigned long long)cycles,
            (unsigned long long)(per_ms ? cycles * 1000 / per_ms : 0),
            (unsigned long long)frame_stats(memory_frames()).total);
}
