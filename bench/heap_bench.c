/* The host allocator benchmark (issue 8): every design of the registry
 * against glibc, jemalloc and mimalloc, in one process and one run.
 *
 *   heap_bench [--dat FILE]    ns per operation (thread CPU time, which a
 *                              busy machine disturbs least): the median of BENCH_RUNS
 *                              (default 5) interleaved runs, each contender
 *                              once per round, and the ratio to glibc; then
 *                              the region figures (b's footprint, c1, c2)
 *                              and the wall-time targets. --dat writes the
 *                              ns table for the chart (bench/bench.gp).
 *   heap_bench --callgrind     the allocators' own instructions per op: each
 *                              contender and workload in its own callgrind
 *                              run, minus the null allocator's count (the
 *                              harness); then the region figures and every
 *                              target for the design "default".
 *   heap_bench --one NAME WL   one workload once: what callgrind runs.
 * BENCH_ONLY=a1,b limits a run to those workloads; BENCH_BUDGET_S (1) is
 * the time box of one timed run of a mixed workload.
 *
 * Workloads: bench/workloads.h. Contenders: bench/contenders.h (designs)
 * and bench/peers.h (the peers, and why they are called the way they are).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "contenders.h"
#include "peers.h"
#include "report.h"

#define MIB        ((size_t)1 << 20)
#define CHUNK      4096 /* mixed ops between two looks at the clock */
#define SEED_MIXED 0x2545f4914f6cdd1dull

const struct workload workloads[] = {
    {"a1", "simple_allocation x100k", bench_simple_allocation, 100000, 1000, 0, 0, 0,
     BENCH_BLOG_HEAP},
    {"a2", "large_vec (1000 u64)", bench_large_vec, 5000, 20, 0, 0, 0, BENCH_BLOG_HEAP},
    {"a3", "many_boxes", bench_many_boxes, 5, 1, 0, 0, 0, BENCH_BLOG_HEAP},
    {"a4", "many_boxes_long_lived", bench_many_boxes_long_lived, 5, 1, 0, 0, 0, BENCH_BLOG_HEAP},
    {"b", "mixed, 1000 live", NULL, 0, 0, 1000, 1000000, 50000, 16 * MIB},
    {"b100", "b_scale: 100 live", NULL, 0, 0, 100, 1000000, 50000, 16 * MIB},
    {"b100k", "b_scale: 100,000 live", NULL, 0, 0, 100000, 1000000, 20000, 256 * MIB},
};
const size_t workload_count = sizeof workloads / sizeof workloads[0];

static void fail(const char *what, const char *name)
{
    fprintf(stderr, "heap_bench: %s%s%s\n", what, name ? ": " : "", name ? name : "");
    exit(1);
}

/* ---- the mixed workloads' scripts ------------------------------------------ */
struct script {
    struct mixed_op *prefill, *steady;
    size_t n_prefill, n_steady;
    struct mixed_slot *slots;
    uint32_t n_slots;
    double mean_live;
    size_t reallocs;
};

static void script_free(struct script *s)
{
    free(s->prefill), free(s->steady), free(s->slots);
    memset(s, 0, sizeof *s);
}

static void script_build(struct script *s, uint32_t live, size_t steady_ops)
{
    struct mixed_gen g;
    s->n_slots = mixed_slots_for(live);
    uint8_t *state = malloc(s->n_slots);
    s->prefill = malloc(s->n_slots * sizeof *s->prefill);
    s->steady = malloc(steady_ops * sizeof *s->steady);
    s->slots = calloc(s->n_slots, sizeof *s->slots);
    if (!state || !s->prefill || !s->steady || !s->slots) fail("no memory for a script", NULL);
    mixed_gen_init(&g, SEED_MIXED, s->n_slots, state);
    s->n_prefill = 0;
    size_t n_live = 0;
    while (mixed_gen_prefill(&g, &s->prefill[s->n_prefill])) s->n_prefill++, n_live++;
    double sum = 0;
    s->reallocs = 0;
    for (size_t i = 0; i < steady_ops; i++) {
        mixed_gen_steady(&g, &s->steady[i]);
        n_live += s->steady[i].kind == MIXED_ALLOC ? 1 : s->steady[i].kind == MIXED_FREE ? -1 : 0;
        s->reallocs += s->steady[i].kind == MIXED_REALLOC;
        sum += (double)n_live;
    }
    s->n_steady = steady_ops;
    s->mean_live = steady_ops ? sum / (double)steady_ops : 0;
    free(state);
}

/* ---- one measured run ----------------------------------------------------------- */
static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double budget_ns(void)
{
    const char *s = getenv("BENCH_BUDGET_S");
    return (s ? atof(s) : 1.0) * 1e9;
}

/* Free what a peer still holds after a mixed run (a design is re-initialised
 * instead: cheaper, and the same for all of them). */
static void teardown(const struct bench_allocator *a, struct script *s)
{
    for (uint32_t i = 0; i < s->n_slots; i++)
        if (s->slots[i].p)
            a->dealloc(s->slots[i].p, s->slots[i].size, (size_t)1 << s->slots[i].align_log);
}

