/* The host benchmark's tables and targets: see bench/report.h. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contenders.h"

#define COL 15

static int index_of(const char *name)
{
    for (size_t i = 0; i < contender_count; i++)
        if (strcmp(contenders[i].name, name) == 0) return (int)i;
    return -1;
}

static size_t wl(const char *id)
{
    for (size_t i = 0; i < workload_count; i++)
        if (strcmp(workloads[i].id, id) == 0) return i;
    fprintf(stderr, "heap_bench: no workload %s\n", id);
    exit(1);
}

static void columns(const char *first)
{
    printf("%-28s", first);
    for (size_t i = 0; i < contender_count; i++) printf("%*s", COL, contenders[i].name);
}

void report_header(const struct results *r)
{
    printf("kiln allocator benchmark: %zu designs from the registry against %s\n",
           alloc_design_count, r->versions);
    if (r->mode == REPORT_TIME) {
        printf("\nns per operation (the thread's CPU time, so other load on the machine does not "
               "count),\nmedian of %u interleaved runs, and the ratio to glibc in the same run\n",
               r->runs);
        columns("workload");
    } else {
        printf("\nthe allocator's own instructions per operation (callgrind; the harness, "
               "measured with allocators that do nothing, subtracted: null for the peers,\n"
               "null_design for the designs, whose calls also go through the ops table)\n");
        columns("workload");
        printf("%*s%*s", COL, "(null)", COL, "(null_design)");
    }
    printf("\n");
    fflush(stdout);
}

static void row_start(size_t wi)
{
    char label[64];
    snprintf(label, sizeof label, "%s %s", workloads[wi].id, workloads[wi].what);
    printf("%-28.28s", label);
}

void report_ns_row(const struct results *r, size_t wi)
{
    int glibc = index_of("glibc");
    row_start(wi);
    for (size_t ci = 0; ci < contender_count; ci++) {
        char cell[32];
        double ns = r->ns[wi][ci], base = glibc >= 0 ? r->ns[wi][glibc] : -1;
        bool cut = r->planned_ops[wi] && r->ops[wi][ci] < r->planned_ops[wi];
        if (ns < 0)
            snprintf(cell, sizeof cell, "OOM");
        else if (ns >= 1000 && base > 0)
            snprintf(cell, sizeof cell, "%.0f%s(%.0f)", ns, cut ? "* " : " ", ns / base);
        else if (base > 0)
            snprintf(cell, sizeof cell, "%.1f%s(%.2f)", ns, cut ? "* " : " ", ns / base);
        else
            snprintf(cell, sizeof cell, "%.1f%s", ns, cut ? "*" : "");
        printf("%*s", COL, cell);
    }
    printf("\n");
    if (!workloads[wi].boxes)
        printf("    %s: %zu ops after a prefill, %.0f blocks live on average, %.1f%% "
               "reallocs\n",
               workloads[wi].id, r->planned_ops[wi], r->mean_live[wi], 100 * r->realloc_share[wi]);
    for (size_t ci = 0; ci < contender_count; ci++)
        if (r->ns[wi][ci] >= 0 && r->planned_ops[wi] && r->ops[wi][ci] < r->planned_ops[wi])
            printf("    * %s: timed on the first %zu of %zu ops (the time box, "
                   "BENCH_BUDGET_S=1 s a run)\n",
                   contenders[ci].name, r->ops[wi][ci], r->planned_ops[wi]);
    fflush(stdout);
}

void report_ir_row(const struct results *r, size_t wi)
{
    row_start(wi);
    for (size_t ci = 0; ci < contender_count; ci++) {
        if (r->ir[wi][ci] < 0)
            printf("%*s", COL, "OOM");
        else
            printf("%*.1f", COL, r->ir[wi][ci]);
    }
    printf("%*.1f%*.1f\n", COL, r->baseline[wi], COL, r->baseline_design[wi]);
    fflush(stdout);
}

static double util(const struct ramp_result *r)
{
    return (double)r->first_failure_live / (double)r->region;
}

void report_regions(const struct results *r)
{
    printf("\nregion designs (deterministic): b from a 64 KiB region grown a page at a time; "
           "c1 on 256 KiB; c2 on 100 KiB\n");
    printf("%-14s%12s%12s%10s%14s%10s  %s\n", "design", "b footprint", "b peak live", "ratio",
           "c1 failures", "c1 util", "c2 16 B / 1 KiB / 16 B");
    for (size_t ci = 0; ci < contender_count; ci++) {
        const struct region_figures *f = &r->region[ci];
        if (!f->measured) continue;
        char fp[24], pk[24], ratio[24], fails[32], phases[48];
        if (!f->grows) {
            snprintf(fp, sizeof fp, "cannot grow");
            snprintf(pk, sizeof pk, "-");
            snprintf(ratio, sizeof ratio, "-");
        } else {
            snprintf(fp, sizeof fp, "%zu KiB", f->footprint >> 10);
            snprintf(pk, sizeof pk, "%zu KiB", f->peak_live >> 10);
            snprintf(ratio, sizeof ratio, "%.3f%s", (double)f->footprint / (double)f->peak_live,
                     f->b_completed ? "" : "!");
        }
        snprintf(fails, sizeof fails, "%zu/%zu", f->ramp.failures, f->ramp.allocs);
        snprintf(phases, sizeof phases, "%zu / %zu / %zu", f->phase.small1, f->phase.large,
                 f->phase.small2);
        printf("%-14s%12s%12s%10s%14s%10.3f  %s\n", contenders[ci].name, fp, pk, ratio, fails,
               util(&f->ramp), phases);
    }
    printf("(ratio: footprint / peak live, ! when b ran out at the region's maximum; c1 util: "
           "live bytes / region at the first failure)\n");
    fflush(stdout);
}

/* One target line: value against limit (le: value must be <= limit). */
static void target(const char *what, double value, double limit, bool le)
{
    bool met = le ? value <= limit : value >= limit;
    double by = le ? limit - value : value - limit;
    printf("  %-52s %9.3f %s %-8.3g %s by %.3g\n", what, value, le ? "<=" : ">=", limit,
           met ? "met," : "MISSED,", met ? by : -by);
}

