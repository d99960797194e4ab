/* kernel_main: what kiln does after boot.S, in order. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"

void kernel_main(uint32_t magic, uint64_t info_phys);

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    console_clear();
    println("Hello World%c", '!');
    hlt_loop();
}
