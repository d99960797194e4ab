#include "kiln/idt.h"

#include "kiln/console.h"
#include "kiln/gdt.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"

#define GATE_INTERRUPT_PRESENT 0x8e /* present, ring 0, 64-bit interrupt gate */

extern const uint64_t isr_stubs[256];

static struct idt_table kernel_idt;
static interrupt_handler handlers[256];

static const char *const names[32] = {
    "DIVIDE ERROR",
    "DEBUG",
    "NON-MASKABLE INTERRUPT",
    "BREAKPOINT",
    "OVERFLOW",
    "BOUND RANGE EXCEEDED",
    "INVALID OPCODE",
    "DEVICE NOT AVAILABLE",
    "DOUBLE FAULT",
    "COPROCESSOR SEGMENT OVERRUN",
    "INVALID TSS",
    "SEGMENT NOT PRESENT",
    "STACK SEGMENT FAULT",
    "GENERAL PROTECTION FAULT",
    "PAGE FAULT",
    "RESERVED (15)",
    "X87 FLOATING POINT",
    "ALIGNMENT CHECK",
    "MACHINE CHECK",
    "SIMD FLOATING POINT",
    "VIRTUALIZATION",
    "CONTROL PROTECTION",
    "RESERVED (22)",
    "RESERVED (23)",
    "RESERVED (24)",
    "RESERVED (25)",
    "RESERVED (26)",
    "RESERVED (27)",
    "HYPERVISOR INJECTION",
    "VMM COMMUNICATION",
    "SECURITY EXCEPTION",
    "RESERVED (31)",
};

const char *exception_name(uint64_t vector)
{
    return vector < 32 ? names[vector] : NULL;
}

void idt_table_clear(struct idt_table *t)
{
    for (int v = 0; v < 256; v++) t->entries[v] = (struct idt_entry){0};
}

void idt_table_set(struct idt_table *t, uint8_t vector, uint8_t ist)
{
    uint64_t a = isr_stubs[vector];
    t->entries[vector] = (struct idt_entry){
        .offset_low = a & 0xffff,
        .selector = GDT_KERNEL_CODE,
        .ist = ist,
        .type_attr = GATE_INTERRUPT_PRESENT,
        .offset_mid = (a >> 16) & 0xffff,
        .offset_high = a >> 32,
    };
}

void idt_table_load(const struct idt_table *t)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) p = {sizeof *t - 1, (uint64_t)(uintptr_t)t};
    __asm__ volatile("lidt %0" ::"m"(p) : "memory");
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++) idt_table_set(&kernel_idt, (uint8_t)v, 0);
    idt_table_set(&kernel_idt, 8, DOUBLE_FAULT_IST_INDEX + 1);
    idt_table_load(&kernel_idt);
}

void idt_set_handler(uint8_t vector, interrupt_handler h)
{
    handlers[vector] = h;
}

void interrupt_frame_print(const struct interrupt_frame *f)
{
    println(FRAME_FMT, FRAME_ARGS(f));
}

void interrupt_dispatch(struct interrupt_frame *f)
{
    interrupt_handler h = handlers[f->vector & 0xff];
    if (h) {
        h(f);
        return;
    }
    if (f->vector < 32) {
        panic_set_origin(f->rip, f->rbp);
        panic("EXCEPTION: %s (vector %llu), error code: 0x%llx\n" FRAME_FMT, names[f->vector],
              (unsigned long long)f->vector, (unsigned long long)f->error_code, FRAME_ARGS(f));
    }
    println("unexpected interrupt vector %llu (no handler): ignored",
            (unsigned long long)f->vector);
}
