/* The physical frame allocator (mm/frame.c).
 *
 * Words: a frame is FRAME_SIZE bytes of physical memory, named by its physical
 * address, a multiple of FRAME_SIZE. The allocator *manages* a frame when it
 * may hand it out: the frame lies wholly inside a usable region of the boot
 * memory map (usable starts rounded up, ends rounded down), at or above 1 MiB,
 * outside every reserved range the caller names (rounded outward to frames),
 * and outside the allocator's own bitmap.
 *
 * Design: three parts, each O(1) per call.
 *   - A bump cursor walks the managed ranges in ascending order and hands out
 *     frames never handed out before. It touches no frame memory, so building
 *     needs no per-frame work, and early frames (the first page tables) come
 *     from low memory. Moving to the next range is bounded by the number of
 *     ranges, so frame_alloc is O(1) amortised.
 *   - A free stack holds the frames given back. Each freed frame stores the
 *     physical address of the next one in its first 8 bytes, written through
 *     phys_offset; 0 ends the stack (frame 0 is never managed). LIFO reuse.
 *   - An ownership bitmap, one bit per frame from address 0 up to the end of
 *     the highest managed range (`limit`): bit f / FRAME_SIZE is set exactly
 *     while frame f is allocated. frame_free tests it to catch a double free in
 *     O(1). The core carves the bitmap from the lowest managed range that can
 *     hold it below reach_limit, and then manages those frames no more.
 *
 * Costs: the bitmap takes limit / 32768 bytes, rounded up to whole frames:
 * 128 KiB (32 frames) for 4 GiB, 192 KiB for 6 GiB. Building is O(bitmap bytes)
 * for zeroing it plus O(ranges x reserved ranges) for subtracting the
 * reservations; there is no per-frame work. The blog's allocator instead walks
 * the memory map on every call (O(n) per frame) and never frees; a pure bitmap
 * allocator must scan for a clear bit; a pure free list must write into every
 * frame at build time, including frames the kernel cannot reach yet.
 *
 * Invariants (checked by the host tests):
 *   used + free  == total
 *   total        == sum over ranges of (end - start) / FRAME_SIZE
 *   used         == number of set bits in the bitmap
 *   free         == frames from the cursor to the end of the ranges
 *                   + frames on the free stack
 *
 * Reachability: early in boot only part of physical memory may be reachable
 * through phys_offset (the kernel guarantees the first 1 GiB). Building writes
 * only the bitmap, which it places below reach_limit. frame_free writes into
 * the freed frame and frame_alloc reads it back, so free only frames that are
 * reachable through phys_offset.
 *
 * This header and mm/frame.c are pure C: they also build for the host, where
 * tests pass a malloc'd buffer as "physical memory" (phys_offset = its address).
 */
#ifndef KILN_FRAME_H
#define KILN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/boot_info.h"

#define FRAME_SIZE       4096ull
/* Frames below this physical address are never handed out (BIOS data, real
 * mode structures, the legacy VGA and ROM window). */
#define FRAME_LOW_LIMIT  0x100000ull
/* The most managed ranges (usable regions after the reservations are cut out)
 * one allocator keeps; past that, init fails with FRAME_TOO_MANY_RANGES. */
#define FRAME_MAX_RANGES 256

/* Physical bytes [start, end). */
struct frame_range {
    uint64_t start;
    uint64_t end;
};

/* A frame: FRAME_SIZE bytes of physical memory, named by the address of its
 * first byte. kiln's one frame type: the frame allocator hands these out and
 * takes them back, and the page-table code maps pages to them.
 * frame_from_start refuses a misaligned address or one above the 52 bits an
 * x86-64 page-table entry holds; frame_containing rounds down, on purpose. */
struct frame {
    uint64_t start;
};
#define FRAME_ADDR_MAX 0x000ffffffffff000ull
bool frame_from_start(uint64_t addr, struct frame *out);
struct frame frame_containing(uint64_t addr);

enum frame_error {
    FRAME_OK = 0,
    FRAME_NO_USABLE_MEMORY,   /* no whole frame is left to manage */
    FRAME_NO_ROOM_FOR_BITMAP, /* no managed range below reach_limit holds the bitmap */
    FRAME_TOO_MANY_RANGES,    /* more than FRAME_MAX_RANGES managed ranges */
    FRAME_MAP_UNSORTED,       /* a region starts before the previous one ends */
    FRAME_BAD_RANGE,          /* a region or reserved range with end < start */
    /* What frame_free and frame_alloc panic with (never returned): */
    FRAME_MISALIGNED,         /* frame_free of an address not a multiple of FRAME_SIZE */
    FRAME_OUTSIDE_USABLE,     /* frame_free of a frame the allocator does not manage */
    FRAME_NOT_ALLOCATED,      /* frame_free of a managed frame that is free: a double free */
    FRAME_FREE_STACK_CORRUPT, /* frame_alloc read a link that is no free managed frame */
};

