/* On a CPU without 64-bit long mode (QEMU's qemu32), boot.S finds no long
 * mode in CPUID, reports it on the screen and COM1, and halts. The runner
 * passes it when QEMU is still running after a few seconds and the log holds
 * the message. */
// run: qemu32 -cpu qemu32 @halts
// halt-message: kiln: boot error: this CPU has no 64-bit long mode
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/qemu_exit.h"

/* Reaching kernel_main on a 32-bit CPU cannot happen: fail loudly. */
void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    qemu_exit(QEMU_EXIT_FAILED);
}
