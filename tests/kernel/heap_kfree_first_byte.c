/* kfree of the heap's very first byte panics naming the pointer, instead of
 * page-faulting: its would-be header lies below the heap, on an unmapped
 * page, and kfree refuses the pointer before it reads anything. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

static void kfree_heap_start(void)
{
    kfree(kmalloc(16)); /* kmalloc has seen the heap */
    kfree((void *)(uintptr_t)HEAP_START);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("kfree_of_the_heap_start_panics", kfree_heap_start,
                       "kfree: invalid pointer 0x444444440000");
}