/* "FRAME_NO_ROOM_FOR_BITMAP", ...: the name of an error, for messages. */
const char *frame_error_name(enum frame_error e);

struct frame_allocator {
    uintptr_t phys_offset;
    /* Managed ranges: sorted, not touching each other's frames, non-empty,
     * frame-aligned. */
    struct frame_range ranges[FRAME_MAX_RANGES];
    size_t range_count;
    size_t cursor_range; /* the range the bump cursor is in */
    uint64_t
        cursor; /* next frame never handed out (== ranges[cursor_range].end: none left there) */
    uint64_t free_top; /* top of the free stack, 0 when empty */
    uint64_t *bitmap;  /* the bitmap through phys_offset */
    struct frame_range bitmap_range;
    uint64_t limit; /* the bitmap covers frames [0, limit) */
    uint64_t total;
    uint64_t used;
};

/* Build *fa over the usable (MEM_USABLE) regions of a memory map, sorted by
 * start and not overlapping, less the reserved ranges (any order; they may
 * overlap each other and stick out of the map; an empty one reserves nothing)
 * and less everything below FRAME_LOW_LIMIT. Physical address p must be
 * readable and writable at p + phys_offset for every p below reach_limit.
 * Returns FRAME_OK, or the error (see enum frame_error); on an error *fa is
 * an allocator that manages nothing (frame_alloc fails, every counter is 0).
 * Panics on a NULL fa, or a NULL list with a non-zero count. */
enum frame_error frame_allocator_init(struct frame_allocator *fa, const struct mem_region *regions,
                                      size_t region_count, const struct frame_range *reserved,
                                      size_t reserved_count, uintptr_t phys_offset,
                                      uint64_t reach_limit);

/* Hand out one managed frame that is not allocated: the most recently freed
 * one if any, otherwise the lowest never handed out. Returns true and stores
 * its address in *frame; returns false, leaving *frame alone, when none is
 * left. O(1) amortised. Panics "frame_alloc: FRAME_FREE_STACK_CORRUPT" when the link
 * read from a freed frame is not a free managed frame (someone wrote to it). */
bool frame_alloc(struct frame_allocator *fa, struct frame *frame);

/* Give back an allocated frame. O(1). Panics "frame_free: <ERROR> 0x<frame>"
 * with FRAME_MISALIGNED (not a multiple of FRAME_SIZE), FRAME_OUTSIDE_USABLE
 * (not a managed frame: not usable RAM, below 1 MiB, reserved, or the bitmap)
 * or FRAME_NOT_ALLOCATED (managed but not allocated: a double free, or a frame
 * never handed out). */
void frame_free(struct frame_allocator *fa, struct frame frame);

/* Whether frame is currently allocated (false for anything not managed). */
bool frame_is_allocated(const struct frame_allocator *fa, struct frame frame);

/* The counters, in frames. Invariant: used + free == total. */
struct frame_stats {
    uint64_t total;
    uint64_t free;
    uint64_t used;
};
struct frame_stats frame_stats(const struct frame_allocator *fa);

/* Where the core put its bitmap (physical [start, end); empty before a
 * successful init), so the kernel can report it. */
struct frame_range frame_bitmap_range(const struct frame_allocator *fa);

/* A source of frames, for code that takes frames (the page-table code):
 * alloc returns true and stores a frame, or returns false and leaves *frame
 * alone; free gives back a frame alloc returned (NULL for a source that never
 * hands any out), so that a caller whose work fails half-way can undo it. */
struct frame_source {
    bool (*alloc)(void *ctx, struct frame *frame);
    void (*free)(void *ctx, struct frame frame);
    void *ctx;
};

/* A source drawing from fa (through frame_alloc). */
struct frame_source frame_source_of(struct frame_allocator *fa);

/* A source that always fails (the blog's EmptyFrameAllocator), for tests. */
extern const struct frame_source frame_source_empty;

/* Take one frame from a source. */
static inline bool frame_source_alloc(struct frame_source src, struct frame *frame)
{
    return src.alloc(src.ctx, frame);
}

#endif
