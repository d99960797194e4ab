/* The blog's tests/stack_overflow.rs: no harness. Unbounded recursion runs
 * into the guard page below the boot stack; the page fault cannot push its
 * frame on that stack, so the CPU raises a double fault, which runs on its
 * own IST stack. This image loads its own IDT with only that handler; a
 * triple fault instead would end QEMU with status 0, a failure. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/init.h"
#include "kiln/gdt.h"
#include "kiln/idt.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"

static struct idt_table test_idt;

static void test_double_fault_handler(struct interrupt_frame *f)
{
    (void)f;
    serial_printf("[ok]\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
}

static volatile int depth;

/* Unbounded on purpose: each call pushes a return address, and the volatile
 * access after the call keeps it from becoming a loop. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static void __attribute__((noinline)) stack_overflow(void)
{
    stack_overflow();
    depth++;
}
#pragma GCC diagnostic pop

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    serial_printf("stack_overflow::stack_overflow...\t");
    gdt_init();
    idt_table_clear(&test_idt);
    idt_table_set(&test_idt, 8, DOUBLE_FAULT_IST_INDEX + 1);
    idt_set_handler(8, test_double_fault_handler);
    idt_table_load(&test_idt);
    stack_overflow();
    serial_printf("[execution continued after stack overflow]\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
