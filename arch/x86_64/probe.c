/* Memory probes that survive a page fault: the faulting instruction is known
 * (a global label), so the page-fault handler can resume at the label after
 * it instead of panicking. */
#include "kiln/page_fault.h"

extern const char probe_read_insn[], probe_read_done[], probe_write_insn[], probe_write_done[];

static volatile struct probe_result last;

bool page_fault_fixup(struct interrupt_frame *f, uint64_t address)
{
    const char *resume;
    if (f->rip == (uint64_t)(uintptr_t)probe_read_insn)
        resume = probe_read_done;
    else if (f->rip == (uint64_t)(uintptr_t)probe_write_insn)
        resume = probe_write_done;
    else
        return false;
    last.faulted = true;
    last.address = address;
    last.error_code = f->error_code;
    f->rip = (uint64_t)(uintptr_t)resume;
    return true;
}

__attribute__((noinline)) struct probe_result probe_read(uintptr_t addr, uint64_t *value)
{
    uint64_t v = *value;
    last.faulted = false;
    __asm__ volatile(".global probe_read_insn, probe_read_done\n"
                     "probe_read_insn: movq (%1), %0\n"
                     "probe_read_done:"
                     : "+r"(v)
                     : "r"(addr)
                     : "memory");
    if (!last.faulted) *value = v;
    return (struct probe_result){last.faulted, last.address, last.error_code};
}

__attribute__((noinline)) struct probe_result probe_write(uintptr_t addr, uint64_t value)
{
    last.faulted = false;
    __asm__ volatile(".global probe_write_insn, probe_write_done\n"
                     "probe_write_insn: movq %1, (%0)\n"
                     "probe_write_done:"
                     :
                     : "r"(addr), "r"(value)
                     : "memory");
    return (struct probe_result){last.faulted, last.address, last.error_code};
}