/* One run of w by c (NULL: the null allocator); the ns per operation, or a
 * negative value when an allocation failed. *ops: the operations timed. For
 * the mixed workloads only the steady part is timed, in CHUNKs, and it stops
 * early once it has taken longer than the budget (an O(n) design at 100,000
 * live blocks would take minutes). A design's check() must be 0 afterwards. */
static double run_once(struct contender *c, const struct workload *w, struct script *s, size_t *ops)
{
    const struct bench_allocator *a = c ? &c->ops : &bench_null;
    double t0, t;
    bool failed = false;
    if (c) contender_reset(c, w->region);
    if (w->boxes) {
        t0 = now_ns();
        *ops = w->boxes(a, w->time_reps);
        t = now_ns() - t0;
        failed = *ops == 0;
    } else {
        memset(s->slots, 0, s->n_slots * sizeof *s->slots);
        failed = mixed_run(a, s->slots, s->prefill, s->n_prefill) != s->n_prefill;
        size_t done = 0;
        double budget = budget_ns();
        t0 = now_ns();
        while (!failed && done < s->n_steady) {
            size_t n = s->n_steady - done < CHUNK ? s->n_steady - done : CHUNK;
            size_t k = mixed_run(a, s->slots, s->steady + done, n);
            done += k;
            failed = k != n;
            if (now_ns() - t0 > budget) break;
        }
        t = now_ns() - t0;
        *ops = done;
        if (!c || !c->design) teardown(a, s);
    }
    if (c && contender_check(c) != 0) {
        fprintf(stderr, "heap_bench: %s: check() = %zu after %s\n", c->name, contender_check(c),
                w->id);
        exit(1);
    }
    return failed ? -1 : t / (double)*ops;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static unsigned runs(void)
{
    const char *s = getenv("BENCH_RUNS");
    int n = s ? atoi(s) : 5;
    return n < 1 ? 1 : n > 99 ? 99 : (unsigned)n;
}

/* BENCH_ONLY=a2,b: run only those workloads (while developing). */
static bool selected(const struct workload *w)
{
    const char *only = getenv("BENCH_ONLY");
    if (!only) return true;
    size_t n = strlen(w->id);
    for (const char *p = only; (p = strstr(p, w->id)) != NULL; p += n)
        if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return true;
    return false;
}

static void time_all(struct results *r)
{
    unsigned R = r->runs;
    for (size_t wi = 0; wi < workload_count; wi++) {
        const struct workload *w = &workloads[wi];
        if (!selected(w)) continue;
        struct script s = {0};
        if (!w->boxes) {
            script_build(&s, w->live, w->time_ops);
            r->mean_live[wi] = s.mean_live;
            r->realloc_share[wi] = (double)s.reallocs / (double)s.n_steady;
        }
        double ns[99][REPORT_MAX_CONTENDERS];
        for (size_t ci = 0; ci < contender_count; ci++) r->ops[wi][ci] = SIZE_MAX;
        for (unsigned round = 0; round < R; round++)
            for (size_t ci = 0; ci < contender_count; ci++) {
                size_t ops;
                ns[round][ci] = run_once(&contenders[ci], w, &s, &ops);
                if (ops < r->ops[wi][ci]) r->ops[wi][ci] = ops;
            }
        for (size_t ci = 0; ci < contender_count; ci++) {
            double col[99];
            bool oom = false;
            for (unsigned i = 0; i < R; i++) col[i] = ns[i][ci], oom |= col[i] < 0;
            qsort(col, R, sizeof col[0], cmp_double);
            r->ns[wi][ci] = oom ? -1 : col[R / 2];
        }
        r->planned_ops[wi] = w->boxes ? 0 : w->time_ops;
        report_ns_row(r, wi);
        script_free(&s);
    }
}

/* ---- callgrind ------------------------------------------------------------------ */

/* One workload once, after a warm-up (the a's) or the prefill (the b's),
 * whose cost callgrind forgets: what count_one runs. Prints "ops N", or
 * "ops 0" when an allocation failed. */
static int run_one(const char *name, const char *wl)
{
    const struct bench_allocator *a = contender_or_null(name);
    struct contender *c = contender_find(name); /* NULL for the baselines */
    const struct workload *w = NULL;
    for (size_t i = 0; i < workload_count; i++)
        if (strcmp(workloads[i].id, wl) == 0) w = &workloads[i];
    if (!a || !w) fail("unknown allocator or workload", a ? wl : name);
    size_t ops = 0;
    if (w->boxes) {
        if (c) contender_reset(c, w->region);
        if (w->boxes(a, 1) != 0) {
            if (c) contender_reset(c, w->region);
            CALLGRIND_ZERO_STATS;
            ops = w->boxes(a, w->count_reps);
        }
    } else {
        struct script s;
        script_build(&s, w->live, w->count_ops);
        if (c) contender_reset(c, w->region);
        if (mixed_run(a, s.slots, s.prefill, s.n_prefill) == s.n_prefill) {
            CALLGRIND_ZERO_STATS;
            ops = mixed_run(a, s.slots, s.steady, s.n_steady);
            if (ops != s.n_steady) ops = 0;
        }
    }
    printf("ops %zu\n", ops);
    return 0;
}

/* Run self under callgrind for one contender and workload: instructions
 * inside the bench_op_* wrappers per operation; negative when it ran out of
 * memory. */
static double count_one(const char *self, const char *name, const char *wl)
{
    char out[256], cmd[1024], line[512];
    snprintf(out, sizeof out, "build/bench/callgrind.%s.%s", name, wl);
    snprintf(cmd, sizeof cmd,
             "valgrind --tool=callgrind --callgrind-out-file=%s.out --collect-atstart=no "
             "'--toggle-collect=bench_op_*' %s --one %s %s > %s.log 2>&1",
             out, self, name, wl, out);
    if (system(cmd) != 0) fail("valgrind failed: see the log", out);
    unsigned long long ir = 0, ops = 0;
    snprintf(cmd, sizeof cmd, "%s.out", out);
    FILE *f = fopen(cmd, "r");
    if (!f) fail("no callgrind output", cmd);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "summary: %llu", &ir) == 1 || sscanf(line, "totals: %llu", &ir) == 1)
            break;
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s.log", out);
    if (!(f = fopen(cmd, "r"))) fail("no log", cmd);
    bool seen = false;
    while (fgets(line, sizeof line, f)) seen |= sscanf(line, "ops %llu", &ops) == 1;
    fclose(f);
    if (!seen) fail("no operation count in the log", cmd);
    return ops ? (double)ir / (double)ops : -1;
}

