/* Freeing a pointer the heap never handed out (here: a stack address)
 * panics with "invalid free", the pointer and the layout. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

static void free_foreign_pointer(void)
{
    long on_the_stack = 5;
    heap_dealloc(&on_the_stack, layout_for(long));
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("foreign_free_panics", free_foreign_pointer, "invalid free");
}
