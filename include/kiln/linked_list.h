/* kiln's linked-list allocator (mm/alloc/linked_list.c), prefix linked_list_
 * (owned_list_ names the owning list collection, kiln/list.h).
 *
 * The free holes of the region form one singly linked list sorted by
 * address; each hole stores its node {size, next} in its own first bytes, so
 * the allocator needs no memory besides the region. Allocation is first fit
 * from the head; a free walks to its place in the list and merges with both
 * neighbours.
 *
 * Granularity: U = LINKED_LIST_UNIT = 2 * sizeof(void *) (16 on x86_64).
 *   - every block and every hole starts on a multiple of U and spans a
 *     multiple of U bytes, at least U (a block of size s takes
 *     max(U, round_up(s, U)) bytes: the same sum on alloc and on dealloc);
 *   - so the alignment padding in front of a block is 0 or >= U bytes and
 *     always stays a hole, and no remainder is ever too small to be a hole:
 *     nothing is leaked to padding.
 *
 * Two shortcuts keep the walks short without changing what they find:
 *   - hint[c], c < LINKED_LIST_HINTS: every hole at or below hint[c] is smaller
 *     than U << c, so a first-fit search for need >= U << c may start after
 *     it. Searches move it forward; frees of big enough holes below it move
 *     it back (to NULL, the head, when the hole before is not at hand).
 *   - finger: the hole where the last free landed; a free above it walks from
 *     there instead of from the head.
 *
 * Invariants, checked by linked_list_check():
 *   hole[i] + hole[i].size < hole[i+1]      (sorted, disjoint, never adjacent)
 *   start <= hole, hole + hole.size <= end  (inside the region)
 *   hole % U == 0, hole.size % U == 0, hole.size >= U
 *   sum(hole.size) + used == end - start    (free + used == size)
 *   finger, hint[c]: NULL or on the list;  bit c of hinted == (hint[c] != NULL)
 *   hole <= hint[c]  =>  hole.size < U << c
 *
 * Costs: alloc visits the holes between hint[class(size)] and the first fit;
 * dealloc and realloc the holes between the head or the finger and the block;
 * extend and stats visit all holes. Every path is O(holes) at worst.
 * No locking: the caller serialises (mm/heap.c adds the interrupt-safe lock).
 */
#ifndef KILN_LINKED_LIST_H
#define KILN_LINKED_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

#define LINKED_LIST_UNIT  (2 * sizeof(void *))
#define LINKED_LIST_HINTS 12 /* size classes U << 1 .. U << 11 and up */

struct linked_list_hole;

struct linked_list_heap {
    uintptr_t start; /* the region is [start, end), both multiples of U */
    uintptr_t end;
    uintptr_t top;                   /* the caller's end: end == max(start, round_down(top, U)) */
    struct linked_list_hole *head;   /* the lowest hole, NULL when none */
    struct linked_list_hole *finger; /* NULL or a hole on the list, where the last free landed */
    struct linked_list_hole *hint[LINKED_LIST_HINTS]; /* holes <= hint[c] are < U << c */
    unsigned hinted;                                  /* bit c set when hint[c] != NULL */
    size_t used;                                      /* bytes in blocks, rounding included */
};

/* Manage the size bytes at start. An unaligned start or end is trimmed to U;
 * a region smaller than U after trimming is empty (every alloc fails) until
 * extended. start + size must not wrap (panics). */
void linked_list_init(struct linked_list_heap *h, void *start, size_t size);

/* A block for layout, or NULL when the layout is invalid or no hole fits. */
void *linked_list_alloc(struct linked_list_heap *h, struct layout layout);

/* Free a block allocated with layout. NULL does nothing. Panics:
 *   - on an invalid layout (with the error's name);
 *   - "invalid free": the pointer is outside the region, or not aligned to U
 *     or to layout.align;
 *   - "double free": the block overlaps a hole (freed already, or a layout
 *     larger than the one it was allocated with).
 * Each message carries the pointer and the layout. */
void linked_list_dealloc(struct linked_list_heap *h, void *ptr, struct layout layout);

/* Resize a block to new_size bytes at layout.align, keeping
 * min(layout.size, new_size) bytes. In place when shrinking (the tail becomes
 * a hole) and when the hole just above the block is large enough; otherwise
 * alloc + copy + dealloc. NULL (ptr untouched) when {new_size, align} is
 * invalid or nothing fits. A NULL ptr allocates. Panics as dealloc on a bad ptr. */
void *linked_list_realloc(struct linked_list_heap *h, void *ptr, struct layout layout,
                          size_t new_size);

/* Grow the region at its top by bytes (the caller has made them usable),
 * merging with a hole that ends at the old top. Panics when the top would wrap. */
void linked_list_extend(struct linked_list_heap *h, size_t bytes);

/* Size, used, free and the largest hole. Walks every hole. */
struct alloc_stats linked_list_stats(const struct linked_list_heap *h);

/* The number of holes. */
size_t linked_list_holes(const struct linked_list_heap *h);

/* The number of broken invariants (listed above); 0 when sound. A list that
 * does not end within (end - start) / U nodes counts as broken once (and the
 * rest of the walk is skipped). */
size_t linked_list_check(const struct linked_list_heap *h);

/* h as an allocator (alloc_zeroed takes the default). */
struct allocator linked_list_allocator(struct linked_list_heap *h);

#endif
