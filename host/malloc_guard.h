/* The misuse guard of libkiln_malloc.so (host/malloc_guard.c): two bitmaps
 * over the heap's reservation, one bit per 16-byte granule, so that free can
 * tell a live block from a freed one and from anything else, whatever design
 * runs underneath.
 *
 *   live[g]   == 1  iff a live block the library handed out starts at g;
 *   freed[g]  == 1  iff a block that started at g was freed and no block
 *                   handed out since covers g.
 *
 * So free(p) is valid iff live[p]; when freed[p] it is a double free; else an
 * invalid free (a foreign pointer, or an interior one: an allocation clears
 * freed over its whole span). Costs: a bit per alloc and free, plus clearing
 * span / 128 bytes of bitmap per alloc. The bitmaps are backed alongside the
 * heap's own pages (1/64 of them), as a page source that wraps the heap's.
 * Bits change atomically, so the thread caches may free and reuse without
 * the heap lock.
 */
#ifndef KILN_MALLOC_GUARD_H
#define KILN_MALLOC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/page_source.h"

#define MALLOC_GUARD_GRANULE 16u

struct malloc_guard {
    uintptr_t base, limit; /* the heap's reservation */
    uint64_t *live, *freed;
    struct page_source heap_pages; /* what backs the heap itself */
};

/* Reserve the bitmaps for the heap reservation [base, base + reserve); false
 * when mmap refuses. heap_pages backs the heap's own pages. */
bool malloc_guard_init(struct malloc_guard *g, uintptr_t base, size_t reserve,
                       struct page_source heap_pages);

/* The page source to grow the heap through: backs the heap's pages and the
 * bitmap pages that cover them. ctx is g. */
struct page_source malloc_guard_pages(struct malloc_guard *g);

/* p (16-aligned, in the reservation) was handed out; [lo, hi) is the span its
 * block covers, header and padding included. */
void malloc_guard_on_alloc(struct malloc_guard *g, uintptr_t p, uintptr_t lo, uintptr_t hi);

/* Whether p is a live block. */
bool malloc_guard_live(const struct malloc_guard *g, uintptr_t p);

/* Abort unless p is a live block: "kiln: double free of 0x..." for a freed
 * one, "kiln: invalid free of 0x..." for anything else (who names the call:
 * "free", "realloc", "free_sized", "malloc_usable_size"). */
void malloc_guard_expect_live(const struct malloc_guard *g, uintptr_t p, const char *who);

/* p, a live block, is freed. */
void malloc_guard_on_free(struct malloc_guard *g, uintptr_t p);

/* expect_live and on_free as one atomic step, safe outside the heap lock:
 * of two threads freeing p at once, one aborts. */
void malloc_guard_take(struct malloc_guard *g, uintptr_t p, const char *who);

/* Clear the freed marks over [lo, hi): a new block (not yet handed out) covers it. */
void malloc_guard_clear_span(struct malloc_guard *g, uintptr_t lo, uintptr_t hi);

/* p, a block freed into a thread cache, is handed out again. */
void malloc_guard_reuse(struct malloc_guard *g, uintptr_t p);

#endif
