/* The registry's designs inside kiln, for the kernel benchmark image
 * (bench/kernel_bench.c) and the kernel test that runs every design through
 * the workloads (tests/kernel/design_workloads.c): a region of fresh pages
 * the heap does not use, and one design at a time over it.
 */
#ifndef KILN_BENCH_KERNEL_DESIGNS_H
#define KILN_BENCH_KERNEL_DESIGNS_H

#include <stddef.h>

#include "bench/workloads.h"
#include "kiln/alloc_designs.h"

/* Where the region is mapped: far from the heap and from its growth. */
#define BENCH_REGION_START 0x0000555555550000ull

/* Map bytes (a multiple of 4 KiB) of fresh frames, writable, at
 * BENCH_REGION_START; panics naming the map error when it cannot. Once. */
void *bench_region_map(size_t bytes);

/* Make d the current design over the first bytes of the region (a fresh
 * init, forgetting every block of the one before). */
void bench_design_use(const struct alloc_design *d, size_t bytes);

/* The current design's check(): 0 when sound; its state. */
size_t bench_design_check(void);
const void *bench_design_state(void);

/* The current design, as the workloads call it: its ops, called directly. */
extern const struct bench_allocator bench_design;

/* A design whose ops do nothing (two scratch blocks handed out in turn), to
 * measure the harness; bench_design_use(&bench_null_design, 0). */
extern const struct alloc_design bench_null_design;

#endif
