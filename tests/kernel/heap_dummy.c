/* The post's Dummy allocator as the global allocator: the first box
 * allocation fails, and the allocation-error handler panics with the
 * layout of an int, as the post shows. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/alloc_dummy.h"
#include "kiln/box.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

static void box_with_dummy(void)
{
    struct allocator dummy = dummy_allocator();
    global_alloc_set(&dummy);
    int *x = BOX_NEW(int, 41);
    (void)x;
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    ktest_should_panic("dummy_allocation_fails", box_with_dummy,
                       "allocation error: Layout { size: 4, align: 4 }");
}
