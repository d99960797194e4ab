/* Reading GRUB's boot information, once, early in kernel_main (boot/boot.c). */
#ifndef KILN_BOOT_H
#define KILN_BOOT_H

#include <stdint.h>

#include "kiln/boot_info.h"

/* Check the Multiboot2 magic and parse the block at info_phys into kiln's
 * struct boot_info. Panics naming the problem ("boot information: ...") when
 * the magic is wrong or the block is malformed, e.g. BOOT_NO_MEMORY_MAP. */
const struct boot_info *boot_info_load(uint32_t magic, uint64_t info_phys);

/* What boot_info_load parsed (NULL before it ran). */
const struct boot_info *boot_info(void);

/* What the loader handed boot.S (eax, ebx), saved before kernel_main. */
extern uint32_t boot_entry_magic;
extern uint64_t boot_entry_info;

/* The kernel command line ("" when there is none, or when the loader was not
 * Multiboot2). Loads the boot information first if kernel_main has not, so a
 * test image with no init still reads its ktest= filter. */
const char *boot_cmdline(void);

#endif
