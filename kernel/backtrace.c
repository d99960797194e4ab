#include "kiln/backtrace.h"

#include "kiln/ksyms.h"

/* kiln's stacks, its code and its data all live in the top half. */
#define KERNEL_HALF 0xffff800000000000ull

size_t backtrace_walk(uint64_t rip, uint64_t rbp, uint64_t *pcs, size_t max)
{
    size_t n = 0;
    if (max == 0) return 0;
    pcs[n++] = rip;
    while (n < max && rbp >= KERNEL_HALF && rbp % 8 == 0 && rbp <= UINT64_MAX - 16) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1], next = frame[0];
        if (ret < KERNEL_HALF) break;
        pcs[n++] = ret;
        if (next <= rbp) break; /* stacks grow down: callers' frames lie above */
        rbp = next;
    }
    return n;
}

void backtrace_print_from(uint64_t rip, uint64_t rbp, int (*print)(const char *fmt, ...))
{
    uint64_t pcs[BACKTRACE_MAX];
    size_t n = backtrace_walk(rip, rbp, pcs, BACKTRACE_MAX);
    char where[160];
    print("Backtrace:\n");
    for (size_t i = 0; i < n; i++) {
        /* pcs[0] is where the CPU was; the others are return addresses. */
        uint64_t at = i == 0 ? pcs[i] : pcs[i] - 1;
        ksym_format(&ksyms_kernel, at, where, sizeof where);
        print("  #%zu %s\n", i, where);
    }
    if (n == BACKTRACE_MAX) print("  (more frames not shown)\n");
}
