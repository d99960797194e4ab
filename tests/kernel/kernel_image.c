/* The kernel image is mapped W^X by boot.S: .text read-only and executable,
 * .rodata read-only, .data and .bss writable and (with NX) not executable,
 * and nothing is mapped below the two stacks. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/idt.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/page_fault.h"
#include "kiln/paging.h"
#include "kiln/vmem.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    ktest_main();
}

extern char boot_stack_guard[], boot_stack_bottom[], double_fault_stack_guard[];
static const uint64_t read_only_value = 0x6b696c6e;
static uint64_t writable_value;

static void assert_write_faults(uintptr_t addr)
{
    struct probe_result r = probe_write(addr, 0);
    kassert(r.faulted);
    kassert_eq(r.address, addr);
    kassert_eq(r.error_code & (PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE),
               PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE);
}

KTEST(text_is_read_only_and_executable)
{
    uintptr_t code = (uintptr_t)kernel_main;
    struct translation t = paging_translate(code);
    kassert(t.mapped);
    kassert(!(t.flags & PTE_WRITABLE));
    kassert(!(t.flags & PTE_NO_EXECUTE));
    assert_write_faults(code);
}

KTEST(rodata_is_read_only)
{
    uintptr_t ro = (uintptr_t)&read_only_value;
    kassert(!(paging_translate(ro).flags & PTE_WRITABLE));
    assert_write_faults(ro);
    kassert_eq(read_only_value, 0x6b696c6e);
}

KTEST(data_is_writable)
{
    struct probe_result r = probe_write((uintptr_t)&writable_value, 7);
    kassert(!r.faulted);
    kassert_eq(writable_value, 7);
    kassert(paging_translate((uintptr_t)&writable_value).flags & PTE_WRITABLE);
}

KTEST(stack_guard_pages_are_unmapped)
{
    kassert(!paging_translate((uintptr_t)boot_stack_guard).mapped);
    kassert(!paging_translate((uintptr_t)double_fault_stack_guard).mapped);
    kassert(paging_translate((uintptr_t)boot_stack_bottom).mapped);
}

/* Executing from .data: a page fault with INSTRUCTION_FETCH at the data
 * address. The handler emulates the "ret" that was never run. */
static uint8_t data_code[16] = {0xc3}; /* ret */
static volatile uint64_t fetch_error, fetch_address;

static void return_from_fetch_fault(struct interrupt_frame *f)
{
    fetch_error = f->error_code;
    fetch_address = read_cr2();
    f->rip = *(uint64_t *)f->rsp;
    f->rsp += 8;
}

KTEST(data_is_not_executable)
{
    uint32_t a, b, c, d;
    cpuid(0x80000001, &a, &b, &c, &d);
    kassert(d & (1u << 20)); /* QEMU's default CPU has NX */
    kassert(paging_translate((uintptr_t)data_code).flags & PTE_NO_EXECUTE);
    idt_set_handler(14, return_from_fetch_fault);
    ((void (*)(void))(uintptr_t)data_code)();
    exceptions_init(); /* the kernel's page-fault handler again */
    kassert_eq(fetch_address, (uintptr_t)data_code);
    kassert(fetch_error & PF_INSTRUCTION_FETCH);
}
