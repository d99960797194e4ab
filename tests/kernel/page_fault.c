/* A write to an unmapped address page-faults, and kiln's page-fault handler
 * reports it as the blog's does, to the letter: "EXCEPTION: PAGE FAULT", the
 * accessed address (CR2), the error code (CAUSED_BY_WRITE, not
 * PROTECTION_VIOLATION: the page is not present) and the interrupt stack
 * frame of the faulting write, one field per line. The handler halts; in a
 * test image its report reaches the panic hook, which compares it with the
 * report built here from the registers saved just before the write. */
#include <stdint.h>

#include "kiln/fmt.h"
#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

#define TARGET    0xdeadbeef000ull /* nothing maps this */
#define RFLAGS_RF (1ull << 16)     /* a fault may set it in the saved flags */

extern const char pf_write_insn[];
static volatile uint64_t saved_flags, saved_rsp, saved_ss;

static void expected_report(char *buf, size_t size, uint64_t flags)
{
    ksnprintf(buf, size,
              "EXCEPTION: PAGE FAULT\n"
              "Accessed Address: VirtAddr(0x%llx)\n"
              "Error Code: PageFaultErrorCode(CAUSED_BY_WRITE)\n"
              "InterruptStackFrame {\n"
              "    instruction_pointer: VirtAddr(0x%llx),\n"
              "    code_segment: 8,\n"
              "    cpu_flags: 0x%llx,\n"
              "    stack_pointer: VirtAddr(0x%llx),\n"
              "    stack_segment: %llu,\n"
              "}",
              TARGET, (unsigned long long)(uintptr_t)pf_write_insn, (unsigned long long)flags,
              (unsigned long long)saved_rsp, (unsigned long long)saved_ss);
}

static void check_report(const char *report)
{
    static char want[640], want_rf[640];
    expected_report(want, sizeof want, saved_flags);
    expected_report(want_rf, sizeof want_rf, saved_flags | RFLAGS_RF);
    if (strcmp(report, want) == 0 || strcmp(report, want_rf) == 0) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: the page-fault report\n%s\nis not\n%s\n", report, want);
    qemu_exit(QEMU_EXIT_FAILED);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    panic_set_hook(check_report);
    serial_printf("page_fault::write_to_unmapped_address_report...\t");
    /* Save SS, RFLAGS and RSP as the write sees them (nothing after the
     * pushfq changes the flags or the stack pointer), then write. */
    __asm__ volatile("xor %%eax, %%eax\n"
                     "mov %%ss, %%ax\n"
                     "mov %%rax, %2\n"
                     "pushfq\n"
                     "pop %%rax\n"
                     "mov %%rax, %0\n"
                     "mov %%rsp, %1\n"
                     ".global pf_write_insn\n"
                     "pf_write_insn: movq $42, (%3)\n"
                     : "=m"(saved_flags), "=m"(saved_rsp), "=m"(saved_ss)
                     : "r"(TARGET)
                     : "rax", "memory");
    serial_printf("[failed]\n\nError: the write did not fault\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
