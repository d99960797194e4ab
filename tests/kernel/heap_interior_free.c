/* Freeing a pointer into the middle of a live block, aligned as its layout
 * asks, panics with "invalid free" on every design: default by its live
 * bits and headers, bump, linked_list and fixed_block because the 16 bytes
 * below the pointer are the block's data, not a live block's sealed header
 * (kiln/block_seal.h). The block itself stays untouched. */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
// run: bump @cmdline=alloc=bump
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

static void free_interior_pointer(void)
{
    struct layout l = {256, 16};
    unsigned char *p = heap_alloc(l);
    memset(p, 0x5a, l.size);
    heap_dealloc(p + 64, (struct layout){64, 16});
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("interior_free_panics", free_interior_pointer, "invalid free");
}
