/* Allocation from an interrupt handler: the timer handler allocates and
 * frees while kernel code allocates in a loop, for at least 200 ticks. The
 * heap's interrupt-safe lock means the handler can never find it held by the
 * code it interrupted (which would deadlock a plain spinlock). A moving
 * realloc of a large block copies with interrupts on. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/alloc.h"
#include "kiln/box.h"
#include "kiln/console.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"
#include "kiln/timer.h"

#include "bump_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_main();
}

static volatile uint64_t handler_allocations;

static void allocate_on_tick(uint64_t tick)
{
    size_t n = 16 + (tick * 37) % 500;
    unsigned char *p = kmalloc(n);
    memset(p, 0xab, n);
    long *b = BOX_NEW(long, (long)tick);
    kassert_eq(*b, (long)tick);
    kassert_eq(p[n - 1], 0xab);
    BOX_FREE(b);
    kfree(p);
    handler_allocations += 2;
}

KTEST(timer_handler_allocates_while_kernel_allocates)
{
    size_t used = heap_stats().used;
    uint64_t start = timer_ticks();
    timer_set_hook(allocate_on_tick);
    uint64_t rounds = 0;
    while (timer_ticks() < start + 200 && rounds < 50000000) {
        size_t n = 8 + rounds % 300;
        char *p = kmalloc(n);
        p[0] = p[n - 1] = 'k';
        char *q = krealloc(p, n * 2);
        kassert_eq(q[0], 'k');
        kassert_eq(q[n - 1], 'k');
        kfree(q);
        rounds++;
    }
    timer_set_hook(NULL);
    kassert(timer_ticks() >= start + 200);
    kassert(handler_allocations >= 400);
    kassert_eq(heap_check(), 0);
    kassert_eq(heap_stats().used, used);
}

/* A moving krealloc copies with interrupts as the caller had them (on): the
 * longest span the heap keeps them off stays far below the copy itself.
 * bump's region cannot grow: its first request, 12 MiB, is the allocation
 * error, with the region still the post's 100 KiB. */
KTEST(moving_realloc_copies_with_interrupts_on)
{
    size_t big = 2u << 20;
    if (heap_is_bump())
        ktest_expect_panic("allocation error: Layout { size: 12582912, align: 16 }",
                           "bump's region cannot grow", bump_exhausted);
    kfree(kmalloc(6 * big)); /* grow first: the heap maps new pages under its lock */
    unsigned char *a = kmalloc(big), *b = kmalloc(big);
    memset(a, 0x5a, big);
    uint64_t t0 = rdtsc();
    memcpy(b, a, big);
    uint64_t copy = rdtsc() - t0;
    heap_irq_off_reset();
    unsigned char *q = krealloc(a, big + big / 2); /* b sits right after a: it moves */
    uint64_t off = heap_irq_off_max_cycles();
    kassert(q != a);
    kassert_eq(q[0], 0x5a);
    kassert_eq(q[big - 1], 0x5a);
    println("heap_interrupts: a %zu KiB copy takes %llu cycles; the heap kept interrupts off "
            "for at most %llu",
            big >> 10, (unsigned long long)copy, (unsigned long long)off);
    kassert(off < copy / 2);
    kfree(q);
    kfree(b);
    kassert_eq(heap_check(), 0);
}
