/* An exception without a handler panics with its name, its error code and
 * the frame. A general protection fault from loading selector 0x1230 into DS
 * carries that selector as its error code. Should-panic style: the hook
 * checks the message and exits with success. */
#include <stdbool.h>
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

static bool contains(const char *s, const char *part)
{
    size_t n = strlen(part);
    for (; *s; s++)
        if (strncmp(s, part, n) == 0) return true;
    return false;
}

static void check_message(const char *message)
{
    if (contains(message, "EXCEPTION: GENERAL PROTECTION FAULT") &&
        contains(message, "error code: 0x1230") &&
        contains(message, "    instruction_pointer: VirtAddr(0x")) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: unexpected panic message: %s\n", message);
    qemu_exit(QEMU_EXIT_FAILED);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    panic_set_hook(check_message);
    serial_printf("exception_panic::general_protection_fault_panics...\t");
    __asm__ volatile("mov %0, %%ds" ::"r"(0x1230) : "memory");
    serial_printf("[failed]\n\nError: loading a bad selector did not fault\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
