/* The interrupt descriptor table and the common interrupt path
 * (arch/x86_64/idt.c, isr.S). */
#ifndef KILN_IDT_H
#define KILN_IDT_H

#include <stdint.h>

/* What isr.S saves, then what the CPU pushed. The last five fields are the
 * blog's InterruptStackFrame. */
struct interrupt_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code; /* 0 for vectors without one */
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*interrupt_handler)(struct interrupt_frame *frame);

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist; /* 0: the current stack; n: TSS.ist[n - 1] */
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

struct idt_table {
    struct idt_entry entries[256];
};

/* Fill the kernel's IDT with all 256 stubs (double fault on its IST stack)
 * and load it. Vectors without a handler: exceptions panic with their name,
 * error code and frame; other vectors print "unexpected interrupt" and return. */
void idt_init(void);

/* Route vector to h (NULL: back to the default). Works for any IDT. */
void idt_set_handler(uint8_t vector, interrupt_handler h);

/* Build an IDT of your own (tests): clear makes every entry not-present; set
 * points vector at its stub, on IST stack ist (0: none); load loads it. */
void idt_table_clear(struct idt_table *t);
void idt_table_set(struct idt_table *t, uint8_t vector, uint8_t ist);
void idt_table_load(const struct idt_table *t);

/* The common C entry, called by isr.S. */
void interrupt_dispatch(struct interrupt_frame *frame);

/* "DIVIDE ERROR", "PAGE FAULT", ... for vectors 0..31; NULL above. */
const char *exception_name(uint64_t vector);

/* The frame as the blog prints it, for a format string and its arguments. */
#define FRAME_FMT                                                                                  \
    "InterruptStackFrame { instruction_pointer: 0x%llx, code_segment: 0x%llx, cpu_flags: "         \
    "0x%llx, stack_pointer: 0x%llx, stack_segment: 0x%llx }"
#define FRAME_ARGS(f)                                                                              \
    (unsigned long long)(f)->rip, (unsigned long long)(f)->cs, (unsigned long long)(f)->rflags,    \
        (unsigned long long)(f)->rsp, (unsigned long long)(f)->ss

/* Print the frame as the blog does: InterruptStackFrame { instruction_pointer:
 * 0x..., code_segment: 0x..., cpu_flags: 0x..., stack_pointer: 0x...,
 * stack_segment: 0x... } */
void interrupt_frame_print(const struct interrupt_frame *frame);

/* Install the breakpoint, page-fault and double-fault handlers
 * (arch/x86_64/exceptions.c). */
void exceptions_init(void);

#endif
