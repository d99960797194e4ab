/* kiln's linked-list allocator (mm/alloc/linked_list.c), prefix linked_list_
 * (owned_list_ names the owning list collection, kiln/list.h).
 *
 * The textbook design of blog_os post 11, "Linked List Allocator", in C:
 * the free holes of the region form one singly linked list sorted by address;
 * each hole stores its node {size, next} in its own first bytes, so the
 * allocator needs no memory besides the region. The post's functions are here
 * under their own names (static, in mm/alloc/linked_list.c):
 *   size_align        the bytes a layout's data takes (at least one node);
 *                     kiln adds the block's header (block_bytes)
 *   alloc_from_region whether a layout fits a hole, and where in it
 *   find_region       plain first fit from the head
 *   add_free_region   put a freed range back, in address order, merging with
 *                     both neighbours (the post pushes at the head and never
 *                     merges; kiln coalesces, as the post suggests)
 *
 * Granularity: U = LINKED_LIST_UNIT = 2 * sizeof(void *) (16 on x86_64).
 *   - every block and every hole starts on a multiple of U and spans a
 *     multiple of U bytes (a block of size s takes 16 + max(U,
 *     round_up(s, U)) bytes, its header included: the same sum on alloc and
 *     on dealloc);
 *   - so the alignment padding in front of a block is 0 or >= U bytes and
 *     always stays a hole: unlike the post, nothing is leaked to padding.
 *
 * The seal (kiln/block_seal.h), kiln's one addition to the post's design:
 * each block starts with a 16-byte header {bytes, seal}, and the caller's
 * pointer is just past it. seal = block_seal(key, ptr, bytes) while the
 * block is live, cleared at free. It is there because C has no borrow
 * checker: Rust proves at compile time that dealloc gets a live block and
 * its own layout, kiln checks the header at run time. Cost: 16 bytes per
 * block (a 16-byte box takes 32 bytes instead of 16), a store at alloc, a
 * load and compare at dealloc.
 *
 * Invariants, checked by linked_list_check():
 *   hole[i] + hole[i].size < hole[i+1]      (sorted, disjoint, never adjacent)
 *   start <= hole, hole + hole.size <= end  (inside the region)
 *   hole % U == 0, hole.size % U == 0, hole.size >= U
 *   sum(hole.size) + used == end - start    (free + used == size)
 *   between the holes, blocks whose headers hold a live seal (or the freed
 *   seal of a block on fixed_block's lists) and whose bytes tile the gap
 *
 * Hardening: every node read from the list (its size and next) is checked
 * against those invariants before the allocator uses it, let alone writes
 * through it; a node that fails panics with "heap corrupted: ..." and its
 * address. So an overflow or a use-after-free write into a hole stops kiln
 * instead of making the allocator write outside its region.
 *
 * Costs: alloc visits the holes up to the first fit; dealloc, realloc and
 * extend the holes below the block (or all of them). Every path is
 * O(holes). Speed is not this design's goal; `default` is kiln's fast one.
 * No locking: the caller serialises (mm/heap.c adds the interrupt-safe lock).
 */
#ifndef KILN_LINKED_LIST_H
#define KILN_LINKED_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

#define LINKED_LIST_UNIT (2 * sizeof(void *))

struct linked_list_hole;

struct linked_list_heap {
    uintptr_t start; /* the region is [start, end), both multiples of U */
    uintptr_t end;
    uintptr_t top;                 /* the caller's end: end == max(start, round_down(top, U)) */
    struct linked_list_hole *head; /* the lowest hole, NULL when none */
    size_t used;                   /* bytes in blocks, headers and rounding included */
    uint64_t key;                  /* the blocks' seal key (kiln/block_seal.h) */
};

/* Manage the size bytes at start. An unaligned start or end is trimmed to U;
 * a region smaller than U after trimming is empty (every alloc fails) until
 * extended. start + size must not wrap (panics). */
void linked_list_init(struct linked_list_heap *h, void *start, size_t size);

/* A block for layout (first fit), or NULL when the layout is invalid or no
 * hole fits. Panics "heap corrupted" on a broken hole node. */
void *linked_list_alloc(struct linked_list_heap *h, struct layout layout);

/* Free a block allocated with layout. NULL does nothing. Panics:
 *   - on an invalid layout (with the error's name);
 *   - "invalid free": the pointer is outside the region, or not aligned to U
 *     or to layout.align, or the 16 bytes below it are not a live block's
 *     header (an interior pointer, a pointer never handed out; such bytes
 *     pass for a header with probability 2^-64);
 *   - "double free": the header below it lies in a hole (freed already,
 *     before its memory was reused; or never allocated);
 *   - "size mismatch": a live block of another size (larger or smaller,
 *     after rounding to U: exact);
 *   - "heap corrupted": a hole node on the way fails its check.
 * Each message carries the pointer and the layout. Not detected: a double
 * free after the memory was handed out again at the same address, and an
 * alignment other than the block's (harmless here: padding is a hole). */
void linked_list_dealloc(struct linked_list_heap *h, void *ptr, struct layout layout);

/* Resize a block to new_size bytes at layout.align, keeping
 * min(layout.size, new_size) bytes. In place when shrinking (the tail becomes
 * a hole) and when the hole just above the block is large enough; otherwise
 * alloc + copy + dealloc. NULL (ptr untouched) when {new_size, align} is
 * invalid or nothing fits. A NULL ptr allocates. Panics as dealloc on a bad ptr. */
void *linked_list_realloc(struct linked_list_heap *h, void *ptr, struct layout layout,
                          size_t new_size);

/* Resize a block without moving it: shrinking always works (the tail becomes
 * a hole); growing works when the hole just above the block is large enough.
 * True when done; false (nothing changed) otherwise, also when
 * {new_size, align} is invalid. Panics as dealloc on a bad ptr. */
bool linked_list_resize_in_place(struct linked_list_heap *h, void *ptr, struct layout layout,
                                 size_t new_size);

/* Grow the region at its top by bytes (the caller has made them usable),
 * merging with a hole that ends at the old top. Panics when the top would wrap. */
void linked_list_extend(struct linked_list_heap *h, size_t bytes);

/* Size, used, free, and as largest_hole the largest block a caller can get
 * (the largest hole less a header). Walks every hole. */
struct alloc_stats linked_list_stats(const struct linked_list_heap *h);

/* The number of holes. */
size_t linked_list_holes(const struct linked_list_heap *h);

/* The number of broken invariants (listed above); 0 when sound. Never
 * faults: each node's address is checked (inside the region, aligned, above
 * the previous hole) before it is read; a node that fails counts once and
 * ends the walk, which is so bounded by (end - start) / U steps. When the
 * holes are sound, a second walk reads each block's header between them
 * (O(blocks)): a block whose seal or size fails counts once. */
size_t linked_list_check(const struct linked_list_heap *h);

/* h as an allocator (alloc_zeroed takes the default). */
struct allocator linked_list_allocator(struct linked_list_heap *h);

#endif
