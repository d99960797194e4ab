/* Bringing up physical memory (mm/memory.c): the frame allocator from the
 * boot memory map, and all physical memory at PHYS_OFFSET. */
#ifndef KILN_MEMORY_H
#define KILN_MEMORY_H

#include <stdint.h>

#include "kiln/boot_info.h"
#include "kiln/frame.h"

/* Build the kernel's frame allocator over bi's usable regions, less the
 * kernel image, the boot information block and the boot modules (the frame
 * allocator leaves out the first 1 MiB itself), then map physical memory up
 * to max(4 GiB, highest usable address) at PHYS_OFFSET. Panics naming the
 * error when either fails. */
void memory_init(const struct boot_info *bi);

/* The kernel's frame allocator, and a frame source drawing from it. */
struct frame_allocator *memory_frames(void);
struct frame_source memory_frame_source(void);

/* The end of the phys_offset window (physical), and the TSC cycles the frame
 * allocator took to build. */
uint64_t memory_direct_map_end(void);
uint64_t memory_frame_init_cycles(void);

#endif
