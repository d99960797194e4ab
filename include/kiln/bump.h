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
 *
 * kiln's addition to the post's design, because C has no borrow checker:
 * each block has a 16-byte sealed header right below it (kiln/block_seal.h),
 * {bytes, seal}, and is aligned to at least 8. The post's bump keeps only a
 * count of live blocks, so any pointer inside [start, next) would just
 * decrement it; with the header, dealloc tells
 *   - a live block of this size: freed (the seal becomes the freed seal);
 *   - the freed seal: "double free" (also the old pointer after a moving
 *     realloc), exact until the region is reset and the bytes handed out
 *     again;
 *   - a live block of another size: "size mismatch" (exact);
 *   - neither: "invalid free" (an interior pointer: the bytes below it pass
 *     for a header with probability 2^-64).
 * Cost: 16 bytes and up to 7 bytes of alignment per block (an 8-byte box
 * takes 24 bytes), two stores at alloc, a load and a compare at dealloc.
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
    uint64_t key;       /* the blocks' seal key (kiln/block_seal.h) */
};

/* Manage the size bytes at start (any alignment). start + size must not wrap. */
void bump_init(struct bump_heap *b, void *start, size_t size);

/* A block for layout, or NULL when layout is invalid or does not fit. */
void *bump_alloc(struct bump_heap *b, struct layout layout);

/* Free a block: the region is reset once the last live block is freed.
 * Panics with "invalid free" for a pointer outside [start, next), when no
 * block is live, or when the bytes below it are not a block header; with
 * "double free" and "size mismatch" as above; and on an invalid layout.
 * NULL does nothing. */
void bump_dealloc(struct bump_heap *b, void *ptr, struct layout layout);

/* Size, used (next - start, headers and padding included), free (end - next:
 * the space behind freed blocks cannot be reused before reset) and the
 * largest block a caller can get (free less a header and its alignment). */
struct alloc_stats bump_stats(const struct bump_heap *b);

/* The number of broken invariants (0 when sound). */
size_t bump_check(const struct bump_heap *b);

/* b as an allocator; alloc_zeroed and realloc take the defaults. */
struct allocator bump_allocator(struct bump_heap *b);

#endif
