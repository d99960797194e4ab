/* The bump allocator (mm/alloc/bump.c), after the blog's BumpAllocator.
 *
 * Blocks are handed out upwards from the start of the region; nothing is
 * reused until every block is freed, and then the whole region is.
 *
 *     start            next                     end
 *     | blocks and padding |        free           |
 *
 * Invariants: start <= next <= end;  allocations == 0  =>  next == start;
 * used == next - start, free == end - next, free + used == size.
 * No locking: the caller serialises (mm/heap.c adds the lock).
 */
#ifndef KILN_BUMP_H
#define KILN_BUMP_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

struct bump_heap {
    uintptr_t start; /* the region is [start, end) */
    uintptr_t end;
    uintptr_t next;     /* the first byte never handed out since the last reset */
    size_t allocations; /* live blocks */
};

/* Manage the size bytes at start (any alignment). start + size must not wrap. */
void bump_init(struct bump_heap *b, void *start, size_t size);

/* A block for layout, or NULL when layout is invalid or does not fit. */
void *bump_alloc(struct bump_heap *b, struct layout layout);

/* Free a block: the region is reset once the last live block is freed.
 * Panics with "invalid free" for a pointer outside [start, next) or when no
 * block is live, and on an invalid layout. NULL does nothing. */
void bump_dealloc(struct bump_heap *b, void *ptr, struct layout layout);

/* Size, used (next - start, padding included), free and the largest hole
 * (end - next: the space behind freed blocks cannot be reused before reset). */
struct alloc_stats bump_stats(const struct bump_heap *b);

/* The number of broken invariants (0 when sound). */
size_t bump_check(const struct bump_heap *b);

/* b as an allocator; alloc_zeroed and realloc take the defaults. */
struct allocator bump_allocator(struct bump_heap *b);

#endif