static void count_all(const char *self, struct results *r)
{
    for (size_t wi = 0; wi < workload_count; wi++) {
        const char *wl = workloads[wi].id;
        if (!selected(&workloads[wi])) continue;
        r->baseline[wi] = count_one(self, "null", wl);
        r->baseline_design[wi] = count_one(self, "null_design", wl);
        for (size_t ci = 0; ci < contender_count; ci++) {
            double n = count_one(self, contenders[ci].name, wl);
            double base = contenders[ci].design ? r->baseline_design[wi] : r->baseline[wi];
            r->ir[wi][ci] = n < 0 ? -1 : n - base;
        }
        report_ir_row(r, wi);
    }
}

/* ---- the region figures ---------------------------------------------------------- */
static void regions(struct results *r)
{
    const struct workload *b = NULL;
    for (size_t i = 0; i < workload_count; i++)
        if (strcmp(workloads[i].id, "b") == 0) b = &workloads[i];
    struct script s;
    script_build(&s, b->live, b->time_ops);
    static struct mixed_slot ramp_slots[RAMP_SLOTS];
    for (size_t ci = 0; ci < contender_count; ci++) {
        struct contender *c = &contenders[ci];
        struct region_figures *f = &r->region[ci];
        if (!c->design) continue;
        f->measured = true;
        if (c->design->extend) {
            contender_growth_start(c, 64 * 1024);
            memset(s.slots, 0, s.n_slots * sizeof *s.slots);
            size_t n = mixed_run(&contender_growing, s.slots, s.prefill, s.n_prefill);
            if (n == s.n_prefill) n = mixed_run(&contender_growing, s.slots, s.steady, s.n_steady);
            struct growth g = contender_growth();
            f->grows = true;
            f->b_completed = n == s.n_steady;
            f->footprint = g.region;
            f->peak_live = g.peak_live;
            if (contender_check(c) != 0) fail("check() failed after b (growing)", c->name);
        }
        contender_reset(c, 256 * 1024);
        f->ramp = bench_fragmentation_ramp(&c->ops, 256 * 1024, SEED_MIXED, ramp_slots);
        if (contender_check(c) != 0) fail("check() failed after c1", c->name);
        contender_reset(c, BENCH_BLOG_HEAP);
        f->phase = bench_phase_change(&c->ops);
        if (contender_check(c) != 0) fail("check() failed after c2", c->name);
    }
    script_free(&s);
    report_regions(r);
}

int main(int argc, char **argv)
{
    contenders_init();
    bench_peers_init();
    if (argc == 4 && strcmp(argv[1], "--one") == 0) return run_one(argv[2], argv[3]);
    static struct results r;
    bench_peer_versions(r.versions, sizeof r.versions);
    if (argc == 2 && strcmp(argv[1], "--callgrind") == 0) {
        r.mode = REPORT_CALLGRIND;
        report_header(&r);
        count_all(argv[0], &r);
        regions(&r);
        report_targets(&r);
        return 0;
    }
    const char *dat = NULL;
    if (argc == 3 && strcmp(argv[1], "--dat") == 0)
        dat = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--dat FILE | --callgrind | --one ALLOCATOR WORKLOAD]\n",
                argv[0]);
        return 2;
    }
    r.mode = REPORT_TIME;
    r.runs = runs();
    report_header(&r);
    time_all(&r);
    regions(&r);
    report_targets(&r);
    if (dat) report_chart_data(&r, dat);
    return 0;
}
