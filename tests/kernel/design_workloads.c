/* Every design of the registry inside kiln, through the benchmark workloads
 * (bench/workloads.h) kept short: the blog's four heap tests, b's mixed ops,
 * and the c1 and c2 region workloads, on a region of fresh pages, with
 * check() == 0 after each. make bench-kernel times the same code. */
#include <stdint.h>

#include "bench/kernel_designs.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

#define REGION (4u << 20)

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    bench_region_map(REGION);
    ktest_main();
}

static bool is_bump(size_t d)
{
    return strcmp(alloc_designs[d]->name, "bump") == 0;
}

KTEST(blog_heap_tests_on_every_design)
{
    for (size_t d = 0; d < alloc_design_count; d++) {
        bench_design_use(alloc_designs[d], BENCH_BLOG_HEAP);
        kassert_eq(bench_simple_allocation(&bench_design, 100), 400);
        kassert(bench_large_vec(&bench_design, 2) > 0);
        kassert_eq(bench_many_boxes(&bench_design, 1), 2 * BENCH_BLOG_HEAP);
        kassert_eq(bench_design_check(), 0);
        bench_design_use(alloc_designs[d], BENCH_BLOG_HEAP);
        size_t ops = bench_many_boxes_long_lived(&bench_design, 1);
        /* The post: bump cannot reuse memory while one box lives. */
        kassert_eq(ops, is_bump(d) ? 0 : 2 * BENCH_BLOG_HEAP + 2);
        kassert_eq(bench_design_check(), 0);
    }
}

KTEST(mixed_ops_on_every_design)
{
    static uint8_t sim[2000];
    static struct mixed_slot slots[2000];
    for (size_t d = 0; d < alloc_design_count; d++) {
        struct mixed_gen g;
        struct mixed_op op;
        bench_design_use(alloc_designs[d], REGION);
        memset(slots, 0, sizeof slots);
        mixed_gen_init(&g, 11, mixed_slots_for(1000), sim);
        while (mixed_gen_prefill(&g, &op)) kassert_eq(mixed_run(&bench_design, slots, &op, 1), 1);
        for (int i = 0; i < 3000; i++) {
            mixed_gen_steady(&g, &op);
            kassert_eq(mixed_run(&bench_design, slots, &op, 1), 1);
        }
        kassert_eq(bench_design_check(), 0);
        while (mixed_gen_teardown(&g, &op)) kassert_eq(mixed_run(&bench_design, slots, &op, 1), 1);
        kassert_eq(bench_design_check(), 0);
        kassert_eq(alloc_designs[d]->stats(bench_design_state()).used, 0);
    }
}

KTEST(region_workloads_on_every_design)
{
    static struct mixed_slot slots[RAMP_SLOTS];
    for (size_t d = 0; d < alloc_design_count; d++) {
        bench_design_use(alloc_designs[d], 256 * 1024);
        struct ramp_result r = bench_fragmentation_ramp(&bench_design, 256 * 1024, 5, slots);
        kassert(r.failures > 0 && r.first_failure_live > 0);
        kassert_eq(bench_design_check(), 0);
        bench_design_use(alloc_designs[d], BENCH_BLOG_HEAP);
        struct phase_result p = bench_phase_change(&bench_design);
        kassert(p.small1 > 0 && p.small1 <= BENCH_BLOG_HEAP / 16);
        kassert_eq(bench_design_check(), 0);
    }
}
