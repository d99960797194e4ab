/* Under HEAP_DEBUG a double free is caught even after the heap handed out
 * other blocks in between: the freed block waits in the quarantine, so the
 * stale pointer still names a freed block (built with the debug heap, see
 * mm/alloc/heap_debug.mk). */
#include <stdint.h>

#include "kiln/box.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

void kernel_main(uint32_t magic, uint64_t info_phys);

static void double_free_after_reuse(void)
{
    long *x = BOX_NEW(long, 1);
    BOX_FREE(x);
    long *others[16];
    for (int i = 0; i < 16; i++) others[i] = BOX_NEW(long, i); /* the heap is reused */
    BOX_FREE(x);
    (void)others;
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("double_free_after_reuse_panics", double_free_after_reuse,
                       "double free of 0x");
}
