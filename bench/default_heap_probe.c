/* A probe for designing the default allocator: the workloads over one
 * registered design, through its ops table (an indirect call, as every caller
 * of the registry makes it), under callgrind or for counts.
 *
 *   default_heap_probe DESIGN WORKLOAD   run once; prints ops and figures
 *   workloads: a1 a3 a4 b b100 b100k c1 c2
 *
 * Instructions: run under
 *   valgrind --tool=callgrind --collect-atstart=no '--toggle-collect=probe_op_*'
 * once with the design and once with "null" (the wrappers alone); the
 * difference over ops is the design's own cost per operation. make bench
 * (bench/bench.mk) is the official comparison; this probe is the quick loop
 * used while designing `default`. Build (allocator objects without
 * -fno-optimize-sibling-calls, as bench.mk builds them):
 *   for f in mm/alloc/[a-z]*.c lib/string.c bench/panic.c; do
 *     gcc -std=gnu11 -O2 -Iinclude -DKILN_HOST -c $f -o build/probe-$(basename $f).o; done
 *   gcc -std=gnu11 -O2 -Iinclude -DKILN_HOST -fno-optimize-sibling-calls \
 *     -o build/default_heap_probe bench/default_heap_probe.c build/probe-*.o
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/alloc_designs.h"

#define NOINLINE __attribute__((noinline))

static _Alignas(4096) unsigned char region[256u << 20];
static _Alignas(16) unsigned char state[64 * 1024];
static struct allocator A;
static const struct alloc_design *D;
static int null_mode;
static _Alignas(4096) unsigned char scratch[2][8192];
static unsigned scratch_next;

/* bgrow: the region starts at 64 KiB and grows a page at a time when an
 * allocation fails, as a kernel heap does; grown counts the bytes. */
static int growing;
static size_t grown;

NOINLINE void *probe_op_alloc(size_t size, size_t align)
{
    if (null_mode) return scratch[scratch_next++ & 1];
    void *p = A.ops->alloc(A.state, (struct layout){size, align});
    while (!p && growing) {
        D->extend(state, 4096);
        grown += 4096;
        p = A.ops->alloc(A.state, (struct layout){size, align});
    }
    return p;
}
NOINLINE void probe_op_dealloc(void *p, size_t size, size_t align)
{
    if (null_mode) return;
    A.ops->dealloc(A.state, p, (struct layout){size, align});
}
NOINLINE void *probe_op_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    if (null_mode) return p;
    for (;;) {
        void *q = allocator_realloc(&A, p, (struct layout){size, align}, new_size);
        if (q || !growing) return q;
        D->extend(state, 4096);
        grown += 4096;
    }
}

static void fail(const char *what)
{
    fprintf(stderr, "probe: %s\n", what);
    exit(1);
}

