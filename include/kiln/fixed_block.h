/* The fixed-size block allocator (mm/alloc/fixed_block.c), blog_os post 11's
 * FixedSizeBlockAllocator.
 *
 * Block sizes 8, 16, 32, ..., 2048 (fixed_block_size(i)). A layout goes to the
 * list of the smallest block size >= max(size, align) (the post's
 * list_index); each list is a stack of free blocks of its size, linked
 * through their first word, so alloc pops and dealloc pushes: O(1).
 *
 * The fallback is kiln's linked-list allocator (kiln/linked_list.h) over the
 * whole region: it serves layouts larger than 2048 bytes, and makes a new
 * block when a list is empty. Blocks never go back to the fallback: that is
 * the post's known weakness, kept visible and tested. After the region is
 * filled with 16-byte blocks and all of them are freed, every byte sits on
 * the 16-byte list, and a 1 KiB request cannot be served.
 *
 * kiln's additions, because C has no borrow checker to prove that dealloc
 * gets a live block of the right size:
 *   - every block is a fallback block, so it carries the fallback's sealed
 *     16-byte header (kiln/block_seal.h): {bytes, seal}. dealloc checks the
 *     live seal of its list's size, then changes it to the freed seal; alloc
 *     checks the freed seal before it pops a block and makes it live again.
 *     So a free of a block already on a list is "double free" wherever it
 *     sits in its list (exact, until the block is handed out again), a block
 *     of another list is "size mismatch" (larger or smaller class: exact),
 *     and an interior or never-allocated pointer is "invalid free" (the
 *     bytes below it pass for a header with probability 2^-64). Cost: 16
 *     bytes per block (an 8- or 16-byte block takes 32 bytes of the
 *     fallback, not 16), a load, a compare and a store at alloc and free.
 *   - blocks are aligned to FIXED_BLOCK_ALIGN (16), not to their size as in
 *     the post: with a header below each block, size-aligned blocks would
 *     leave size - 16 bytes unused between two neighbours. A layout aligned
 *     to more than 16 goes to the fallback instead of to a list.
 *   - every pointer read from a list (the link of a free block) is checked
 *     against the region before it is used: "heap corrupted" otherwise.
 *
 * stats: size and free count the fallback's region; blocks on the lists
 * count as free (largest_hole is the fallback's: the lists' blocks are not
 * one hole). Invariants, checked by fixed_block_check(): every list node is
 * inside the region, aligned, and holds the freed seal of its list; lists
 * end within the region's capacity; cached bytes == the sum over the lists;
 * and the fallback's own invariants.
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
#define FIXED_BLOCK_ALIGN   16 /* every block's alignment; more goes to the fallback */

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
 * fallback's messages; each names the pointer and the layout. Not detected:
 * a double free after the block was handed out again. */
void fixed_block_dealloc(struct fixed_block_heap *f, void *ptr, struct layout layout);

/* Grow the region at its top by bytes (the fallback's extend). */
void fixed_block_extend(struct fixed_block_heap *f, size_t bytes);

struct alloc_stats fixed_block_stats(const struct fixed_block_heap *f);

/* The number of broken invariants; 0 when sound. Never faults. */
size_t fixed_block_check(const struct fixed_block_heap *f);

/* f as an allocator (alloc_zeroed and realloc take the defaults). */
struct allocator fixed_block_allocator(struct fixed_block_heap *f);

#endif
