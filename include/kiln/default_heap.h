/* kiln's default allocator (mm/alloc/default_heap*.c), prefix default_heap_:
 * O(1) alloc and free over a region its caller hands it.
 *
 * Two parts share the region:
 *   - the pool (default_heap_pool.c, its aligned path default_heap_aligned.c):
 *     segregated fit with two-level bitmaps, as TLSF. Every pool block
 *     starts with a 16-byte header {prev_size, head}. head holds the
 *     block's size (a multiple of 16, header included) and flags; for a
 *     block in use also the log2 of its alignment class and
 *     an 8-bit checksum over all of it and the header's address (a hole's
 *     head is exactly size | FREE). prev_size is the size of the block below
 *     while that is a hole (0 while it is in use): the boundary tag. Free
 *     blocks are coalesced at once and sit on one of FL x SL lists; a bitmap
 *     per level finds the first non-empty list in two bit scans.
 *   - slab pages (default_heap.c): 2 KiB pool blocks whose 64-byte header
 *     sits on a 2 KiB boundary, cut into equal slots of one size class (16,
 *     32, ..., 128 by 16). The header holds a vacant bitmap (one bit per 16
 *     bytes, clear exactly at a live slot's first byte). Small requests
 *     (size <= DEFAULT_HEAP_SMALL_MAX, align <= 16) take the lowest free slot
 *     of the first page on their class's list (an AND with the class's slot
 *     starts and a bit scan), clearing its bit; a free sets it again.
 *     Slots carry no header and hold no links: the page is found by masking
 *     the address, and a write to a freed slot misleads nothing.
 *     When no page can be had, a small request takes a pool block (freed by
 *     pointer like any other). A page that empties goes back to the pool,
 *     except one per class kept for reuse; those kept pages go back too as
 *     soon as the pool runs short.
 *
 * The ops take valid layouts (allocator_alloc checks them once); the
 * default_heap_* functions below check them themselves.
 *
 * Hardening (issue 12): a misuse panics with a clear message, and never makes
 * the allocator write outside the region or hand out a live block twice.
 *   - a slab free of a set vacant bit is "double free of 0x..." (a slot
 *     start) or "invalid free of 0x..." (anything else); the check word of a
 *     slab page names its class, so a free with another class's layout
 *     fails that one compare and is then named "size mismatch: ...";
 *   - a pool block's header must pass its checksum, lie inside the region and
 *     be in use: else "invalid free" (or "double free" for a hole's header or
 *     one a coalesce absorbed); a hole's size must match the boundary tag
 *     above it before it is used;
 *   - a layout whose size class or alignment class differs from the block's
 *     (larger or smaller) is "size mismatch: ...";
 *   - every size, link and pointer read from metadata is checked against the
 *     region before anything is written through it, and list links must point
 *     back: "heap corrupted: ...".
 *   A slab page is recognised by its check word (page address ^ a per-heap
 *   key ^ class) inside its header; a block's own data would have to forge
 *   that word to be mistaken for one. A pool header is recognised by its
 *   8-bit checksum, its flags, its alignment class and its size, so 16
 *   bytes of a caller's data below an interior pointer (or below a slab slot
 *   freed with a layout above 128 bytes) pass for one with a chance of
 *   about 2^-14 or less.
 *
 * Invariants, checked by default_heap_check():
 *   pool blocks tile [start, end - 16) exactly, then a 16-byte end marker;
 *   each used header's checksum holds, each hole's head is size | FREE;
 *   no two free blocks are adjacent;
 *   prev_size(b) == (FREE(prev(b)) ? size(prev(b)) : 0);
 *   each free block is on the list of its size, lists are doubly linked, and
 *   bitmap bits == (list != empty);
 *   each slab page: check word and class agree, clear vacant bits only at
 *   slot starts, quota == live slots - 1 + kept (+ DH_SLAB_UNLISTED exactly
 *   while full and off its list); a page is marked kept exactly when it is
 *   empty[its class];
 *   free + used == size.
 *
 * No locking: the caller serialises (mm/heap.c adds the interrupt-safe lock).
 */
#ifndef KILN_DEFAULT_HEAP_H
#define KILN_DEFAULT_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

