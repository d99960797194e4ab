/* The allocator workloads of issue 8's benchmarks (bench/workloads.c).
 *
 * Pure C over an allocator the caller wraps in a struct bench_allocator, so
 * the same workloads run in the host benchmark (bench/heap_bench.c), in the
 * kernel benchmark image (bench/kernel_bench.c) and in the host test that
 * runs every design through them (tests/host/test_bench_workloads.c).
 *
 *   a1 simple_allocation      box 41 and box 13, freed: 4 ops a repetition
 *   a2 large_vec              1000 u64 pushed, Rust's Vec growth (4, then x2)
 *   a3 many_boxes             100 KiB worth of 8-byte boxes made and dropped
 *   a4 many_boxes_long_lived  the same beside one long-lived box
 *   b  mixed                  sizes 8..4096 log-uniform, 1 in 32 requests
 *                             aligned 16..4096, 1 in 16 ops a realloc, about
 *                             `live` blocks live (1000 for b; 100 and
 *                             100,000 for b_scale)
 *   c1 fragmentation ramp     a region's live bytes ramp from 50% to 110%
 *   c2 phase change           16-byte fill, free all, 1 KiB fill, 16-byte fill
 * Every workload is deterministic: b and c1 draw from a seeded xorshift.
 */
#ifndef KILN_BENCH_WORKLOADS_H
#define KILN_BENCH_WORKLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An allocator under test. dealloc and realloc get the size and alignment
 * the block was allocated with (GlobalAlloc's contract); realloc keeps the
 * alignment. alloc and realloc return NULL when memory runs out. */
struct bench_allocator {
    const char *name;
    void *(*alloc)(size_t size, size_t align);
    void (*dealloc)(void *p, size_t size, size_t align);
    void *(*realloc)(void *p, size_t size, size_t align, size_t new_size);
};

#define BENCH_BLOG_HEAP (100 * 1024) /* the blog's HEAP_SIZE: a3, a4 and c2 */

/* a1..a4, reps times. The operations done (allocs + deallocs + reallocs),
 * or 0 when an allocation failed (the blocks then live are leaked: callers
 * re-initialise region designs after a failure). A wrong value read back
 * panics: the allocator handed out overlapping memory. */
size_t bench_simple_allocation(const struct bench_allocator *a, unsigned reps);
size_t bench_large_vec(const struct bench_allocator *a, unsigned reps);
size_t bench_many_boxes(const struct bench_allocator *a, unsigned reps);
size_t bench_many_boxes_long_lived(const struct bench_allocator *a, unsigned reps);

/* ---- b: the mixed workload ----------------------------------------------- */
enum mixed_kind { MIXED_ALLOC, MIXED_FREE, MIXED_REALLOC };

struct mixed_op {
    uint32_t size; /* alloc: the size; realloc: the new size */
    uint32_t slot;
    uint8_t kind; /* enum mixed_kind */
    uint8_t align_log;
};

/* Where the mixed workload keeps its live blocks: one per slot. */
struct mixed_slot {
    void *p;
    uint32_t size;
    uint8_t align_log;
};

/* The generator. A slot is live with probability 17/32 in the steady state
 * (a live slot's op is a realloc with probability 2/17, so 1 op in 16 is a
 * realloc), so slots = live * 32 / 17 gives about `live` live blocks. */
struct mixed_gen {
    uint64_t rng;
    uint32_t slots;
    uint32_t next;  /* prefill: the next slot; teardown: the next slot */
    uint8_t *state; /* per slot: 0 empty, else align_log + 1 */
};

/* The slots for about live live blocks. */
uint32_t mixed_slots_for(uint32_t live);

/* Start a generator over slots slots; state holds slots bytes. */
void mixed_gen_init(struct mixed_gen *g, uint64_t seed, uint32_t slots, uint8_t *state);

/* The three parts of the workload, each op by op (false when the part is
 * over): the prefill allocates each slot live at the start (about live
 * allocations, not measured), then every steady op picks a random slot and
 * allocates, frees or reallocates it (measured), then the teardown frees
 * what is left. Call the steady part as often as the workload has ops. */
bool mixed_gen_prefill(struct mixed_gen *g, struct mixed_op *op);
void mixed_gen_steady(struct mixed_gen *g, struct mixed_op *op);
bool mixed_gen_teardown(struct mixed_gen *g, struct mixed_op *op);

/* Replay n ops on slots; each block gets its first and last byte written.
 * Returns the ops done: fewer than n when an allocation failed (the op that
 * failed is not counted and its slot keeps its old block, or none). */
size_t mixed_run(const struct bench_allocator *a, struct mixed_slot *slots,
                 const struct mixed_op *ops, size_t n);

/* ---- c1: the fragmentation ramp ------------------------------------------ */
#define RAMP_SLOTS 4096
#define RAMP_STEPS 20000

struct ramp_result {
    size_t region;             /* the region's bytes */
    size_t allocs;             /* allocations tried */
    size_t failures;           /* of them, how many returned NULL */
    size_t first_failure_live; /* live bytes at the first failure; 0: none. Utilisation
                                  at the first failure: this / region */
    size_t peak_live;          /* the most live bytes reached */
};

/* Fill a region of region bytes with blocks of 16..2048 bytes (log-uniform)
 * to 50% live, then for RAMP_STEPS steps allocate while the live bytes are
 * below a target ramping to 110% and free a random live block otherwise.
 * The script does not depend on the allocator; a failed allocation is
 * counted and its later free skipped. Ends with every block freed.
 * slots: RAMP_SLOTS entries of scratch. */
struct ramp_result bench_fragmentation_ramp(const struct bench_allocator *a, size_t region,
                                            uint64_t seed, struct mixed_slot *slots);

/* ---- c2: the phase change --------------------------------------------------- */
struct phase_result {
    size_t small1; /* 16-byte blocks until the first failure */
    size_t large;  /* then, all freed: 1 KiB blocks until the first failure */
    size_t small2; /* then, all freed: 16-byte blocks again */
};

/* The three fills; the blocks are chained through their own first bytes, so
 * the workload needs no memory of its own. Ends with every block freed.
 * Only for allocators over a bounded region (a system malloc never fails). */
struct phase_result bench_phase_change(const struct bench_allocator *a);

/* The xorshift the workloads draw from. */
static inline uint64_t bench_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#endif
