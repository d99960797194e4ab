#include "kiln/memory.h"

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/paging.h"
#include "kiln/panic.h"
#include "kiln/vmem.h"

extern char kernel_phys_start[], kernel_phys_end[], kernel_data_start[];

static struct frame_allocator frames;
static uint64_t direct_map_end, init_cycles;

void memory_init(const struct boot_info *bi)
{
    struct frame_range reserved[2 + BOOT_MAX_MODULES];
    size_t n = 0;
    reserved[n++] = (struct frame_range){(uint64_t)(uintptr_t)kernel_phys_start,
                                         (uint64_t)(uintptr_t)kernel_phys_end};
    reserved[n++] = (struct frame_range){bi->info_addr, bi->info_addr + bi->info_size};
    for (size_t i = 0; i < bi->module_count; i++)
        reserved[n++] = (struct frame_range){bi->modules[i].start, bi->modules[i].end};

    uint64_t t0 = rdtsc();
    /* Until the window below is complete, boot.S's first 4 GiB is all that
     * PHYS_OFFSET reaches: the bitmap must lie there. */
    enum frame_error e = frame_allocator_init(&frames, bi->regions, bi->region_count, reserved, n,
                                              PHYS_OFFSET, BOOT_DIRECT_MAP_BYTES);
    init_cycles = rdtsc() - t0;
    if (e != FRAME_OK) panic("frame allocator initialization failed: %s", frame_error_name(e));

    uint64_t end = BOOT_DIRECT_MAP_BYTES;
    for (size_t i = 0; i < bi->region_count; i++)
        if (bi->regions[i].type == MEM_USABLE && bi->regions[i].end > end) end = bi->regions[i].end;
    end = (end + (2ull << 20) - 1) & ~((2ull << 20) - 1);
    paging_map_physical_memory(end, memory_frame_source());
    direct_map_end = end;
    /* W^X in the window too: no-execute throughout, and the alias of the
     * boot code, .text and .rodata read-only. (.data and .bss stay writable
     * there: they hold the boot page tables, which paging edits through it.) */
    paging_protect_direct_map((uint64_t)(uintptr_t)kernel_phys_start,
                              (uint64_t)(uintptr_t)kernel_data_start - KERNEL_VMA,
                              memory_frame_source());
    if (!paging_has_nx())
        kprintf("kiln: this CPU has no NX: data pages stay executable (W^X covers writes only)\n");
}

struct frame_allocator *memory_frames(void)
{
    return &frames;
}
struct frame_source memory_frame_source(void)
{
    return frame_source_of(&frames);
}
uint64_t memory_direct_map_end(void)
{
    return direct_map_end;
}
uint64_t memory_frame_init_cycles(void)
{
    return init_cycles;
}
