/* The blog's tests/heap_allocation.rs, plus the next post's fourth case
 * (many_boxes_long_lived), on the kernel heap as the post has it: 100 KiB,
 * no growth. make test boots it once per allocator design (alloc=NAME).
 * With bump, many_boxes_long_lived fails as the post shows (one live box
 * keeps the bump allocator from ever resetting): the image passes only when
 * exactly that case, the last one, fails with that allocation error, with
 * the region used up (ktest_expect_panic, tests/kernel/bump_test.h). */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
// run: bump @cmdline=alloc=bump
#include <stdint.h>

#include "kiln/box.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/vec.h"

#include "bump_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    heap_set_max(HEAP_SIZE); /* the post's fixed 100 KiB heap: no growth */
    ktest_main();
}

KTEST(simple_allocation)
{
    int *heap_value_1 = BOX_NEW(int, 41);
    int *heap_value_2 = BOX_NEW(int, 13);
    kassert_eq(*heap_value_1, 41);
    kassert_eq(*heap_value_2, 13);
    kassert((uintptr_t)heap_value_1 >= HEAP_START &&
            (uintptr_t)heap_value_1 < HEAP_START + HEAP_SIZE);
    BOX_FREE(heap_value_1);
    BOX_FREE(heap_value_2);
}

KTEST(large_vec)
{
    long n = 1000;
    struct vec vec = VEC_NEW(long);
    for (long i = 0; i < n; i++) VEC_PUSH(&vec, long, i);
    long sum = 0;
    vec_for_each (&vec, long, x) sum += *x;
    kassert_eq(sum, (n - 1) * n / 2);
    vec_free(&vec);
}

KTEST(many_boxes)
{
    for (long i = 0; i < HEAP_SIZE; i++) {
        long *x = BOX_NEW(long, i);
        kassert_eq(*x, i);
        BOX_FREE(x);
    }
}

KTEST(many_boxes_long_lived)
{
    if (heap_is_bump())
        ktest_expect_panic("allocation error: Layout { size: 8, align: 8 }",
                           "one live box keeps bump from ever resetting, as the post shows",
                           bump_exhausted);
    long *long_lived = BOX_NEW(long, 1);
    for (long i = 0; i < HEAP_SIZE; i++) {
        long *x = BOX_NEW(long, i);
        kassert_eq(*x, i);
        BOX_FREE(x);
    }
    kassert_eq(*long_lived, 1);
    BOX_FREE(long_lived);
    kassert_eq(heap_stats().used, 0);
    kassert_eq(heap_check(), 0);
}