#define DEFAULT_HEAP_PAGE      2048u /* a slab page */
/* Footprint against speed: each class keeps a partly used page, so slab
 * classes stop at 128 bytes and pages are 2 KiB. Measured on the 256 KiB
 * fragmentation ramp (utilisation at the first failure): 4 KiB pages with
 * classes to 512 bytes 0.67, to 128 bytes 0.79; 2 KiB pages to 128 bytes
 * 0.79, and 0.83 with the pool carving blocks from the top of a hole. Above
 * 128 bytes the pool's 16-byte header costs less than those pages. */
#define DEFAULT_HEAP_SMALL_MAX 128u
#define DEFAULT_HEAP_CLASSES   8u
#define DEFAULT_HEAP_FL        41u /* pool blocks up to 2^47 bytes */
#define DEFAULT_HEAP_SL        16u

struct default_heap_block;
struct default_heap_slab;

struct default_heap {
    uintptr_t start, end; /* the region [start, end), multiples of 16 */
    uintptr_t top;        /* the caller's end: end == round_down(top, 16), or start if tiny */
    size_t pool_span;     /* end - 16 - start (where headers may lie), 0 while empty */
    uintptr_t slab_lo;    /* slab pages lie inside [slab_lo, slab_lo + 16 * slab_grains) */
    size_t slab_grains;
    uintptr_t key; /* per-heap: seeds checksums and slab check words */
    /* Slab pages of class c with a free slot (and, lazily, full ones);
     * never NULL (an empty list holds a read-only page with no free slot). */
    struct default_heap_slab *avail[DEFAULT_HEAP_CLASSES];
    /* NULL or a slab page of class c, kept when it emptied. */
    struct default_heap_slab *empty[DEFAULT_HEAP_CLASSES];
    uint64_t fl_bitmap;
    uint32_t sl_bitmap[DEFAULT_HEAP_FL];
    struct default_heap_block *heads[DEFAULT_HEAP_FL * DEFAULT_HEAP_SL]; /* list fl * SL + sl */
};

/* Manage the size bytes at start (any alignment: trimmed to 16). A region too
 * small for one block is empty (every alloc fails) until extended. Panics when
 * start + size wraps. */
void default_heap_init(struct default_heap *h, void *start, size_t size);

/* A block for layout, or NULL when the layout is invalid or nothing fits.
 * Any power-of-two alignment is served (above 16 from the pool). */
void *default_heap_alloc(struct default_heap *h, struct layout layout);

/* Free a block allocated with layout. NULL does nothing. Panics on an invalid
 * layout, "invalid free of 0x...", "double free of 0x...", "size mismatch:
 * ..." and "heap corrupted: ..." as described above. */
void default_heap_dealloc(struct default_heap *h, void *ptr, struct layout layout);

/* Resize ptr to new_size bytes at layout.align, keeping min(old, new) bytes:
 * in place within a slab class and when a pool block shrinks or the hole
 * above it is large enough; otherwise alloc + copy + free. NULL (ptr
 * untouched) when {new_size, align} is invalid or nothing fits; a NULL ptr
 * allocates. Panics as dealloc on a bad ptr or layout. */
void *default_heap_realloc(struct default_heap *h, void *ptr, struct layout layout,
                           size_t new_size);

/* Grow the region at its end by bytes the caller has made usable. Panics when
 * the end would wrap. */
void default_heap_extend(struct default_heap *h, size_t bytes);

/* The layout to free ptr with: {usable size, alignment class}. Panics with
 * "invalid free of 0x..." or "double free of 0x..." for a pointer that is not
 * a live block. */
struct layout default_heap_layout_of(const struct default_heap *h, const void *ptr);

/* Size (end - start), free (pool holes and free slab slots), used (the rest:
 * blocks, headers, slab overhead) and the largest payload one alloc could
 * get. Walks every pool block. */
struct alloc_stats default_heap_stats(const struct default_heap *h);

/* The number of broken invariants (listed above); 0 when sound. Never
 * faults: each pointer is checked against the region before it is read, and
 * every walk is bounded. */
size_t default_heap_check(const struct default_heap *h);

/* h as an allocator. Its ops include resize_in_place (what realloc does
 * when the block need not move), so the kernel heap grows a block in place
 * under its lock and copies only what must move outside it. */
struct allocator default_heap_allocator(struct default_heap *h);

#endif
