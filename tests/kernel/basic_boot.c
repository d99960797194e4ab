/* The blog's tests/basic_boot.rs: println works with no init at all.
 * It also boots on UEFI, where the console is a framebuffer. */
// run: bios
// run: uefi @uefi
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/console.h"
#include "kiln/ktest.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    ktest_main();
}

KTEST(test_println)
{
    println("test_println output");
}
