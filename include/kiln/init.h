/* Bringing up the CPU side of kiln (kernel/init.c). */
#ifndef KILN_INIT_H
#define KILN_INIT_H

#include <stdint.h>

#include "kiln/boot_info.h"

/* The blog's init(): the GDT and TSS, then the IDT and the exception
 * handlers, then the PIC, the timer, the keyboard and serial input, then interrupts on. */
void kernel_init(void);

/* Everything a test image that needs the heap does first: parse the boot
 * information, kernel_init, memory_init, and heap_init (panicking with
 * "heap initialization failed: <error>"). Returns the boot information. */
const struct boot_info *kernel_boot_with_heap(uint32_t magic, uint64_t info_phys);

#endif
