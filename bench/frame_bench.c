/* Host benchmark of the physical frame allocator (mm/frame.c).
 *
 * Builds allocators over a 64 MiB map and a 4 GiB map and prints, for each,
 * the build time and the cost of frame_alloc from the bump cursor, frame_free,
 * and frame_alloc from the free stack, in ns and in TSC cycles per call (best
 * of several rounds). A 64 MiB buffer stands for physical memory: every frame
 * the benchmark frees lies inside it, as does the bitmap (reach_limit).
 * Host-only: it uses clock_gettime and __rdtsc, and links no test framework.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <time.h>
#include <x86intrin.h>

#include "kiln/frame.h"
#include "kiln/panic.h"

#define MiB       (1ull << 20)
#define GiB       (1ull << 30)
#define PHYS_SIZE (64 * MiB)
#define BATCH     8192 /* frames per timed batch: 32 MiB, inside the buffer */
#define ROUNDS    20

/* Pure code panics through this; weak, so a shared bench harness may supply
 * its own. */
struct cost {
    double ns, cycles;
};

struct timer {
    struct timespec t;
    uint64_t tsc;
};

static struct timer timer_start(void)
{
    struct timer s;
    clock_gettime(CLOCK_MONOTONIC, &s.t);
    s.tsc = __rdtsc();
    return s;
}

/* Cost per operation since s, over n operations. */
static struct cost timer_per_op(struct timer s, uint64_t n)
{
    uint64_t tsc = __rdtsc();
    struct timespec e;
    clock_gettime(CLOCK_MONOTONIC, &e);
    double ns = (double)(e.tv_sec - s.t.tv_sec) * 1e9 + (double)(e.tv_nsec - s.t.tv_nsec);
    return (struct cost){ns / (double)n, (double)(tsc - s.tsc) / (double)n};
}

static void keep_best(struct cost *best, struct cost c)
{
    if (c.ns < best->ns) *best = c;
}

static unsigned char *phys;
static struct frame_allocator fa;
static struct frame frames[BATCH];

static void init_or_die(const struct mem_region *map, size_t n, const struct frame_range *res,
                        size_t rn)
{
    enum frame_error err = frame_allocator_init(&fa, map, n, res, rn, (uintptr_t)phys, PHYS_SIZE);
    if (err != FRAME_OK) {
        fprintf(stderr, "frame_allocator_init: %s\n", frame_error_name(err));
        exit(1);
    }
}

static void bench_map(const char *name, const struct mem_region *map, size_t n,
                      const struct frame_range *res, size_t rn)
{
    struct cost build = {1e30, 0}, fresh = {1e30, 0}, freed = {1e30, 0}, reused = {1e30, 0};
    for (int r = 0; r < ROUNDS; r++) {
        struct timer t = timer_start();
        init_or_die(map, n, res, rn);
        keep_best(&build, timer_per_op(t, 1));

        t = timer_start();
        for (int i = 0; i < BATCH; i++)
            if (!frame_alloc(&fa, &frames[i])) abort();
        keep_best(&fresh, timer_per_op(t, BATCH));

        t = timer_start();
        for (int i = 0; i < BATCH; i++) frame_free(&fa, frames[i]);
        keep_best(&freed, timer_per_op(t, BATCH));

        t = timer_start();
        for (int i = 0; i < BATCH; i++)
            if (!frame_alloc(&fa, &frames[i])) abort();
        keep_best(&reused, timer_per_op(t, BATCH));
    }
    struct frame_stats st = frame_stats(&fa);
    struct frame_range bm = frame_bitmap_range(&fa);
    printf("%-7s total %8llu frames, bitmap %4llu KiB, build %9.0f ns (%9.0f cycles)\n", name,
           (unsigned long long)st.total, (unsigned long long)((bm.end - bm.start) >> 10), build.ns,
           build.cycles);
    printf("%-7s frame_alloc (cursor) %5.2f ns %6.1f cycles | frame_free %5.2f ns %6.1f cycles | "
           "frame_alloc (stack) %5.2f ns %6.1f cycles\n",
           name, fresh.ns, fresh.cycles, freed.ns, freed.cycles, reused.ns, reused.cycles);

    /* Draining the whole map: the cursor crossing every range. */
    init_or_die(map, n, res, rn);
    uint64_t count = 0;
    struct frame f;
    struct timer t = timer_start();
    while (frame_alloc(&fa, &f)) count++;
    struct cost drain = timer_per_op(t, count);
    if (count != st.total) abort();
    printf("%-7s drain %llu frames: %5.2f ns %6.1f cycles per frame_alloc\n", name,
           (unsigned long long)count, drain.ns, drain.cycles);
}

int main(void)
{
    phys = aligned_alloc(FRAME_SIZE, PHYS_SIZE);
    if (!phys) return 1;
    /* The kernel image and the Multiboot2 block, as on a BIOS boot. */
    static const struct frame_range res[] = {{MiB, 0x2a5123}, {0x2a6008, 0x2a7100}};
    static const struct mem_region map64[] = {
        {0, 0x9fc00, MEM_USABLE}, {0xf0000, MiB, MEM_RESERVED}, {MiB, 64 * MiB, MEM_USABLE}};
    static const struct mem_region map4g[] = {
        {0, 0x9fc00, MEM_USABLE},
        {0xf0000, MiB, MEM_RESERVED},
        {MiB, 4 * GiB, MEM_USABLE},
    };
    printf("frame_bench: best of %d rounds, %d frames per batch\n", ROUNDS, BATCH);
    bench_map("64MiB", map64, sizeof map64 / sizeof map64[0], res, 2);
    bench_map("4GiB", map4g, sizeof map4g / sizeof map4g[0], res, 2);
    free(phys);
    return 0;
}
