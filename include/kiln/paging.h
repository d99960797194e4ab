/* Page tables: the blog's OffsetPageTable (mm/paging.c).
 *
 * The active level-4 table is found through CR3, and every table is reached
 * through the phys_offset window (include/kiln/vmem.h has the address-space
 * map). A page is 4 KiB of virtual memory, a frame 4 KiB of physical memory.
 *
 *   virtual address:  | L4 index | L3 index | L2 index | L1 index | offset |
 *                       47..39     38..30     29..21     20..12     11..0
 *   an L3 entry with PTE_HUGE maps 1 GiB, an L2 entry with PTE_HUGE 2 MiB.
 */
#ifndef KILN_PAGING_H
#define KILN_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "kiln/frame.h"

#define PTE_PRESENT       (1ull << 0)
#define PTE_WRITABLE      (1ull << 1)
#define PTE_USER          (1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_NO_CACHE      (1ull << 4)
#define PTE_ACCESSED      (1ull << 5)
#define PTE_DIRTY         (1ull << 6)
#define PTE_HUGE          (1ull << 7)
#define PTE_GLOBAL        (1ull << 8)
#define PTE_NO_EXECUTE    (1ull << 63)
/* Software only, never stored: asks paging_map_to / paging_update_flags for
 * an executable page. Without it every page they map is no-execute (W^X). */
#define PTE_EXECUTABLE    (1ull << 9)
#define PTE_ADDR_MASK     0x000ffffffffff000ull

/* A page: its address is 4 KiB aligned by construction. page_from_start
 * refuses a misaligned or non-canonical address; page_containing rounds
 * down, on purpose. (struct frame, its physical twin, is kiln/frame.h's.) */
struct page {
    uint64_t start;
};
bool page_from_start(uint64_t addr, struct page *out);
struct page page_containing(uint64_t addr);

enum map_error {
    MAP_OK = 0,
    MAP_FRAME_ALLOCATION_FAILED, /* a missing table needed a frame, none came */
    MAP_PAGE_ALREADY_MAPPED,     /* the page maps a frame already */
    MAP_PARENT_HUGE_PAGE,        /* a 2 MiB or 1 GiB page covers the page */
    MAP_PAGE_NOT_MAPPED,         /* unmap or update of a page that maps nothing */
    MAP_MISALIGNED,              /* a page or frame not 4 KiB aligned */
    MAP_NON_CANONICAL,           /* bits 63..48 are not copies of bit 47 */
};

/* "MAP_FRAME_ALLOCATION_FAILED", ...: the name of an error, for messages. */
const char *map_error_name(enum map_error e);

enum page_size { PAGE_4K = 12, PAGE_2M = 21, PAGE_1G = 30 };

struct translation {
    bool mapped;
    uint64_t phys;  /* the physical address behind virt */
    uint64_t flags; /* of the entry that maps it */
    enum page_size size;
};

/* Walk the active tables for virt: 4 KiB, 2 MiB and 1 GiB pages alike. */
struct translation paging_translate(uint64_t virt);

/* Map page to frame with flags (PTE_PRESENT is added, and PTE_NO_EXECUTE
 * unless flags has PTE_EXECUTABLE and where the CPU has NX). Missing intermediate
 * tables come zeroed from frames, flagged PRESENT | WRITABLE, plus USER when
 * flags has it. Flushes the page's TLB entry. On an error nothing is mapped
 * (tables created on the way stay, empty). */
enum map_error paging_map_to(struct page page, struct frame frame, uint64_t flags,
                             struct frame_source frames);

/* Unmap page, store the frame it mapped in *frame (may be NULL), flush. */
enum map_error paging_unmap(struct page page, struct frame *frame);

/* Replace the flags of page's mapping (PTE_PRESENT is kept, NX added as by
 * paging_map_to), flush. */
enum map_error paging_update_flags(struct page page, uint64_t flags);

/* Map physical [0, end) at PHYS_OFFSET, on top of the boot tables' first
 * 4 GiB: 1 GiB pages where CPUID has them, 2 MiB pages otherwise. The blog's
 * map_physical_memory. Panics naming the map error on failure. */
void paging_map_physical_memory(uint64_t end, struct frame_source frames);

/* Does the CPU have no-execute pages (CPUID 0x80000001 EDX bit 20)? Without
 * it, kiln's W^X is only "W^X for writes": data pages stay executable. */
bool paging_has_nx(void);

/* W^X for the boot tables' part of the phys_offset window (the first 4 GiB;
 * paging_map_physical_memory maps the rest no-execute already): every page
 * no-execute, and the alias of physical [ro_start, ro_end) (the kernel's
 * .text and .rodata) read-only, splitting the 2 MiB pages that cover it
 * into 4 KiB pages with tables from frames. Panics if no frame comes. */
void paging_protect_direct_map(uint64_t ro_start, uint64_t ro_end, struct frame_source frames);

#endif
