/* kernel_main: what kiln does after boot.S, in order. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/boot.h"
#include "kiln/console.h"
#include "kiln/init.h"
#include "kiln/timer.h"

void kernel_main(uint32_t magic, uint64_t info_phys);

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys);
    console_init(&bi->fb);
    console_clear();
    println("Hello World%c", '!');

    kernel_init();
    __asm__ volatile("int3"); /* the breakpoint handler prints and returns */

    println("It did not crash!");
    timer_set_dots(true);
    hlt_loop();
}
