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

static void breakpoint_handler(struct interrupt_frame *f)
{
    println("EXCEPTION: BREAKPOINT");
    interrupt_frame_print(f);
}

static void page_fault_handler(struct interrupt_frame *f)
{
    uint64_t addr = read_cr2();
    if (page_fault_fixup(f, addr)) return;
    char code[160];
    page_fault_error_format(f->error_code, code, sizeof code);
    panic_set_origin(f->rip, f->rbp);
    panic("EXCEPTION: PAGE FAULT\nAccessed Address: 0x%llx\nError Code: %s\n" FRAME_FMT,
          (unsigned long long)addr, code, FRAME_ARGS(f));
}

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
