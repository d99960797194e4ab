/* What the heap's hardening costs, in instructions per operation (issue 12).
 *
 *   hardening_bench            run every contender and workload under
 *                              callgrind and print the table
 *   hardening_bench --one C W  one contender C on workload W once (what
 *                              callgrind runs)
 *
 * Contenders: each design as registered (its hardening on), the same design
 * under the HEAP_DEBUG layer, and "null" (an allocator whose ops do nothing,
 * behind the same dispatch: the harness and allocator_alloc's layout check,
 * subtracted from the rest, so the figures are the design's own). The binary built with
 * -DHARDENING_OFF has its default_heap*.c compiled with panic() made
 * unreachable (bench/hardening_off.h), so the compiler deletes every check
 * that ends in a panic: the "checks off" column. Its headers still get their
 * checksum written, so the figure is the cost of the checks, not of the
 * checksum stores.
 *
 * Workloads, after bench/: a1, box 41 and box 13 freed (4 ops a
 * repetition); b, about 1000 live blocks, sizes log-uniform in 8..4096,
 * 1 in 32 aligned to 16..4096, 1 in 16 ops a realloc. Fixed seeds.
 * Instructions are counted inside the hb_op_* wrappers only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <valgrind/callgrind.h>

#include "kiln/alloc_designs.h"
#include "kiln/heap_debug.h"

#define REGION (16u << 20)
static _Alignas(4096) uint8_t region[REGION];
static _Alignas(ALLOC_DESIGN_STATE_ALIGN) uint8_t state[64 * 1024];
static struct heap_debug dbg;
static struct allocator heap;
static bool null_heap;

/* "null": an allocator whose ops do nothing, through the same dispatch, so
 * that subtracting it leaves the design's own instructions. */
static void *null_alloc(void *s, struct layout l)
{
    (void)s, (void)l;
    return region + 4096;
}
static void null_dealloc(void *s, void *p, struct layout l)
{
    (void)s, (void)p, (void)l;
}
static void *null_realloc(void *s, void *p, struct layout l, size_t n)
{
    (void)s, (void)l, (void)n;
    return p;
}
static const struct alloc_ops null_ops = {
    .alloc = null_alloc, .dealloc = null_dealloc, .realloc = null_realloc};

__attribute__((noinline)) static void *hb_op_alloc(size_t size, size_t align)
{
    return allocator_alloc(&heap, (struct layout){size, align});
}
__attribute__((noinline)) static void hb_op_free(void *p, size_t size, size_t align)
{
    allocator_dealloc(&heap, p, (struct layout){size, align});
}
__attribute__((noinline)) static void *hb_op_realloc(void *p, size_t size, size_t align, size_t n)
{
    return allocator_realloc(&heap, p, (struct layout){size, align}, n);
}

static uint64_t rng = 0x6b696c6e;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t a1(unsigned reps)
{
    for (unsigned i = 0; i < reps; i++) {
        int *x = hb_op_alloc(sizeof(int), _Alignof(int));
        int *y = hb_op_alloc(sizeof(int), _Alignof(int));
        if (!null_heap) *x = 41, *y = 13;
        hb_op_free(x, sizeof(int), _Alignof(int));
        hb_op_free(y, sizeof(int), _Alignof(int));
    }
    return 4 * (size_t)reps;
}

#define SLOTS 1882 /* 1000 * 32 / 17: about 1000 live */
static struct {
    void *p;
    size_t size, align;
} slot[SLOTS];

static size_t log_uniform_size(void)
{
    unsigned bits = 3 + next() % 10; /* 8 .. 4096 */
    size_t lo = (size_t)1 << bits;
    return lo + next() % lo > 4096 ? 4096 : lo + next() % lo;
}

static void b_op(size_t k, size_t *ops)
{
    if (!slot[k].p) {
        size_t align = next() % 32 == 0 ? (size_t)16 << next() % 9 : 8;
        size_t size = log_uniform_size();
        void *p = hb_op_alloc(size, align);
        if (!p) {
            fprintf(stderr, "b: out of memory\n");
            exit(3); /* a bump: it never reuses memory while blocks live */
        }
        slot[k].p = p, slot[k].size = size, slot[k].align = align;
    } else if (next() % 17 < 2) {
        size_t size = log_uniform_size();
        void *p = hb_op_realloc(slot[k].p, slot[k].size, slot[k].align, size);
        if (!p) exit(3);
        slot[k].p = p, slot[k].size = size;
    } else {
        hb_op_free(slot[k].p, slot[k].size, slot[k].align);
        slot[k].p = NULL;
    }
    (*ops)++;
}

