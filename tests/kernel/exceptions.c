/* Each exception reaches the handler registered for its vector, with the
 * right vector and error code, and the handler can resume execution. The
 * breakpoint handler's report has the blog's wording and frame shape. */
#include <stdint.h>

#include "kiln/fmt.h"
#include "kiln/idt.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    ktest_main();
}

extern const char divide_insn[], divide_done[], ud2_insn[], ud2_done[];
static volatile uint64_t seen_vector, seen_rip, seen_error, hits;

/* Record the exception and resume at the label after the faulting instruction. */
static void record_and_skip(struct interrupt_frame *f)
{
    seen_vector = f->vector;
    seen_rip = f->rip;
    seen_error = f->error_code;
    hits++;
    f->rip = f->rip == (uint64_t)(uintptr_t)divide_insn ? (uint64_t)(uintptr_t)divide_done
                                                        : (uint64_t)(uintptr_t)ud2_done;
}

KTEST(divide_error_reaches_its_handler)
{
    idt_set_handler(0, record_and_skip);
    hits = 0;
    __asm__ volatile("xor %%ecx, %%ecx\n"
                     ".global divide_insn, divide_done\n"
                     "divide_insn: div %%rcx\n"
                     "divide_done:"
                     :
                     : "a"(1), "d"(0)
                     : "rcx", "memory");
    idt_set_handler(0, NULL);
    kassert_eq(hits, 1);
    kassert_eq(seen_vector, 0);
    kassert_eq(seen_rip, (uintptr_t)divide_insn);
    kassert_eq(seen_error, 0);
    kassert(strcmp(exception_name(0), "DIVIDE ERROR") == 0);
}

KTEST(invalid_opcode_reaches_its_handler)
{
    idt_set_handler(6, record_and_skip);
    hits = 0;
    __asm__ volatile(".global ud2_insn, ud2_done\n"
                     "ud2_insn: ud2\n"
                     "ud2_done:" ::
                         : "memory");
    idt_set_handler(6, NULL);
    kassert_eq(hits, 1);
    kassert_eq(seen_vector, 6);
    kassert_eq(seen_rip, (uintptr_t)ud2_insn);
    kassert(strcmp(exception_name(6), "INVALID OPCODE") == 0);
}

/* A software interrupt on a vector nobody handles is named and ignored. */
KTEST(unknown_vector_is_ignored)
{
    __asm__ volatile("int $200" ::: "memory");
}

/* The breakpoint handler's report for the frame of an int3, to the letter:
 * the blog's println!("EXCEPTION: BREAKPOINT\n{:#?}", stack_frame). The
 * registers are saved just before the int3; the frame's instruction pointer
 * is the address after it. */
extern const char bp_done[];
static volatile uint64_t bp_flags, bp_rsp, bp_ss;
static char bp_report[512];

static void report_breakpoint(struct interrupt_frame *f)
{
    exception_breakpoint_report(f, bp_report, sizeof bp_report);
}

KTEST(breakpoint_report_has_the_blogs_shape)
{
    idt_set_handler(3, report_breakpoint);
    __asm__ volatile("xor %%eax, %%eax\n"
                     "mov %%ss, %%ax\n"
                     "mov %%rax, %2\n"
                     "pushfq\n"
                     "pop %%rax\n"
                     "mov %%rax, %0\n"
                     "mov %%rsp, %1\n"
                     "int3\n"
                     ".global bp_done\n"
                     "bp_done:"
                     : "=m"(bp_flags), "=m"(bp_rsp), "=m"(bp_ss)
                     :
                     : "rax", "memory");
    exceptions_init(); /* the real breakpoint handler again */
    char want[512];
    ksnprintf(want, sizeof want,
              "EXCEPTION: BREAKPOINT\n"
              "InterruptStackFrame {\n"
              "    instruction_pointer: VirtAddr(0x%llx),\n"
              "    code_segment: 8,\n"
              "    cpu_flags: 0x%llx,\n"
              "    stack_pointer: VirtAddr(0x%llx),\n"
              "    stack_segment: %llu,\n"
              "}",
              (unsigned long long)(uintptr_t)bp_done, (unsigned long long)bp_flags,
              (unsigned long long)bp_rsp, (unsigned long long)bp_ss);
    if (strcmp(bp_report, want) != 0)
        panic("the breakpoint report\n%s\nis not\n%s", bp_report, want);
}

/* The real breakpoint handler prints its report and returns. */
KTEST(breakpoint_handler_returns)
{
    __asm__ volatile("int3" ::: "memory");
}
