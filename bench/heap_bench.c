/* Allocator benchmark: kiln's linked-list allocator against the C library's
 * malloc (or jemalloc / mimalloc, when this file is linked with one of them:
 * they replace malloc, so each gets its own binary, see bench/bench.mk).
 *
 * Workloads: the blog's four heap tests (simple_allocation: box 41 and 13;
 * large_vec: push 0..1000 with doubling growth; many_boxes: HEAP_SIZE boxes
 * made and dropped; many_boxes_long_lived: the same beside one long-lived box)
 * and a mixed workload replayed from a fixed-seed script: 1,000,000
 * operations, sizes log-uniform in 8..4096, 1 in 32 aligned to 16..4096,
 * about 1000 live blocks, 1 in 4 frees a realloc instead.
 *
 *   heap_bench                    ns per operation, both allocators, one run
 *   heap_bench --callgrind        instructions per operation under callgrind
 *   heap_bench --one ALLOC WL     one workload once (what callgrind runs)
 *
 * Instructions are counted inside the bench_op_* wrappers only (callgrind
 * --toggle-collect), after a warm-up, minus the same count for the "null"
 * allocator, whose wrappers do nothing: what is left is the allocator's own.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "kiln/linked_list.h"
#include "kiln/panic.h"

#if defined(BENCH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define MALLOC_NAME "jemalloc"
#elif defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#define MALLOC_NAME "mimalloc"
#else
#define MALLOC_NAME "glibc"
#endif

#define NOINLINE   __attribute__((noinline))
#define HEAP_SIZE  (100 * 1024) /* the blog's heap */
#define MIXED_OPS  1000000
#define MIXED_SLOT 1750 /* ~1000 live: P(live) = 1 / (1 + 3/4) */

static void fail(const char *what)
{
    fprintf(stderr, "heap_bench: %s\n", what);
    exit(1);
}

struct bench_allocator {
    const char *name;
    void (*reset)(size_t region);
    void *(*alloc)(size_t size, size_t align);
    void (*dealloc)(void *p, size_t size, size_t align);
    void *(*realloc)(void *p, size_t size, size_t align, size_t new_size);
};

/* ---- kiln ---------------------------------------------------------------- */
static _Alignas(4096) unsigned char region[64u << 20];
static struct linked_list_heap heap;

static void kiln_reset(size_t bytes)
{
    linked_list_init(&heap, region, bytes);
}
NOINLINE static void *bench_op_kiln_alloc(size_t size, size_t align)
{
    return linked_list_alloc(&heap, (struct layout){size, align});
}
NOINLINE static void bench_op_kiln_dealloc(void *p, size_t size, size_t align)
{
    linked_list_dealloc(&heap, p, (struct layout){size, align});
}
NOINLINE static void *bench_op_kiln_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    return linked_list_realloc(&heap, p, (struct layout){size, align}, new_size);
}

/* ---- malloc ---------------------------------------------------------------- */
static void malloc_reset(size_t bytes)
{
    (void)bytes;
}
NOINLINE static void *bench_op_malloc_alloc(size_t size, size_t align)
{
    if (align <= 16) return malloc(size);
    void *p;
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}
NOINLINE static void bench_op_malloc_dealloc(void *p, size_t size, size_t align)
{
    (void)size, (void)align;
    free(p);
}
NOINLINE static void *bench_op_malloc_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    (void)size, (void)align; /* the workloads realloc only blocks aligned to <= 16 */
    return realloc(p, new_size);
}

/* ---- null: the wrappers' own cost --------------------------------------- */
static _Alignas(4096) unsigned char scratch[2][8192];
static unsigned scratch_next;
static void null_reset(size_t bytes)
{
    (void)bytes;
}
NOINLINE static void *bench_op_null_alloc(size_t size, size_t align)
{
    (void)size, (void)align;
    return scratch[scratch_next++ & 1]; /* two at a time are distinct */
}
NOINLINE static void bench_op_null_dealloc(void *p, size_t size, size_t align)
{
    (void)p, (void)size, (void)align;
    __asm__ volatile("" ::: "memory");
}
NOINLINE static void *bench_op_null_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    (void)size, (void)align, (void)new_size;
    return p;
}