static size_t b(unsigned n)
{
    size_t ops = 0, warm = 0;
    for (size_t k = 0; k < SLOTS; k++)
        if (next() % 32 < 17) b_op(k, &warm);
    CALLGRIND_ZERO_STATS;
    for (unsigned i = 0; i < n; i++) b_op(next() % SLOTS, &ops);
    CALLGRIND_DUMP_STATS;
    return ops;
}

/* Set up contender name ("null", "DESIGN" or "DESIGN+debug"). */
static void setup(const char *name)
{
    char d[32];
    snprintf(d, sizeof d, "%s", name);
    char *plus = strchr(d, '+');
    if (plus) *plus = 0;
    if (!strcmp(d, "null")) {
        null_heap = true;
        heap = (struct allocator){.ops = &null_ops, .state = NULL};
        return;
    }
    const struct alloc_design *des = alloc_design_find(d);
    if (!des || des->state_size > sizeof state) {
        fprintf(stderr, "no design %s\n", d);
        exit(2);
    }
    des->init(state, region, REGION);
    heap = des->allocator(state);
    if (plus) {
        heap_debug_init(&dbg, heap);
        heap = heap_debug_allocator(&dbg);
    }
}

static int run_one(const char *name, const char *wl)
{
    setup(name);
    size_t ops;
    if (!strcmp(wl, "a1")) {
        a1(1000); /* warm-up */
        CALLGRIND_ZERO_STATS;
        ops = a1(20000);
        CALLGRIND_DUMP_STATS;
    } else {
        ops = b(200000);
    }
    printf("ops %zu\n", ops);
    return 0;
}

/* Instructions per op of name on wl, by bin, under callgrind; a negative
 * value when the design ran out of memory. */
static double measure(const char *bin, const char *name, const char *wl)
{
    char cmd[1024], out[256];
    snprintf(out, sizeof out, "build/bench/hardening.%s.%s", name, wl);
    snprintf(cmd, sizeof cmd,
             "valgrind --tool=callgrind --callgrind-out-file=%s.out --collect-atstart=no "
             "'--toggle-collect=hb_op_*' %s --one %s %s > %s.log 2>&1",
             out, bin, name, wl, out);
    int rc = system(cmd);
    if (rc != 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 3) return -1;
    if (rc != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        exit(1);
    }
    char path[300], line[256];
    unsigned long long ir = 0, ops = 0;
    snprintf(path, sizeof path, "%s.log", out);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) sscanf(line, "ops %llu", &ops);
    if (f) fclose(f);
    /* The last dump is the measured part: sum every dump's summary after the zero. */
    snprintf(cmd, sizeof cmd, "cat %s.out* | grep -h '^summary:' | tail -1 > %s.sum", out, out);
    if (system(cmd) != 0) exit(1);
    snprintf(path, sizeof path, "%s.sum", out);
    f = fopen(path, "r");
    if (!f || fscanf(f, "summary: %llu", &ir) != 1 || ops == 0) {
        fprintf(stderr, "no callgrind figure for %s %s\n", name, wl);
        exit(1);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "rm -f %s.out*", out);
    if (system(cmd) != 0) exit(1);
    return (double)ir / (double)ops;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--one")) return run_one(argv[2], argv[3]);
    const char *on = argv[0];
    char off[512];
    snprintf(off, sizeof off, "%s_off", argv[0]);
    static const char *const wls[] = {"a1", "b"};
    printf("instructions per operation (callgrind, inside the hb_op_* wrappers, the null "
           "harness subtracted)\n\n");
    printf("%-12s %-4s %12s %12s %8s %12s %8s\n", "design", "wl", "checks off", "as built", "cost",
           "HEAP_DEBUG", "x");
    for (int w = 0; w < 2; w++) {
        double base = measure(on, "null", wls[w]);
        for (size_t i = 0; i < alloc_design_count; i++) {
            const char *n = alloc_designs[i]->name;
            char dbgname[48];
            snprintf(dbgname, sizeof dbgname, "%s+debug", n);
            double built = measure(on, n, wls[w]) - base;
            if (built < 0) {
                printf("%-12s %-4s   (out of memory: it never reuses a block while others live)\n",
                       n, wls[w]);
                continue;
            }
            double checks_off = measure(off, n, wls[w]) - base;
            double debug = measure(on, dbgname, wls[w]) - base;
            printf("%-12s %-4s %12.1f %12.1f %+7.1f%% %12.1f %7.1fx\n", n, wls[w], checks_off,
                   built, 100.0 * (built - checks_off) / checks_off, debug, debug / built);
        }
    }
    printf("\n(\"checks off\": the design's files built with panic() unreachable, "
           "bench/hardening_off.h; the dispatch's layout checks stay on)\n");
    return 0;
}