static void reset(size_t bytes)
{
    if (!null_mode) {
        D->init(state, region, bytes);
        A = D->allocator(state);
    }
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t log_uniform(unsigned lo_log, unsigned hi_log) /* 2^lo .. 2^hi */
{
    unsigned e = lo_log + (unsigned)(rng() % (hi_log - lo_log));
    return ((size_t)1 << e) + rng() % (((size_t)1 << e) + 1);
}

static size_t a1(void)
{
    for (int r = 0; r < 100000; r++) {
        uint64_t *x = probe_op_alloc(8, 8), *y = probe_op_alloc(8, 8);
        if (!x || !y) fail("a1: out of memory");
        *x = 41, *y = 13;
        probe_op_dealloc(x, 8, 8);
        probe_op_dealloc(y, 8, 8);
    }
    return 400000;
}

static size_t boxes(int long_lived)
{
    size_t ops = 0;
    uint64_t *keep = NULL;
    if (long_lived) keep = probe_op_alloc(8, 8), ops++;
    for (uint64_t i = 0; i < 100 * 1024; i++) {
        uint64_t *x = probe_op_alloc(8, 8);
        if (!x) fail("boxes: out of memory");
        *x = i;
        probe_op_dealloc(x, 8, 8);
        ops += 2;
    }
    if (long_lived) probe_op_dealloc(keep, 8, 8), ops++;
    return ops;
}

/* b: ops operations, sizes 8..4096 log-uniform, 1 in 32 aligned 16..4096,
 * about live blocks live, 1 in 16 operations on a live block a realloc. */
static size_t peak_live, live_bytes, high_water;
static size_t mixed(size_t ops, size_t live)
{
    size_t slots = live * 2;
    struct slot {
        void *p;
        uint32_t size;
        uint8_t align_log;
    } *s = calloc(slots, sizeof *s);
    for (size_t i = 0; i < ops; i++) {
        struct slot *t = &s[rng() % slots];
        if (!t->p) {
            size_t size = log_uniform(3, 12);
            unsigned al = rng() % 32 == 0 ? 4 + (unsigned)(rng() % 9) : 3;
            t->p = probe_op_alloc(size, (size_t)1 << al);
            if (!t->p) fail("b: out of memory");
            t->size = (uint32_t)size, t->align_log = (uint8_t)al;
            live_bytes += size;
        } else if (t->align_log <= 4 && rng() % 8 == 0) {
            size_t size = log_uniform(3, 12);
            void *q = probe_op_realloc(t->p, t->size, (size_t)1 << t->align_log, size);
            if (!q) fail("b: out of memory in realloc");
            live_bytes += size - t->size;
            t->p = q, t->size = (uint32_t)size;
        } else {
            probe_op_dealloc(t->p, t->size, (size_t)1 << t->align_log);
            t->p = NULL;
            live_bytes -= t->size;
        }
        if (!null_mode) {
            uintptr_t top = (uintptr_t)t->p + (t->p ? t->size : 0) - (uintptr_t)region;
            if (t->p && top > high_water) high_water = top;
        }
        if (live_bytes > peak_live) peak_live = live_bytes;
    }
    for (size_t i = 0; i < slots; i++)
        if (s[i].p) probe_op_dealloc(s[i].p, s[i].size, (size_t)1 << s[i].align_log);
    free(s);
    return ops + slots / 2; /* about: the final frees */
}

/* c1: fragmentation ramp over bytes: live bytes ramp from 50% to 110% of the
 * region; utilisation = live / region at the first failure. */
static void c1(size_t bytes)
{
    enum { MAXB = 4096 };
    static struct {
        void *p;
        size_t size;
    } b[MAXB];
    size_t n = 0, live = 0, steps = 20000;
    for (size_t i = 0; i < steps; i++) {
        size_t target = bytes / 2 + bytes * 6 / 10 * i / steps;
        if (live < target || n == 0) {
            size_t size = log_uniform(4, 11);
            void *p = probe_op_alloc(size, 8);
            if (!p) {
                printf("c1: first failure at step %zu: live %zu of %zu: utilisation %.3f\n", i,
                       live, bytes, (double)live / bytes);
                break;
            }
            b[n].p = p, b[n].size = size, n++, live += size;
        } else {
            size_t k = rng() % n;
            probe_op_dealloc(b[k].p, b[k].size, 8);
            live -= b[k].size;
            b[k] = b[--n];
        }
    }
    for (size_t i = 0; i < n; i++) probe_op_dealloc(b[i].p, b[i].size, 8);
}

static size_t fill(size_t size, void **p, size_t max)
{
    size_t n = 0;
    while (n < max && (p[n] = probe_op_alloc(size, 8))) n++;
    for (size_t i = 0; i < n; i++) probe_op_dealloc(p[i], size, 8);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) fail("usage: default_heap_probe DESIGN WORKLOAD");
    null_mode = strcmp(argv[1], "null") == 0;
    if (!null_mode && !(D = alloc_design_find(argv[1]))) fail("no such design");
    const char *w = argv[2];
    size_t ops = 0;
    if (!strcmp(w, "a1"))
        reset(100 * 1024), ops = a1();
    else if (!strcmp(w, "a3"))
        reset(100 * 1024), ops = boxes(0);
    else if (!strcmp(w, "a4"))
        reset(100 * 1024), ops = boxes(1);
    else if (!strcmp(w, "b"))
        reset(64u << 20), ops = mixed(1000000, 1000);
    else if (!strcmp(w, "bgrow")) {
        reset(64 * 1024), growing = 1, grown = 64 * 1024, mixed(1000000, 1000);
        printf("bgrow: region grew to %zu for a peak live of %zu: footprint/peak %.3f\n", grown,
               peak_live, (double)grown / peak_live);
    } else if (!strcmp(w, "b100"))
        reset(64u << 20), ops = mixed(1000000, 100);
    else if (!strcmp(w, "b100k"))
        reset(256u << 20), ops = mixed(1000000, 100000);
    else if (!strcmp(w, "c1"))
        reset(256 * 1024), c1(256 * 1024);
    else if (!strcmp(w, "c2")) {
        static void *p[16384];
        reset(100 * 1024);
        size_t n0 = fill(16, p, 16384), n1 = fill(1024, p, 16384), n2 = fill(16, p, 16384);
        printf("c2: 16-byte %zu, 1 KiB %zu, 16-byte %zu\n", n0, n1, n2);
    } else
        fail("no such workload");
    if (ops) printf("ops %zu\n", ops);
    if (peak_live && !null_mode) {
        struct alloc_stats s = D->stats(state);
        printf("b: peak live %zu, high water %zu: footprint/peak %.3f; check %zu, used %zu\n",
               peak_live, high_water, (double)high_water / peak_live, D->check(state), s.used);
    }
    return 0;
}