static const struct bench_allocator allocators[] = {
    {"kiln", kiln_reset, bench_op_kiln_alloc, bench_op_kiln_dealloc, bench_op_kiln_realloc},
    {MALLOC_NAME, malloc_reset, bench_op_malloc_alloc, bench_op_malloc_dealloc,
     bench_op_malloc_realloc},
    {"null", null_reset, bench_op_null_alloc, bench_op_null_dealloc, bench_op_null_realloc},
};

/* ---- the blog's heap tests ------------------------------------------------ */
static size_t simple_allocation(const struct bench_allocator *a, unsigned reps)
{
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *x = a->alloc(8, 8), *y = a->alloc(8, 8);
        if (!x || !y) fail("simple_allocation: out of memory");
        *x = 41, *y = 13;
        if (*x != 41 || *y != 13) fail("simple_allocation: wrong values");
        a->dealloc(x, 8, 8);
        a->dealloc(y, 8, 8);
    }
    return 4 * (size_t)reps;
}

static size_t large_vec(const struct bench_allocator *a, unsigned reps)
{
    size_t ops = 0, n = 1000;
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *v = NULL;
        size_t len = 0, cap = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (len == cap) { /* as Rust's Vec: 4 first, then doubling */
                size_t grown = cap ? 2 * cap : 4;
                v = cap ? a->realloc(v, cap * 8, 8, grown * 8) : a->alloc(grown * 8, 8);
                if (!v) fail("large_vec: out of memory");
                cap = grown, ops++;
            }
            v[len++] = i;
        }
        uint64_t sum = 0;
        for (size_t i = 0; i < len; i++) sum += v[i];
        if (sum != (n - 1) * n / 2 && a->alloc != bench_op_null_alloc) fail("large_vec: wrong sum");
        a->dealloc(v, cap * 8, 8);
        ops++;
    }
    return ops;
}

static size_t boxes(const struct bench_allocator *a, unsigned reps, int long_lived)
{
    size_t ops = 0;
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *keep = NULL;
        if (long_lived) {
            if (!(keep = a->alloc(8, 8))) fail("many_boxes_long_lived: out of memory");
            *keep = 1, ops++;
        }
        for (uint64_t i = 0; i < HEAP_SIZE; i++) {
            uint64_t *x = a->alloc(8, 8);
            if (!x) fail("many_boxes: out of memory");
            *x = i;
            if (*x != i) fail("many_boxes: wrong value");
            a->dealloc(x, 8, 8);
        }
        ops += 2 * (size_t)HEAP_SIZE;
        if (long_lived) {
            if (*keep != 1 && a->alloc != bench_op_null_alloc) fail("long-lived box changed");
            a->dealloc(keep, 8, 8), ops++;
        }
    }
    return ops;
}
static size_t many_boxes(const struct bench_allocator *a, unsigned reps)
{
    return boxes(a, reps, 0);
}
static size_t many_boxes_long_lived(const struct bench_allocator *a, unsigned reps)
{
    return boxes(a, reps, 1);
}

/* ---- the mixed workload, replayed from a script ---------------------------- */
enum { OP_ALLOC, OP_FREE, OP_REALLOC };
struct mixed_op {
    uint32_t size; /* alloc, realloc: the new size */
    uint16_t slot;
    uint8_t kind, align_log;
};
static struct mixed_op script[MIXED_OPS + MIXED_SLOT];
static size_t script_len;
static struct {
    void *p;
    uint32_t size;
    uint8_t align_log;
} slots[MIXED_SLOT];

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t log_uniform_size(void) /* 2^e + [0, 2^e], e in 3..11: 8..4096 */
{
    unsigned e = 3 + rng() % 9;
    return (uint32_t)((1u << e) + rng() % ((1u << e) + 1));
}

