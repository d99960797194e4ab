/* A heap that grows on demand (mm/alloc/heap_grow.c): the pure growth logic
 * shared by the kernel heap (mm/heap.c, pages from frames + paging_map_to)
 * and the hosted library (host/, pages from mmap).
 *
 * A heap_grow holds one design from the registry (kiln/alloc_designs.h) over
 * the region [start, start + size), all of it backed, and a page source
 * (kiln/page_source.h) that can back more bytes right after it. When an
 * allocation fails and the design can extend, heap_grow_alloc:
 *   1. computes a step (heap_grow_step): at least the request rounded up to
 *      pages (size + align, so any alignment fits), preferably as much as the
 *      heap already has (amortised doubling) but at most step_max, and never
 *      past max;
 *   2. asks the page source to back [start + size, + step); when it cannot,
 *      asks again for the request alone; on failure nothing changes (the
 *      source leaves nothing half-backed);
 *   3. extends the design by step bytes and retries the allocation once.
 * At max, or when the source has no memory, the allocation returns NULL.
 *
 * No locking: the caller serialises (mm/heap.c holds its lock around every
 * call). Nothing here touches the machine except through the page source.
 */
#ifndef KILN_HEAP_GROW_H
#define KILN_HEAP_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/alloc_designs.h"
#include "kiln/page_source.h"

/* One growth maps at most this much more than the request needs. */
#define HEAP_GROW_STEP_MAX (4u << 20)

struct heap_grow {
    const struct alloc_design *design;
    void *state; /* the design's state, design->state_size bytes, owned by the caller */
    struct allocator a;
    struct page_source pages;
    uintptr_t start; /* the region: [start, start + size) is backed */
    size_t size;
    size_t max;      /* size never grows past this */
    size_t step_max; /* HEAP_GROW_STEP_MAX unless the caller changes it */
    size_t grows;    /* successful growths */
    size_t refused;  /* growths refused: at max, or the source had no memory */
};

/* Initialise design over [start, start + size) (backed by the caller) in
 * state, growable up to max bytes through pages. start + size must be a
 * multiple of PAGE_SOURCE_PAGE (panics), and max >= size (max is raised to
 * size otherwise). A design without extend never grows. */
void heap_grow_init(struct heap_grow *g, const struct alloc_design *design, void *state,
                    void *start, size_t size, size_t max, struct page_source pages);

/* The bytes one growth maps for a request of need bytes when the heap has
 * size bytes of max: round_up(need, page) at least, preferably
 * min(size, step_max) when that is more, never past max. 0 when even
 * round_up(need, page) does not fit below max (or need overflows). */
size_t heap_grow_step(size_t size, size_t need, size_t max, size_t step_max);

/* Grow the region for a request of need bytes (see heap_grow_step): back the
 * step through the page source, then extend the design. False when the
 * design cannot extend, the step is 0, or the source refuses. */
bool heap_grow_by(struct heap_grow *g, size_t need);

/* The design's alloc; on NULL, grow for the layout and retry once. NULL for
 * an invalid layout or when growth is refused. */
void *heap_grow_alloc(struct heap_grow *g, struct layout layout);

/* allocator_realloc over the design; on NULL with a valid new layout, grow
 * and retry once. On NULL the old block stays valid. */
void *heap_grow_realloc(struct heap_grow *g, void *ptr, struct layout layout, size_t new_size);

/* The design's dealloc (its panics on misuse). */
void heap_grow_dealloc(struct heap_grow *g, void *ptr, struct layout layout);

#endif
