/* Bringing up the CPU side of kiln (kernel/init.c). */
#ifndef KILN_INIT_H
#define KILN_INIT_H

#include <stdint.h>

#include "kiln/boot_info.h"

/* The kernel's entry in C: boot.S calls it in long mode, on the boot stack,
 * with the loader's magic (0x36d76289 from a Multiboot2 loader) and the
 * physical address of its information block. kernel/main.c defines it for
 * make run; each tests/kernel/NAME.c defines its own for its image. */
void kernel_main(uint32_t magic, uint64_t info_phys);

/* The blog's init(): the GDT and TSS, then the IDT and the exception
 * handlers, then the PIC, the timer, the keyboard and serial input, then interrupts on. */
void kernel_init(void);

/* Everything a test image that needs the heap does first: parse the boot
 * information, kernel_init, memory_init, and heap_init (panicking with
 * "heap initialization failed: <error>"). Returns the boot information. */
const struct boot_info *kernel_boot_with_heap(uint32_t magic, uint64_t info_phys);

#endif
