/* The handlers of the blog's "CPU Exceptions", "Double Faults" and
 * "Introduction to Paging" posts. Every other exception panics in
 * interrupt_dispatch with its name, error code and frame. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/fmt.h"
#include "kiln/idt.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#include "kiln/page_fault.h"

static const char *const pf_bits[] = {
    "PROTECTION_VIOLATION", "CAUSED_BY_WRITE", "USER_MODE",    "MALFORMED_TABLE",
    "INSTRUCTION_FETCH",    "PROTECTION_KEY",  "SHADOW_STACK",
};

size_t page_fault_error_format(uint64_t code, char *buf, size_t size)
{
    size_t n = (size_t)ksnprintf(buf, size, "PageFaultErrorCode(");
    bool any = false;
    for (size_t bit = 0; bit < sizeof pf_bits / sizeof pf_bits[0]; bit++) {
        if (!(code & (1ull << bit))) continue;
        n += (size_t)ksnprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s%s",
                               any ? " | " : "", pf_bits[bit]);
        any = true;
    }
    uint64_t rest = code & ~((1ull << (sizeof pf_bits / sizeof pf_bits[0])) - 1);
    if (rest || !any)
        n += (size_t)ksnprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s0x%llx",
                               any ? " | " : "", (unsigned long long)rest);
    n += (size_t)ksnprintf(buf + (n < size ? n : size), n < size ? size - n : 0, ")");
    return n;
}

size_t exception_breakpoint_report(const struct interrupt_frame *f, char *buf, size_t size)
{
    return (size_t)ksnprintf(buf, size, "EXCEPTION: BREAKPOINT\n" FRAME_FMT, FRAME_ARGS(f));
}

size_t exception_page_fault_report(const struct interrupt_frame *f, uint64_t address, char *buf,
                                   size_t size)
{
    char code[160];
    page_fault_error_format(f->error_code, code, sizeof code);
    return (size_t)ksnprintf(buf, size,
                             "EXCEPTION: PAGE FAULT\nAccessed Address: VirtAddr(0x%llx)\n"
                             "Error Code: %s\n" FRAME_FMT,
                             (unsigned long long)address, code, FRAME_ARGS(f));
}

/* The blog's breakpoint handler: print the report and return. */
static void breakpoint_handler(struct interrupt_frame *f)
{
    char report[512];
    exception_breakpoint_report(f, report, sizeof report);
    println("%s", report);
}

/* The blog's page-fault handler: print the report, then halt for good
 * (exception_halt hands it to a test image's hook instead). Faults of
 * probe_read/probe_write resume after the probe. */
static void page_fault_handler(struct interrupt_frame *f)
{
    uint64_t addr = read_cr2();
    if (page_fault_fixup(f, addr)) return;
    static char report[640];
    exception_page_fault_report(f, addr, report, sizeof report);
    panic_set_origin(f->rip, f->rbp); /* a test's backtrace starts at the fault */
    exception_halt(report);
}

/* The blog's double-fault handler: a panic with the report. */
static void double_fault_handler(struct interrupt_frame *f)
{
    panic_set_origin(f->rip, f->rbp);
    panic("EXCEPTION: DOUBLE FAULT\n" FRAME_FMT, FRAME_ARGS(f));
}

void exceptions_init(void)
{
    idt_set_handler(3, breakpoint_handler);
    idt_set_handler(8, double_fault_handler);
    idt_set_handler(14, page_fault_handler);
}
