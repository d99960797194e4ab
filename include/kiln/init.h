/* Bringing up the CPU side of kiln (kernel/init.c). */
#ifndef KILN_INIT_H
#define KILN_INIT_H

/* The blog's init(): the GDT and TSS, then the IDT and the exception
 * handlers, then the PIC, the timer and the keyboard, then interrupts on. */
void kernel_init(void);

#endif
