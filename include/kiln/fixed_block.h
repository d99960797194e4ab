/* The fixed-size block allocator (mm/alloc/fixed_block.c), blog_os post 11's
 * FixedSizeBlockAllocator.
 *
 * Block sizes 8, 16, 32, ..., 2048 (FIXED_BLOCK_SIZES). A layout goes to the
 * list of the smallest block size >= max(size, align); each list is a stack
 * of free blocks of its size, linked through their first word, so alloc pops
 * and dealloc pushes: O(1). A block of size s is aligned to s (a size is a
 * power of two, so it serves any alignment up to itself).
 *
 * The fallback is kiln's linked-list allocator (kiln/linked_list.h) over the
 * whole region: it serves layouts larger than 2048 bytes (or aligned more),
 * and makes a new block when a list is empty. Blocks never go back to the
 * fallback: that is the post's known weakness, kept visible and tested.
 * After the region is filled with 16-byte blocks and all of them are freed,
 * every byte sits on the 16-byte list, and a 1 KiB request cannot be served.
 *
 * Misuse it can know of: a pointer outside the region, a pointer that is not
 * aligned to its layout's block size (an interior pointer, or a dealloc
 * layout of a larger class than the block's: "size mismatch"), a block freed
 * twice in a row (it is the head of its list: "double free"), and everything
 * the fallback detects for large blocks. Not detected: a layout of a smaller
 * class than the block's (the block is then pushed on the smaller list, and
 * the difference is lost), and a double free of a block not at its list's
 * head.
 *
 * stats: size and free count the fallback's region; blocks on the lists
 * count as free (largest_hole is the fallback's: the lists' blocks are not
 * one hole). Invariants, checked by fixed_block_check(): every list node is
 * inside the region, aligned to its block size, and lists end within the
 * region's capacity; cached bytes == the sum over the lists; and the
 * fallback's own invariants.
 * No locking: the caller serialises.
 */
#ifndef KILN_FIXED_BLOCK_H
#define KILN_FIXED_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/linked_list.h"

#define FIXED_BLOCK_CLASSES 9 /* 8 << 0 .. 8 << 8 == 2048 */
#define FIXED_BLOCK_MAX     2048

struct fixed_block_node;

struct fixed_block_heap {
    struct fixed_block_node *head[FIXED_BLOCK_CLASSES]; /* list i: blocks of 8 << i bytes */
    size_t cached;                                      /* bytes on the lists */
    struct linked_list_heap fallback;                   /* the whole region */
};

/* The block size of list i (8 << i). */
static inline size_t fixed_block_size(unsigned i)
{
    return (size_t)8 << i;
}

/* Manage the size bytes at start (as linked_list_init; panics when it wraps). */
void fixed_block_init(struct fixed_block_heap *f, void *start, size_t size);

/* A block for layout, or NULL when the layout is invalid or nothing fits. */
void *fixed_block_alloc(struct fixed_block_heap *f, struct layout layout);

/* Free a block allocated with layout. NULL does nothing. Panics with
 * "invalid free", "size mismatch", "double free" (see above) or the
 * fallback's messages; each names the pointer and the layout. */
void fixed_block_dealloc(struct fixed_block_heap *f, void *ptr, struct layout layout);

/* Grow the region at its top by bytes (the fallback's extend). */
void fixed_block_extend(struct fixed_block_heap *f, size_t bytes);

struct alloc_stats fixed_block_stats(const struct fixed_block_heap *f);

/* The number of broken invariants; 0 when sound. Never faults. */
size_t fixed_block_check(const struct fixed_block_heap *f);

/* f as an allocator (alloc_zeroed and realloc take the defaults). */
struct allocator fixed_block_allocator(struct fixed_block_heap *f);

#endif
