/* kfree of a pointer that kmalloc did not return panics, naming it: the
 * header below the pointer does not check out. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

static void kfree_middle_of_block(void)
{
    char *p = kmalloc(64);
    kfree(p + 32);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_should_panic("kfree_of_a_foreign_pointer_panics", kfree_middle_of_block,
                       "kfree: invalid pointer");
}
