/* What the host benchmark measured, and how it prints it (bench/report.c):
 * the tables, issue 8's targets for the design "default" with "met" or
 * "missed", and the chart's data. */
#ifndef KILN_BENCH_REPORT_H
#define KILN_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "workloads.h"

#define REPORT_MAX_CONTENDERS 16
#define REPORT_MAX_WORKLOADS  8

struct workload {
    const char *id;   /* "a1", ..., "b100k": what --one takes */
    const char *what; /* for the table */
    /* a1..a4: the workload, its repetitions when timed and under callgrind */
    size_t (*boxes)(const struct bench_allocator *a, unsigned reps);
    unsigned time_reps, count_reps;
    /* b: live blocks, steady operations when timed and under callgrind */
    uint32_t live;
    size_t time_ops, count_ops;
    size_t region; /* the region a design gets */
};
extern const struct workload workloads[];
extern const size_t workload_count;

/* Region-only figures of one design. */
struct region_figures {
    bool measured;    /* a design (peers have no region) */
    bool grows;       /* it has extend: b ran from 64 KiB, growing */
    bool b_completed; /* b ran to its end */
    size_t footprint; /* the region b grew to */
    size_t peak_live; /* the most bytes live during b, as requested */
    struct ramp_result ramp;
    struct phase_result phase;
};

enum report_mode { REPORT_TIME, REPORT_CALLGRIND };

struct results {
    enum report_mode mode;
    char versions[160];
    unsigned runs;
    /* [workload][contender]; negative: out of memory */
    double ns[REPORT_MAX_WORKLOADS][REPORT_MAX_CONTENDERS];
    size_t ops[REPORT_MAX_WORKLOADS][REPORT_MAX_CONTENDERS]; /* the fewest timed in a run */
    size_t planned_ops[REPORT_MAX_WORKLOADS];
    double mean_live[REPORT_MAX_WORKLOADS], realloc_share[REPORT_MAX_WORKLOADS];
    double ir[REPORT_MAX_WORKLOADS][REPORT_MAX_CONTENDERS];
    double baseline[REPORT_MAX_WORKLOADS];        /* null: the peers' wrappers */
    double baseline_design[REPORT_MAX_WORKLOADS]; /* null_design: + the ops-table call */
    struct region_figures region[REPORT_MAX_CONTENDERS];
};

void report_header(const struct results *r);
void report_ns_row(const struct results *r, size_t wi);
void report_ir_row(const struct results *r, size_t wi);
void report_regions(const struct results *r);
/* The targets this mode can judge, for the design "default" (or a line
 * saying it is not registered). */
void report_targets(const struct results *r);
/* The ns table as gnuplot data: a row per workload, a column per contender. */
void report_chart_data(const struct results *r, const char *path);

#endif
