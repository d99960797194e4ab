/* Freeing a block twice panics with "double free", the pointer and the
 * layout, on every design: default by its live bits, linked_list because
 * the block now lies in a hole, fixed_block and bump because its header
 * holds the freed seal (kiln/block_seal.h). */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
// run: bump @cmdline=alloc=bump
#include <stdint.h>

#include "kiln/box.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

static void free_twice(void)
{
    long *keep = BOX_NEW(long, 1); /* a neighbour, so the hole is not the heap's top */
    long *x = BOX_NEW(long, 2);
    long *after = BOX_NEW(long, 3);
    BOX_FREE(x);
    BOX_FREE(x);
    (void)keep;
    (void)after;
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("double_free_panics", free_twice, "double free");
}
