/* A kernel started by a loader that is not Multiboot2 reports it and halts,
 * never a triple fault. This image carries a PVH entry note, so QEMU's
 * -kernel can start it directly (PVH: 32-bit protected mode, eax is not the
 * Multiboot2 magic); boot.S must print its error on COM1 and halt. The runner
 * passes it when QEMU is still running after a few seconds and the log holds
 * the message. */
// run: pvh @kernel @halts
// halt-message: kiln: boot error: not loaded by a Multiboot2 boot loader
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/qemu_exit.h"

/* The ELF note that makes QEMU boot this file as a PVH kernel: name "Xen",
 * type XEN_ELFNOTE_PHYS32_ENTRY (18), the 32-bit entry point. */
__asm__(".pushsection .note.kiln_pvh, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 4, 18\n"
        ".asciz \"Xen\"\n"
        ".balign 4\n"
        ".long _start\n"
        ".popsection");

/* Reaching kernel_main means boot.S accepted a bad magic: fail loudly. */
void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    qemu_exit(QEMU_EXIT_FAILED);
}
