/* kiln's virtual address space, and the conversions between physical and
 * virtual addresses. Included by boot.S too, so only macros above the
 * __ASSEMBLER__ guard.
 *
 *   0x0000_0000_0000_0000  page 0 and low memory: unmapped after boot, so a
 *                          NULL dereference page-faults
 *   0x0000_4444_4444_0000  the heap: HEAP_SIZE bytes mapped by heap_init,
 *                          writable, no-execute
 *   0xFFFF_8000_0000_0000  PHYS_OFFSET: all physical memory, 2 MiB (or 1 GiB)
 *                          pages, up to max(4 GiB, highest usable address);
 *                          no-execute, and the alias of the kernel's boot
 *                          code, .text and .rodata read-only (4 KiB pages)
 *   0xFFFF_FFFF_8000_0000  KERNEL_VMA: the kernel image at KERNEL_VMA + its
 *                          physical address (loaded at 1 MiB), 4 KiB pages:
 *                            .text .rodata .data
 *                            .bss: boot page tables,
 *                                  [guard page][boot stack, KERNEL_STACK_SIZE]
 *                                  [guard page][double-fault stack, IST 1]
 *                          a guard page is left unmapped, so running off the
 *                          bottom of a stack faults instead of corrupting.
 */
#ifndef KILN_VMEM_H
#define KILN_VMEM_H

#define KERNEL_VMA              0xFFFFFFFF80000000
#define PHYS_OFFSET             0xFFFF800000000000
#define PAGE_SIZE               4096
#define KERNEL_STACK_SIZE       (64 * 1024)
#define DOUBLE_FAULT_STACK_SIZE (24 * 1024)
/* Physical memory the boot page tables map at PHYS_OFFSET (and identity). */
#define BOOT_DIRECT_MAP_BYTES   (4ull << 30)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The virtual address through which physical address p is reached. */
static inline void *phys_to_virt(uint64_t p)
{
    return (void *)(uintptr_t)(p + PHYS_OFFSET);
}

/* The physical address behind a pointer into the phys_offset window or the
 * kernel image (for any other address use paging_translate). */
static inline uint64_t virt_to_phys(const void *v)
{
    uint64_t a = (uint64_t)(uintptr_t)v;
    return a >= KERNEL_VMA ? a - KERNEL_VMA : a - PHYS_OFFSET;
}
#endif

#endif