static void make_script(void)
{
    static struct {
        uint8_t live, align_log;
    } sim[MIXED_SLOT];
    for (size_t i = 0; i < MIXED_OPS; i++) {
        struct mixed_op *op = &script[script_len++];
        op->slot = (uint16_t)(rng() % MIXED_SLOT);
        if (!sim[op->slot].live) {
            op->kind = OP_ALLOC;
            op->size = log_uniform_size();
            op->align_log = rng() % 32 == 0 ? (uint8_t)(4 + rng() % 9) : 3;
            sim[op->slot].live = 1, sim[op->slot].align_log = op->align_log;
        } else if (sim[op->slot].align_log <= 4 && rng() % 4 == 0) {
            op->kind = OP_REALLOC;
            op->size = log_uniform_size();
        } else {
            op->kind = OP_FREE;
            sim[op->slot].live = 0;
        }
    }
    for (uint16_t s = 0; s < MIXED_SLOT; s++) /* the end: free what is left */
        if (sim[s].live) script[script_len++] = (struct mixed_op){0, s, OP_FREE, 0};
}

static size_t mixed(const struct bench_allocator *a, unsigned reps)
{
    for (unsigned r = 0; r < reps; r++) {
        for (size_t i = 0; i < script_len; i++) {
            const struct mixed_op *op = &script[i];
            __typeof__(slots[0]) *s = &slots[op->slot];
            if (op->kind == OP_ALLOC) {
                size_t align = (size_t)1 << op->align_log;
                if (!(s->p = a->alloc(op->size, align))) fail("mixed: out of memory");
                s->size = op->size, s->align_log = op->align_log;
                ((char *)s->p)[0] = 1, ((char *)s->p)[s->size - 1] = 2;
            } else if (op->kind == OP_REALLOC) {
                s->p = a->realloc(s->p, s->size, (size_t)1 << s->align_log, op->size);
                if (!s->p) fail("mixed: out of memory in realloc");
                s->size = op->size;
                ((char *)s->p)[s->size - 1] = 3;
            } else {
                a->dealloc(s->p, s->size, (size_t)1 << s->align_log);
                s->p = NULL;
            }
        }
    }
    return script_len * reps;
}

struct workload {
    const char *name;
    size_t (*run)(const struct bench_allocator *a, unsigned reps);
    size_t region;                  /* kiln's heap for it */
    unsigned time_reps, count_reps; /* repetitions when timing / under callgrind */
};

static const struct workload workloads[] = {
    {"simple_allocation", simple_allocation, HEAP_SIZE, 250000, 1000},
    {"large_vec", large_vec, HEAP_SIZE, 20000, 20},
    {"many_boxes", many_boxes, HEAP_SIZE, 20, 1},
    {"many_boxes_long_lived", many_boxes_long_lived, HEAP_SIZE, 20, 1},
    {"mixed", mixed, sizeof region, 1, 1},
};
#define N_WORKLOADS (sizeof workloads / sizeof workloads[0])

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The best of five runs, after a warm-up, in ns per operation. */
static double time_one(const struct bench_allocator *a, const struct workload *w)
{
    double best = 1e300;
    a->reset(w->region);
    w->run(a, 1);
    for (int i = 0; i < 5; i++) {
        a->reset(w->region);
        double t0 = now_ns();
        size_t ops = w->run(a, w->time_reps);
        double ns = (now_ns() - t0) / ops;
        if (ns < best) best = ns;
    }
    return best;
}

static void print_version(void)
{
#if defined(BENCH_JEMALLOC)
    const char *v;
    size_t len = sizeof v;
    if (mallctl("version", &v, &len, NULL, 0) == 0) printf("jemalloc %s\n", v);
#elif defined(BENCH_MIMALLOC)
    printf("mimalloc %d\n", mi_version());
#endif
}

