/* A write to an unmapped address page-faults: the handler sees CR2 equal to
 * that address and an error code that says CAUSED_BY_WRITE (and not
 * PROTECTION_VIOLATION: the page is not present). */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/idt.h"
#include "kiln/init.h"
#include "kiln/page_fault.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"

#define TARGET 0xdeadbeef000ull /* nothing maps this */

static void test_page_fault_handler(struct interrupt_frame *f)
{
    uint64_t cr2 = read_cr2();
    if (cr2 != TARGET) {
        serial_printf("[failed]\n\nError: CR2 is 0x%llx, expected 0x%llx\n",
                      (unsigned long long)cr2, TARGET);
        qemu_exit(QEMU_EXIT_FAILED);
    }
    if (!(f->error_code & PF_CAUSED_BY_WRITE) || (f->error_code & PF_PROTECTION_VIOLATION)) {
        serial_printf("[failed]\n\nError: error code 0x%llx lacks CAUSED_BY_WRITE\n",
                      (unsigned long long)f->error_code);
        qemu_exit(QEMU_EXIT_FAILED);
    }
    serial_printf("[ok]\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    idt_set_handler(14, test_page_fault_handler);
    serial_printf("page_fault::write_to_unmapped_address...\t");
    *(volatile uint64_t *)TARGET = 42;
    serial_printf("[failed]\n\nError: the write did not fault\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
