#include "kiln/gdt.h"

#include <stdint.h>

#include "kiln/vmem.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3]; /* stacks for privilege changes: unused, kiln runs in ring 0 */
    uint64_t reserved1;
    uint64_t ist[7]; /* interrupt stack table: IDT entries name these 1..7 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

struct gdt_pointer {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern char double_fault_stack_top[];

static struct tss tss;
static uint64_t gdt[5];

/* A 64-bit available-TSS descriptor: 16 bytes, so two GDT slots. */
static void set_tss_descriptor(uint64_t *slot, const struct tss *t)
{
    uint64_t base = (uint64_t)(uintptr_t)t, limit = sizeof *t - 1;
    slot[0] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 /* present, type 9 */ |
              ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    slot[1] = base >> 32;
}

void gdt_init(void)
{
    tss.ist[DOUBLE_FAULT_IST_INDEX] = (uint64_t)(uintptr_t)double_fault_stack_top;
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff; /* kernel code: present, ring 0, executable, long mode */
    gdt[2] = 0x00cf92000000ffff; /* kernel data: present, ring 0, writable */
    set_tss_descriptor(&gdt[3], &tss);

    struct gdt_pointer p = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %w2, %%ds\n\t"
                     "mov %w2, %%es\n\t"
                     "mov %w2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(p), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
                     : "rax", "memory");
}
