/* The registry of allocator designs (mm/alloc/designs.c).
 *
 * Every allocator design in mm/alloc/ (bump, linked_list, fixed_block,
 * default) is one pure file over a region its caller hands it. This table is
 * the one way to pick a design by name: the kernel heap (mm/heap.c), the host
 * tests, the benchmarks, the fuzzers and the hosted libraries all go through
 * it, so no caller names a design's functions directly.
 *
 * A design's state is an opaque block of state_size bytes, aligned to
 * ALLOC_DESIGN_STATE_ALIGN, that the caller owns (static, stack or heap).
 * No locking: callers serialise (mm/heap.c adds the interrupt-safe lock).
 */
#ifndef KILN_ALLOC_DESIGNS_H
#define KILN_ALLOC_DESIGNS_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc.h"

#define ALLOC_DESIGN_STATE_ALIGN 16

struct alloc_design {
    /* "bump", "linked_list", "fixed_block", "default". */
    const char *name;
    /* Bytes of state the caller provides to init. */
    size_t state_size;
    /* Manage the size bytes at start (any alignment; a design may trim). */
    void (*init)(void *state, void *start, size_t size);
    /* The design's ops over state. */
    struct allocator (*allocator)(void *state);
    /* Grow the region at its end by bytes the caller has made usable;
     * NULL when the design cannot grow. */
    void (*extend)(void *state, size_t bytes);
    /* Size, used, free and the largest hole: free + used == size. */
    struct alloc_stats (*stats)(const void *state);
    /* The number of broken invariants; 0 when sound. Never faults. */
    size_t (*check)(const void *state);
    /* The layout to pass to dealloc for a live block ptr: size is the usable
     * size (>= the size it was allocated with), align the alignment it was
     * allocated with or a smaller one the design accepts. Lets free(ptr)
     * work without a size. NULL when the design cannot tell (then callers
     * keep kmalloc's header). Panics ("invalid free of 0x...") on a pointer
     * the design did not hand out, where the design can know. */
    struct layout (*layout_of)(const void *state, const void *ptr);
};

/* All designs, in the order above; alloc_design_count of them. */
extern const struct alloc_design *const alloc_designs[];
extern const size_t alloc_design_count;

/* The design called name, or NULL. */
const struct alloc_design *alloc_design_find(const char *name);

#endif