void report_targets(const struct results *r)
{
    int d = index_of("default"), ll = index_of("linked_list"), mi = index_of("mimalloc");
    int glibc = index_of("glibc");
    printf("\nissue 8's targets for the design \"default\":\n");
    if (d < 0) {
        printf("  not measured: no design called \"default\" is registered "
               "(include/kiln/alloc_designs.h)\n");
        return;
    }
    char what[128];
    size_t b = wl("b"), b100 = wl("b100"), b100k = wl("b100k");
    if (r->mode == REPORT_CALLGRIND) {
        static const char *const boxes[] = {"a1", "a3", "a4"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(what, sizeof what, "%s instructions/op", boxes[i]);
            target(what, r->ir[wl(boxes[i])][d], 12, true);
        }
        snprintf(what, sizeof what, "b instructions/op (mimalloc here: %.1f)", r->ir[b][mi]);
        target(what, r->ir[b][d], 57, true);
        target("b instructions/op, the hard limit (jemalloc's 80)", r->ir[b][d], 80, true);
        /* The peers as measured in this run, beside the fixed figures. */
        int je = index_of("jemalloc");
        snprintf(what, sizeof what, "b against jemalloc in this run (%.1f), ratio", r->ir[b][je]);
        target(what, r->ir[b][d] / r->ir[b][je], 1.0, true);
        snprintf(what, sizeof what, "b against mimalloc in this run (%.1f), ratio", r->ir[b][mi]);
        target(what, r->ir[b][d] / r->ir[b][mi], 1.0, true);
        snprintf(what, sizeof what, "b_scale instructions/op at 100k / at 100 (%.1f / %.1f)",
                 r->ir[b100k][d], r->ir[b100][d]);
        target(what, r->ir[b100k][d] / r->ir[b100][d], 1.2, true);
    } else {
        snprintf(what, sizeof what, "b ns/op against glibc's %.1f (ratio)", r->ns[b][glibc]);
        target(what, r->ns[b][d] / r->ns[b][glibc], 1.0, true);
        snprintf(what, sizeof what, "b_scale ns at 100k / at 100 against mimalloc's");
        target(what, r->ns[b100k][d] / r->ns[b100][d], r->ns[b100k][mi] / r->ns[b100][mi], true);
    }
    const struct region_figures *f = &r->region[d], *l = &r->region[ll];
    target("c1 utilisation at the first failure", util(&f->ramp), 0.80, false);
    if (f->grows)
        target("b footprint / peak live bytes", (double)f->footprint / (double)f->peak_live, 1.15,
               true);
    else
        printf("  b footprint / peak live bytes: not measured: default has no extend\n");
    if (ll >= 0) {
        /* The reference is the post's linked list, which keeps no header: it
         * serves every 16 bytes of the region as a block (and 1 KiB blocks
         * back to back). kiln's linked_list seals each block with a 16-byte
         * header (issue 12), which halves its 16-byte count; the larger of
         * the two keeps the target as hard as the issue set it. */
        const size_t got[3] = {f->phase.small1, f->phase.large, f->phase.small2};
        const size_t post[3] = {BENCH_BLOG_HEAP / 16, BENCH_BLOG_HEAP / 1024, BENCH_BLOG_HEAP / 16};
        const size_t built[3] = {l->phase.small1, l->phase.large, l->phase.small2};
        static const char *const names[3] = {"16 B", "1 KiB", "16 B again"};
        for (size_t i = 0; i < 3; i++) {
            size_t ref = built[i] > post[i] ? built[i] : post[i];
            snprintf(what, sizeof what, "c2 %s: %zu blocks / %zu (%s)", names[i], got[i], ref,
                     ref == built[i] ? "linked_list's" : "the post's headerless linked list");
            target(what, (double)got[i] / (double)ref, 0.95, false);
        }
    }
    fflush(stdout);
}

void report_chart_data(const struct results *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "workload");
    for (size_t ci = 0; ci < contender_count; ci++) fprintf(f, " %s", contenders[ci].name);
    fprintf(f, "\n");
    for (size_t wi = 0; wi < workload_count; wi++) {
        fprintf(f, "%s", workloads[wi].id);
        for (size_t ci = 0; ci < contender_count; ci++)
            if (r->ns[wi][ci] < 0)
                fprintf(f, " -");
            else
                fprintf(f, " %.2f", r->ns[wi][ci]);
        fprintf(f, "\n");
    }
    fclose(f);
}
