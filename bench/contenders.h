/* Everything the host benchmark measures, in one list (bench/contenders.c):
 * every design of the registry (include/kiln/alloc_designs.h), in registry
 * order, then the peers glibc, jemalloc and mimalloc (bench/peers.h). A
 * design that lands in the registry is benchmarked without a change here.
 *
 * The designs share one set of bench_op_design_* wrappers that call the
 * current design's ops directly (the layout is valid by construction, so
 * the front end's layout_check is not the design's cost); contender_reset
 * makes a design current over a fresh region.
 */
#ifndef KILN_BENCH_CONTENDERS_H
#define KILN_BENCH_CONTENDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc_designs.h"
#include "workloads.h"

struct contender {
    const char *name;
    const struct alloc_design *design; /* NULL for a peer */
    struct bench_allocator ops;
    void *state; /* the design's state, state_size bytes */
};

/* The region designs are handed: CONTENDER_REGION_MAX bytes, page aligned. */
#define CONTENDER_REGION_MAX ((size_t)512 << 20)

extern struct contender contenders[];
extern size_t contender_count;

/* Fill contenders[]: the registry's designs, then the peers. */
void contenders_init(void);

/* The contender called name, or NULL. contender_or_null also knows the two
 * baselines: "null" (the peers' wrappers, doing nothing) and "null_design"
 * (the designs' wrappers and ops-table call, over ops that do nothing). */
struct contender *contender_find(const char *name);
const struct bench_allocator *contender_or_null(const char *name);

/* Before a run: a design gets region_bytes of a fresh region (init) and
 * becomes current; a peer needs nothing. */
void contender_reset(struct contender *c, size_t region_bytes);

/* After a run: a design's check(), 0 when sound; 0 for a peer. */
size_t contender_check(const struct contender *c);

/* The current design's statistics. */
struct alloc_stats contender_stats(const struct contender *c);

/* The growing wrappers: the current design over a region that starts at
 * start_bytes and grows by extend, a page at a time, whenever an allocation
 * fails (as mm/heap.c grows the kernel heap, but by the least that serves).
 * They track the region's size and the live bytes the caller asked for.
 * Only for designs with extend. */
struct growth {
    size_t region;    /* bytes the design manages now */
    size_t live;      /* bytes of live blocks, as requested */
    size_t peak_live; /* the most live bytes at any time */
};
extern const struct bench_allocator contender_growing;
void contender_growth_start(struct contender *c, size_t start_bytes);
struct growth contender_growth(void);

#endif
