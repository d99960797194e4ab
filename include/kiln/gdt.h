/* The 64-bit GDT and the TSS (arch/x86_64/gdt.c), after the blog's
 * "Double Faults" post. */
#ifndef KILN_GDT_H
#define KILN_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18

/* The blog's DOUBLE_FAULT_IST_INDEX: TSS.ist[0], which the IDT calls IST 1. */
#define DOUBLE_FAULT_IST_INDEX 0

/* Load the GDT (null, kernel code, kernel data, TSS in two slots), reload CS
 * with a far return and the data segments with moves, and load the TSS with
 * ltr. The TSS gives the double-fault handler its own stack, which has an
 * unmapped guard page below it (see include/kiln/vmem.h). */
void gdt_init(void);

#endif
