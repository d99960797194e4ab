/* The kernel benchmark image (make bench-kernel; not part of make test):
 * every design of the registry inside kiln, under QEMU, on a region of
 * fresh pages. Workloads (bench/workloads.h): a1 simple_allocation, b mixed
 * at about 1000 live blocks (generated op by op: the kernel has no room for
 * a script) and c2 the phase change. Prints TSC cycles per operation, the
 * median of BENCH_ROUNDS interleaved runs with interrupts off, harness
 * included (printed alone too, over a design that does nothing), and each
 * design's ratio to linked_list in the same boot. Under TCG the TSC follows
 * the host's clock, so the ratios mean more than the cycles.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "bench/kernel_designs.h"
#include "kiln/fmt.h"
#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/ktest.h"
#include "kiln/panic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

#define REGION       (8u << 20)
#define BENCH_ROUNDS 5
#define A1_REPS      20000
#define B_LIVE       1000
#define B_OPS        100000
#define B_SLOTS      2000
#define MAX_DESIGNS  8
#define OOM          UINT64_MAX

static uint8_t sim[B_SLOTS];
static struct mixed_slot slots[B_SLOTS];

/* Cycles of one a1 run by the current design; OOM when it ran out. */
static uint64_t time_a1(size_t *ops)
{
    uint64_t flags = read_rflags();
    cli();
    uint64_t t0 = rdtsc();
    *ops = bench_simple_allocation(&bench_design, A1_REPS);
    uint64_t t = rdtsc() - t0;
    if (flags & (1u << 9)) sti();
    return *ops ? t : OOM;
}

/* Cycles of b's steady ops by the current design (the prefill before it
 * is not timed); OOM when it ran out. */
static uint64_t time_b(size_t *ops)
{
    struct mixed_gen g;
    struct mixed_op op;
    memset(slots, 0, sizeof slots);
    mixed_gen_init(&g, 0x2545f4914f6cdd1dull, mixed_slots_for(B_LIVE), sim);
    while (mixed_gen_prefill(&g, &op))
        if (mixed_run(&bench_design, slots, &op, 1) != 1) return OOM;
    uint64_t flags = read_rflags();
    cli();
    uint64_t t0 = rdtsc(), t;
    size_t i;
    for (i = 0; i < B_OPS; i++) {
        mixed_gen_steady(&g, &op);
        if (mixed_run(&bench_design, slots, &op, 1) != 1) break;
    }
    t = rdtsc() - t0;
    if (flags & (1u << 9)) sti();
    *ops = i;
    return i == B_OPS ? t : OOM;
}

/* The median of the BENCH_ROUNDS figures of column d. */
static uint64_t median(uint64_t cyc[BENCH_ROUNDS][MAX_DESIGNS + 1], size_t d)
{
    uint64_t v[BENCH_ROUNDS];
    for (int i = 0; i < BENCH_ROUNDS; i++) {
        int j = i;
        for (; j > 0 && v[j - 1] > cyc[i][d]; j--) v[j] = v[j - 1];
        v[j] = cyc[i][d];
    }
    return v[BENCH_ROUNDS / 2];
}

/* The median cycles of BENCH_ROUNDS runs of each design (interleaved), in
 * tenths of a cycle per op; out[d] = OOM when d ran out of memory, and
 * *harness the same for the null design. */
static void measure(uint64_t (*run)(size_t *), size_t bytes, uint64_t *out, uint64_t *harness)
{
    uint64_t cyc[BENCH_ROUNDS][MAX_DESIGNS + 1];
    size_t ops = 1;
    for (int r = 0; r < BENCH_ROUNDS; r++)
        for (size_t d = 0; d <= alloc_design_count; d++) {
            const struct alloc_design *des =
                d < alloc_design_count ? alloc_designs[d] : &bench_null_design;
            bench_design_use(des, bytes);
            cyc[r][d] = run(&ops);
            if (bench_design_check() != 0)
                panic("bench: %s: check() = %zu after a run", des->name, bench_design_check());
            if (cyc[r][d] != OOM) cyc[r][d] = cyc[r][d] * 10 / ops;
        }
    *harness = median(cyc, alloc_design_count);
    for (size_t d = 0; d < alloc_design_count; d++) {
        bool oom = false;
        for (int r = 0; r < BENCH_ROUNDS; r++) oom |= cyc[r][d] == OOM;
        out[d] = oom ? OOM : median(cyc, d);
    }
}

/* "123.4 (0.56)": tenths of a cycle, and the ratio to ref. */
static void cell(uint64_t tenths, uint64_t ref)
{
    if (tenths == OOM) {
        serial_printf("%22s", "OOM");
        return;
    }
    char buf[48];
    if (ref == OOM || ref == 0)
        ksnprintf(buf, sizeof buf, "%llu.%llu", (unsigned long long)(tenths / 10),
                  (unsigned long long)(tenths % 10));
    else {
        uint64_t hundredths = (tenths * 100 + ref / 2) / ref;
        ksnprintf(buf, sizeof buf, "%llu.%llu (%llu.%02llu)", (unsigned long long)(tenths / 10),
                  (unsigned long long)(tenths % 10), (unsigned long long)(hundredths / 100),
                  (unsigned long long)(hundredths % 100));
    }
    serial_printf("%22s", buf);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    panic_set_hook(ktest_panic_hook);
    if (alloc_design_count > MAX_DESIGNS) panic("bench: more than %d designs", MAX_DESIGNS);
    bench_region_map(REGION);
    int ll = -1;
    for (size_t d = 0; d < alloc_design_count; d++)
        if (strcmp(alloc_designs[d]->name, "linked_list") == 0) ll = (int)d;
    if (ll < 0) panic("bench: no linked_list design to compare with");

    uint64_t a1[MAX_DESIGNS], b[MAX_DESIGNS], a1_null, b_null;
    measure(time_a1, BENCH_BLOG_HEAP, a1, &a1_null);
    measure(time_b, REGION, b, &b_null);
    serial_printf("\nkiln bench-kernel: cycles per operation (rdtsc, interrupts off), median of %d "
                  "interleaved runs,\nharness included (ratio to linked_list in this boot)\n",
                  BENCH_ROUNDS);
    serial_printf("a1: simple_allocation x%d on 100 KiB; b: %d ops, sizes 8..4096, ~%d live, "
                  "on %u MiB; c2: phase change on 100 KiB\n",
                  A1_REPS, B_OPS, B_LIVE, REGION >> 20);
    serial_printf("%-14s%22s%22s%26s\n", "design", "a1 cycles/op", "b cycles/op",
                  "c2 16 B / 1 KiB / 16 B");
    for (size_t d = 0; d < alloc_design_count; d++) {
        bench_design_use(alloc_designs[d], BENCH_BLOG_HEAP);
        struct phase_result p = bench_phase_change(&bench_design);
        if (bench_design_check() != 0) panic("bench: %s: check() after c2", alloc_designs[d]->name);
        serial_printf("%-14s", alloc_designs[d]->name);
        cell(a1[d], a1[ll]);
        cell(b[d], b[ll]);
        char buf[48];
        ksnprintf(buf, sizeof buf, "%zu / %zu / %zu", p.small1, p.large, p.small2);
        serial_printf("%26s\n", buf);
    }
    serial_printf("%-14s", "(harness)");
    cell(a1_null, OOM);
    cell(b_null, OOM);
    serial_printf("\n(harness: the same runs over a design that does nothing; not subtracted: "
                  "under TCG cycles\nare not additive, and a busy host moves them)\n");
    serial_printf("bench-kernel: done\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
}
