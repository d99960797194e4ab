/* The interrupt descriptor table and the common interrupt path
 * (arch/x86_64/idt.c, isr.S). */
#ifndef KILN_IDT_H
#define KILN_IDT_H

#include <stddef.h>
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

/* The frame as the blog prints it with {:#?} (x86_64's InterruptStackFrame
 * Debug, one field per line), for a format string and its arguments:
 *     InterruptStackFrame {
 *         instruction_pointer: VirtAddr(0xffffffff80103bb6),
 *         code_segment: 8,
 *         cpu_flags: 0x286,
 *         stack_pointer: VirtAddr(0xffffffff8012ef00),
 *         stack_segment: 16,
 *     }
 * (no newline after the closing brace). */
#define FRAME_FMT                                                                                  \
    "InterruptStackFrame {\n"                                                                      \
    "    instruction_pointer: VirtAddr(0x%llx),\n"                                                 \
    "    code_segment: %llu,\n"                                                                    \
    "    cpu_flags: 0x%llx,\n"                                                                     \
    "    stack_pointer: VirtAddr(0x%llx),\n"                                                       \
    "    stack_segment: %llu,\n"                                                                   \
    "}"
#define FRAME_ARGS(f)                                                                              \
    (unsigned long long)(f)->rip, (unsigned long long)(f)->cs, (unsigned long long)(f)->rflags,    \
        (unsigned long long)(f)->rsp, (unsigned long long)(f)->ss

/* Print the frame in FRAME_FMT's shape, then a newline. */
void interrupt_frame_print(const struct interrupt_frame *frame);

/* Install the breakpoint, page-fault and double-fault handlers
 * (arch/x86_64/exceptions.c). */
void exceptions_init(void);

/* The breakpoint handler's report, as the blog's println!("EXCEPTION:
 * BREAKPOINT\n{:#?}", stack_frame) prints it: "EXCEPTION: BREAKPOINT\n" and
 * FRAME_FMT (no final newline). snprintf-style: returns the full length. */
size_t exception_breakpoint_report(const struct interrupt_frame *frame, char *buf, size_t size);

/* The page-fault handler's report, as the blog's prints it: "EXCEPTION: PAGE
 * FAULT", "Accessed Address: VirtAddr(0x...)", "Error Code:
 * PageFaultErrorCode(...)" and FRAME_FMT, one per line (no final newline).
 * snprintf-style. */
size_t exception_page_fault_report(const struct interrupt_frame *frame, uint64_t address, char *buf,
                                   size_t size);

#endif
