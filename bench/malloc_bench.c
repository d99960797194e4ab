/* malloc_bench: a malloc workload to run under LD_PRELOAD (host/malloc_bench.sh
 * runs it under glibc, jemalloc, mimalloc and libkiln_malloc.so, one process
 * each, and prints the table). Plain C over malloc/free/realloc: whichever
 * allocator the process has is the one measured.
 *
 *   malloc_bench mt THREADS OPS
 *     THREADS threads, each doing OPS operations over its own 2048 slots
 *     (about 1000 blocks live per thread): an empty slot gets a block
 *     (sizes 24..4096 log-uniform, 1 in 64 up to 64 KiB), a full one is freed,
 *     1 in 16 is realloc'd; 1 in 8 new blocks goes to the next thread
 *     through a lock-free ring, which frees it (cross-thread frees). Every
 *     block's first and last byte are written, and checked when freed.
 *     Prints "ns_per_op peak_rss_kib": wall time over all threads' ops, and
 *     the process's peak resident set.
 *
 *   malloc_bench st
 *     The single-threaded workloads of the designs' benchmark
 *     (bench/workloads.h: a1..a4, and b with 1000 blocks live) through the
 *     malloc API: alloc is malloc (aligned_alloc above 16), dealloc free,
 *     realloc realloc. Prints one "name ns_per_op" line per workload.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "workloads.h"

#define SLOTS       2048
#define RING        1024 /* a power of two */
#define MAX_THREADS 16

struct ring {
    _Atomic size_t head, tail; /* single producer (the previous thread), single consumer */
    void *p[RING];
};

static struct ring rings[MAX_THREADS];
static int threads;
static long ops_per_thread;
static atomic_int broken;

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

static size_t pick_size(uint64_t *s)
{
    uint64_t r = rnd(s);
    if (r % 64 == 0) return 4096 + r % (60 * 1024);
    unsigned lg = 3 + (r >> 8) % 10; /* 8 .. 4096, log-uniform */
    size_t lo = (size_t)1 << lg;
    return lo + (r >> 16) % lo / 2;
}

/* Blocks are at least MIN bytes: the size at 8, marks at 0 and n - 1. */
#define MIN 24

static void mark(unsigned char *p, size_t n)
{
    memcpy(p + 8, &n, sizeof n);
    p[0] = (unsigned char)n;
    p[n - 1] = (unsigned char)(n >> 3);
}

static void check_and_free(unsigned char *p)
{
    size_t n;
    memcpy(&n, p + 8, sizeof n);
    if (p[0] != (unsigned char)n || p[n - 1] != (unsigned char)(n >> 3))
        atomic_fetch_add(&broken, 1);
    free(p);
}

/* Take what the previous thread handed over, and free it here. */
static void drain(struct ring *in)
{
    size_t t = atomic_load_explicit(&in->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&in->head, memory_order_acquire);
    for (; t != h; t++) check_and_free(in->p[t % RING]);
    atomic_store_explicit(&in->tail, t, memory_order_release);
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    struct ring *out = &rings[(id + 1) % threads], *in = &rings[id];
    uint64_t s = 0x9e3779b97f4a7c15ull * (id + 1);
    unsigned char **slot = calloc(SLOTS, sizeof *slot);
    for (long i = 0; i < ops_per_thread; i++) {
        uint64_t r = rnd(&s);
        unsigned char **sl = &slot[r % SLOTS];
        if (*sl == NULL) {
            size_t n = pick_size(&s);
            n = n < MIN ? MIN : n;
            unsigned char *p = malloc(n);
            mark(p, n);
            size_t h = atomic_load_explicit(&out->head, memory_order_relaxed);
            if ((r >> 32) % 8 == 0 &&
                h - atomic_load_explicit(&out->tail, memory_order_acquire) < RING) {
                out->p[h % RING] = p;
                atomic_store_explicit(&out->head, h + 1, memory_order_release);
            } else {
                *sl = p;
            }
        } else if ((r >> 32) % 16 == 0) {
            size_t n = pick_size(&s);
            n = n < MIN ? MIN : n;
            *sl = realloc(*sl, n);
            mark(*sl, n);
        } else {
            check_and_free(*sl);
            *sl = NULL;
        }
        if (i % 64 == 0) drain(in);
    }
    for (size_t i = 0; i < SLOTS; i++)
        if (slot[i]) check_and_free(slot[i]);
    free(slot);
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* ---- st: the designs' workloads through the malloc API ------------------ */

static void *api_alloc(size_t size, size_t align)
{
    if (align <= 16) return malloc(size);
    return aligned_alloc(align, (size + align - 1) & ~(align - 1));
}

static void api_dealloc(void *p, size_t size, size_t align)
{
    (void)size, (void)align;
    free(p);
}

static void *api_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    if (align <= 16) return realloc(p, new_size);
    void *q = api_alloc(new_size, align);
    if (q) memcpy(q, p, size < new_size ? size : new_size), free(p);
    return q;
}

