/* The benchmark workloads (bench/workloads.c) run short on every design of
 * the registry, with check() == 0 after every operation: the workloads the
 * benchmarks time are sound, and every design survives them. Also pins the
 * mixed workload's mix (live blocks, realloc and alignment shares) and the
 * post's known results: bump fails many_boxes_long_lived, the linked list
 * serves every phase of the phase change in full. */
#include <string.h>

#include "support.h"
#include "../../bench/workloads.h"
#include "kiln/alloc_designs.h"

static _Alignas(4096) unsigned char region[16 << 20];
static _Alignas(16) unsigned char state[64 * 1024];
static const struct alloc_design *design;
static struct allocator cur;
static size_t ops_checked;

static void checked(void *p, size_t size, size_t align)
{
    ops_checked++;
    if (design->check(state) != 0) fail_msg("%s: check() != 0 after an operation", design->name);
    if (p == NULL) return;
    assert_int_equal((uintptr_t)p % align, 0);
    assert_true((unsigned char *)p >= region &&
                (unsigned char *)p + size <= region + sizeof region);
}

static void *checked_alloc(size_t size, size_t align)
{
    void *p = allocator_alloc(&cur, (struct layout){size, align});
    checked(p, size, align);
    return p;
}
static void checked_dealloc(void *p, size_t size, size_t align)
{
    allocator_dealloc(&cur, p, (struct layout){size, align});
    checked(NULL, 0, 1);
}
static void *checked_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    void *q = allocator_realloc(&cur, p, (struct layout){size, align}, new_size);
    checked(q, new_size, align);
    return q;
}
static const struct bench_allocator checked_design = {"checked", checked_alloc, checked_dealloc,
                                                      checked_realloc};

static void use(const struct alloc_design *d, size_t bytes)
{
    assert_true(d->state_size <= sizeof state);
    design = d;
    d->init(state, region, bytes);
    cur = d->allocator(state);
}

static void assert_empty(void)
{
    assert_int_equal(design->check(state), 0);
    assert_int_equal(design->stats(state).used, 0);
}

static void test_mixed_mix(void **unused)
{
    (void)unused;
    static uint8_t sim[2000];
    struct mixed_gen g;
    struct mixed_op op;
    assert_int_equal(mixed_slots_for(1000), 1882);
    mixed_gen_init(&g, 42, mixed_slots_for(1000), sim);
    size_t live = 0, reallocs = 0, allocs = 0, aligned = 0, n = 200000;
    double sum = 0;
    while (mixed_gen_prefill(&g, &op)) live++;
    for (size_t i = 0; i < n; i++) {
        mixed_gen_steady(&g, &op);
        if (op.kind == MIXED_ALLOC) {
            live++, allocs++;
            aligned += op.align_log > 3;
            assert_true(op.align_log >= 3 && op.align_log <= 12);
        }
        if (op.kind == MIXED_FREE) live--;
        reallocs += op.kind == MIXED_REALLOC;
        if (op.kind != MIXED_FREE) assert_true(op.size >= 8 && op.size <= 4096);
        sum += (double)live;
    }
    assert_true(sum / (double)n > 950 && sum / (double)n < 1050);
    assert_true(reallocs * 16 > n * 9 / 10 && reallocs * 16 < n * 11 / 10); /* 1 in 16 */
    assert_true(aligned * 32 > allocs * 8 / 10 && aligned * 32 < allocs * 12 / 10);
    size_t freed = 0;
    while (mixed_gen_teardown(&g, &op)) freed++;
    assert_int_equal(freed, live);
}

static void test_every_design_runs_the_blog_tests(void **unused)
{
    (void)unused;
    for (size_t i = 0; i < alloc_design_count; i++) {
        use(alloc_designs[i], BENCH_BLOG_HEAP);
        assert_int_equal(bench_simple_allocation(&checked_design, 50), 200);
        assert_empty();
        assert_true(bench_large_vec(&checked_design, 2) > 0);
        assert_empty();
        use(alloc_designs[i], BENCH_BLOG_HEAP);
        ops_checked = 0;
        assert_int_equal(bench_many_boxes(&checked_design, 1), 2 * BENCH_BLOG_HEAP);
        assert_int_equal(ops_checked, 2 * BENCH_BLOG_HEAP);
        assert_empty();
        use(alloc_designs[i], BENCH_BLOG_HEAP);
        size_t ops = bench_many_boxes_long_lived(&checked_design, 1);
        if (strcmp(design->name, "bump") == 0)
            assert_int_equal(ops, 0); /* the post: bump never reuses while one box lives */
        else {
            assert_int_equal(ops, 2 * BENCH_BLOG_HEAP + 2);
            assert_empty();
        }
    }
}

static void test_every_design_runs_mixed(void **unused)
{
    (void)unused;
    static uint8_t sim[2000];
    static struct mixed_slot slots[2000];
    static struct mixed_op ops[4000];
    for (size_t i = 0; i < alloc_design_count; i++) {
        struct mixed_gen g;
        use(alloc_designs[i], sizeof region);
        memset(slots, 0, sizeof slots);
        mixed_gen_init(&g, 7, mixed_slots_for(1000), sim);
        size_t n = 0;
        while (mixed_gen_prefill(&g, &ops[n])) n++;
        assert_int_equal(mixed_run(&checked_design, slots, ops, n), n);
        for (n = 0; n < 4000; n++) mixed_gen_steady(&g, &ops[n]);
        assert_int_equal(mixed_run(&checked_design, slots, ops, n), n);
        for (n = 0; mixed_gen_teardown(&g, &ops[n]);) n++;
        assert_int_equal(mixed_run(&checked_design, slots, ops, n), n);
        assert_empty();
    }
}

static void test_every_design_runs_the_region_workloads(void **unused)
{
    (void)unused;
    static struct mixed_slot slots[RAMP_SLOTS];
    for (size_t i = 0; i < alloc_design_count; i++) {
        use(alloc_designs[i], 256 * 1024);
        struct ramp_result r = bench_fragmentation_ramp(&checked_design, 256 * 1024, 3, slots);
        assert_true(r.failures > 0); /* the ramp ends at 110% */
        assert_true(r.first_failure_live > 0 && r.first_failure_live <= 256 * 1024);
        assert_true(r.peak_live <= 256 * 1024);
        assert_empty();
        use(alloc_designs[i], BENCH_BLOG_HEAP);
        struct phase_result p = bench_phase_change(&checked_design);
        assert_true(p.small1 > 0 && p.small1 <= BENCH_BLOG_HEAP / 16);
        assert_true(p.large <= BENCH_BLOG_HEAP / 1024 && p.small2 <= BENCH_BLOG_HEAP / 16);
        if (strcmp(design->name, "linked_list") == 0) {
            /* each block takes its 16-byte sealed header, no padding */
            assert_int_equal(p.small1, BENCH_BLOG_HEAP / (16 + 16));
            assert_int_equal(p.large, BENCH_BLOG_HEAP / (16 + 1024));
            assert_int_equal(p.small2, BENCH_BLOG_HEAP / (16 + 16));
        }
        assert_empty();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_mix),
        cmocka_unit_test(test_every_design_runs_the_blog_tests),
        cmocka_unit_test(test_every_design_runs_mixed),
        cmocka_unit_test(test_every_design_runs_the_region_workloads),
    };
    return RUN_TESTS(tests);
}