static void time_all(void)
{
    print_version();
    printf("%-22s %10s %12s %12s %12s\n", "ns per operation", "ops", "kiln", MALLOC_NAME,
           "kiln/" MALLOC_NAME);
    for (size_t i = 0; i < N_WORKLOADS; i++) {
        const struct workload *w = &workloads[i];
        size_t ops = w->run(&allocators[2], w->time_reps); /* the count, from null */
        double k = time_one(&allocators[0], w), m = time_one(&allocators[1], w);
        printf("%-22s %10zu %12.1f %12.1f %12.2f\n", w->name, ops, k, m, k / m);
    }
}

static const struct bench_allocator *find_allocator(const char *name)
{
    for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++)
        if (strcmp(allocators[i].name, name) == 0 || (strcmp(name, "malloc") == 0 && i == 1))
            return &allocators[i];
    fail("unknown allocator");
    return NULL;
}

/* One workload once, after a warm-up whose cost callgrind forgets. */
static int run_one(const char *alloc_name, const char *wl_name)
{
    const struct bench_allocator *a = find_allocator(alloc_name);
    for (size_t i = 0; i < N_WORKLOADS; i++) {
        const struct workload *w = &workloads[i];
        if (strcmp(w->name, wl_name) != 0) continue;
        a->reset(w->region);
        w->run(a, 1);
        a->reset(w->region);
        if (!getenv("BENCH_KEEP_WARMUP"))
            CALLGRIND_ZERO_STATS; /* set it for per-function profiles */
        size_t ops = w->run(a, w->count_reps);
        printf("ops %zu\n", ops);
        return 0;
    }
    fail("unknown workload");
    return 1;
}

/* Run self under callgrind for one allocator and workload: instructions
 * inside the bench_op_* wrappers, per operation. */
static double count_one(const char *self, const char *alloc_name, const char *wl_name)
{
    char out[256], cmd[1024], line[512];
    snprintf(out, sizeof out, "build/bench/callgrind.%s.%s", alloc_name, wl_name);
    snprintf(cmd, sizeof cmd,
             "valgrind --tool=callgrind --callgrind-out-file=%s.out --collect-atstart=no "
             "'--toggle-collect=bench_op_*' %s --one %s %s > %s.log 2>&1",
             out, self, alloc_name, wl_name, out);
    if (system(cmd) != 0) fail("valgrind failed: see build/bench/callgrind.*.log");
    unsigned long long ir = 0, ops = 0;
    snprintf(cmd, sizeof cmd, "%s.out", out);
    FILE *f = fopen(cmd, "r");
    if (!f) fail("no callgrind output");
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "summary: %llu", &ir) == 1 || sscanf(line, "totals: %llu", &ir) == 1)
            break;
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s.log", out);
    if (!(f = fopen(cmd, "r"))) fail("no log");
    while (fgets(line, sizeof line, f)) sscanf(line, "ops %llu", &ops);
    fclose(f);
    if (ops == 0) fail("no operation count in the log");
    return (double)ir / ops;
}

static void count_all(const char *self)
{
    print_version();
    printf("%-22s %12s %12s %14s\n", "instructions per op", "kiln", MALLOC_NAME,
           "(wrapper, subtracted)");
    for (size_t i = 0; i < N_WORKLOADS; i++) {
        const char *wl = workloads[i].name;
        double base = count_one(self, "null", wl);
        double k = count_one(self, "kiln", wl), m = count_one(self, MALLOC_NAME, wl);
        printf("%-22s %12.1f %12.1f %14.1f\n", wl, k - base, m - base, base);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    make_script();
    if (argc == 4 && strcmp(argv[1], "--one") == 0) return run_one(argv[2], argv[3]);
    if (argc == 2 && strcmp(argv[1], "--callgrind") == 0) {
        count_all(argv[0]);
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--callgrind | --one ALLOCATOR WORKLOAD]\n", argv[0]);
        return 2;
    }
    time_all();
    return 0;
}
