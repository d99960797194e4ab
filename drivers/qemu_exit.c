#include "kiln/qemu_exit.h"

#include "arch/x86_64/cpu.h"

void qemu_exit(enum qemu_exit_code code)
{
    outl(0xf4, code);
    hlt_loop();
}