static const struct bench_allocator api = {"malloc", api_alloc, api_dealloc, api_realloc};

#define MIXED_LIVE 1000
#define MIXED_OPS  400000

static double mixed_ns(void)
{
    uint32_t slots = mixed_slots_for(MIXED_LIVE);
    uint8_t *state = calloc(slots, 1);
    struct mixed_slot *live = calloc(slots, sizeof *live);
    struct mixed_op *ops = malloc(MIXED_OPS * sizeof *ops), op;
    struct mixed_gen g;
    mixed_gen_init(&g, 17, slots, state);
    size_t n = 0;
    while (mixed_gen_prefill(&g, &op)) mixed_run(&api, live, &op, 1);
    for (; n < MIXED_OPS; n++) mixed_gen_steady(&g, &ops[n]);
    double t = now();
    size_t done = mixed_run(&api, live, ops, n);
    t = now() - t;
    while (mixed_gen_teardown(&g, &op)) mixed_run(&api, live, &op, 1);
    free(ops), free(live), free(state);
    return done == n ? t * 1e9 / n : -1;
}

static int single_threaded(void)
{
    static const struct {
        const char *name;
        size_t (*run)(const struct bench_allocator *, unsigned);
        unsigned reps;
    } blog[] = {{"a1_simple_allocation", bench_simple_allocation, 200000},
                {"a2_large_vec", bench_large_vec, 2000},
                {"a3_many_boxes", bench_many_boxes, 4},
                {"a4_many_boxes_long_lived", bench_many_boxes_long_lived, 4}};
    for (size_t i = 0; i < sizeof blog / sizeof blog[0]; i++) {
        double t = now();
        size_t ops = blog[i].run(&api, blog[i].reps);
        t = now() - t;
        if (ops == 0) return 1;
        printf("%s %.1f\n", blog[i].name, t * 1e9 / ops);
    }
    double b = mixed_ns();
    if (b < 0) return 1;
    printf("b_mixed_1000_live %.1f\n", b);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "st") == 0) return single_threaded();
    if (argc != 4 || strcmp(argv[1], "mt") != 0) {
        fprintf(stderr, "usage: malloc_bench mt THREADS OPS | malloc_bench st\n");
        return 2;
    }
    threads = atoi(argv[2]);
    ops_per_thread = atol(argv[3]);
    if (threads < 1 || threads > MAX_THREADS) return 2;
    pthread_t t[MAX_THREADS];
    double start = now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < threads; i++) drain(&rings[i]);
    double secs = now() - start;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (broken) {
        fprintf(stderr, "malloc_bench: %d blocks lost their marks\n", (int)broken);
        return 1;
    }
    printf("%.1f %ld\n", secs * 1e9 / ((double)ops_per_thread * threads), ru.ru_maxrss);
    return 0;
}
