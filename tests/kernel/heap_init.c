/* heap_init: with the blog's empty frame allocator it fails with
 * MAP_FRAME_ALLOCATION_FAILED; with a source that runs dry half-way it
 * fails too, and gives back every frame it took and unmaps every page it
 * mapped. Either way no allocator is left behind. Then it succeeds. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/boot.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/memory.h"
#include "kiln/paging.h"
#include "kiln/vmem.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys);
    kernel_init();
    memory_init(bi);
    ktest_main();
}

static void assert_no_heap(void)
{
    kassert(!heap_ready());
    kassert(try_kmalloc(8) == NULL); /* no global allocator */
    for (uint64_t a = HEAP_START; a < HEAP_START + HEAP_SIZE; a += PAGE_SIZE)
        kassert(!paging_translate(a).mapped);
}

KTEST(heap_init_with_the_empty_frame_allocator_fails)
{
    kassert_eq(heap_init(frame_source_empty), MAP_FRAME_ALLOCATION_FAILED);
    assert_no_heap();
}

/* The kernel's frames, but only the first `budget` of them. */
static size_t budget;
static bool limited_alloc(void *ctx, struct frame *frame)
{
    if (budget == 0) return false;
    budget--;
    return frame_alloc(ctx, frame);
}
static void limited_free(void *ctx, struct frame frame)
{
    frame_free(ctx, frame);
}

KTEST(heap_init_that_runs_out_half_way_undoes_itself)
{
    struct frame_source limited = {limited_alloc, limited_free, memory_frames()};
    uint64_t free_before = frame_stats(memory_frames()).free;
    budget = 12; /* the page tables (3) and a few heap pages, then nothing */
    kassert_eq(heap_init(limited), MAP_FRAME_ALLOCATION_FAILED);
    assert_no_heap();
    /* The page tables it created stay (like the blog's mapper); the heap
     * pages' frames all came back. */
    kassert_eq(frame_stats(memory_frames()).free, free_before - 3);
}

KTEST(heap_init_then_succeeds)
{
    kassert_eq(heap_init(memory_frame_source()), MAP_OK);
    kassert(heap_ready());
    struct translation t = paging_translate(HEAP_START + HEAP_SIZE - 1);
    kassert(t.mapped);
    kassert(t.flags & PTE_WRITABLE);
    char *p = kmalloc(100);
    kassert((uintptr_t)p > HEAP_START && (uintptr_t)p < HEAP_START + HEAP_SIZE);
    kfree(p);
    kassert_eq(heap_stats().size, HEAP_SIZE);
    kassert_eq(heap_stats().used, 0);
}
