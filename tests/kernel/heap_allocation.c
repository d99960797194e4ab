/* The blog's tests/heap_allocation.rs, plus the next post's fourth case
 * (many_boxes_long_lived), on the kernel heap as the post has it: 100 KiB,
 * no growth. make test boots it once per allocator design (alloc=NAME).
 * With bump, many_boxes_long_lived fails as the post shows (one live box
 * keeps the bump allocator from ever resetting): the image passes only when
 * exactly that case, the last one, fails with that allocation error. */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
// run: bump @cmdline=alloc=bump
#include <stdint.h>

#include "kiln/box.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"
#include "kiln/ktest.h"
#include "kiln/vec.h"

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

#define BUMP_FAILURE "allocation error: Layout { size: 8, align: 8 }"

static void bump_expected_failure(const char *message)
{
    if (strstr(message, BUMP_FAILURE)) {
        serial_printf("[failed as the post shows: %s]\n", message);
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    ktest_panic_hook(message);
}

extern const struct ktest ktests_end[];

KTEST(many_boxes_long_lived)
{
    if (strcmp(heap_design(), "bump") == 0) {
        /* only valid as the image's last case: nothing may be skipped */
        const struct ktest *last = (const void *)((uintptr_t)ktests_end - sizeof(struct ktest));
        kassert(strcmp(last->name, "many_boxes_long_lived") == 0);
        panic_set_hook(bump_expected_failure);
    }
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
    if (strcmp(heap_design(), "bump") == 0)
        panic("bump served many_boxes_long_lived: the post says it cannot");
}
