/* Each exception reaches the handler registered for its vector, with the
 * right vector and error code, and the handler can resume execution. */
#include <stdint.h>

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
