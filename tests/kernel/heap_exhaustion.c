/* Running the heap dry: the try_ forms return NULL, never a wild pointer;
 * freeing makes room again (not with bump, which reuses nothing while a
 * block lives); and once everything is freed the holes have merged back
 * (bump has reset) so that one block of nearly HEAP_SIZE fits. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/console.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

#include "bump_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    heap_set_max(HEAP_SIZE); /* the post's fixed 100 KiB heap: no growth */
    ktest_main();
}

#define BLOCK 1000
static void *blocks[HEAP_SIZE / 16];

/* bump lays equal blocks back to back: one stride apart (the block, and
 * whatever bump adds to each), as many as fit in room. That many. */
static size_t bump_back_to_back(void *const *b, size_t n, size_t room)
{
    kassert(n >= 2);
    uintptr_t stride = (uintptr_t)b[1] - (uintptr_t)b[0];
    kassert(stride >= BLOCK && stride <= BLOCK + BUMP_BLOCK_SLACK);
    for (size_t i = 1; i < n; i++) kassert_eq((uintptr_t)b[i] - (uintptr_t)b[i - 1], stride);
    return room / stride;
}

KTEST(exhausting_the_heap_returns_null_then_recovers)
{
    size_t start = heap_stats().used, n = 0;
    bool bump = heap_is_bump();
    struct layout l = {BLOCK, 8};
    void *p;
    while ((p = try_heap_alloc(l)) != NULL) {
        kassert((uintptr_t)p >= HEAP_START && (uintptr_t)p + BLOCK <= HEAP_START + HEAP_SIZE);
        memset(p, (int)n, BLOCK);
        blocks[n++] = p;
    }
    /* The linked list packs them (16-byte rounding and its 16-byte block
     * header: 1024 bytes each); a design with size classes loses its class
     * rounding (1000 -> 1024 bytes) and its slab or block headers, and is
     * held to 90% of what would fit without any; bump lays them back to
     * back. */
    size_t fit = (HEAP_SIZE - start) / BLOCK;
    println("heap_exhaustion: %s allocator: %zu blocks of %d bytes (%zu would fit exactly)",
            heap_design(), n, BLOCK, fit);
    if (strcmp(heap_design(), "linked_list") == 0)
        kassert(n >= (HEAP_SIZE - start) / 1024);
    else if (bump)
        kassert_eq(n, bump_back_to_back(blocks, n, HEAP_SIZE - start));
    else
        kassert(n >= fit * 90 / 100);
    kassert(try_heap_alloc(l) == NULL);
    kassert(try_kmalloc(BLOCK) == NULL);
    kassert_eq(heap_check(), 0);

    size_t full = heap_stats().used;
    for (size_t i = 0; i < n; i += 2) heap_dealloc(blocks[i], l); /* every other block */
    if (bump) {
        /* bump reuses nothing while a block lives: no hole comes back */
        kassert_eq(heap_stats().used, full);
        kassert(try_heap_alloc(l) == NULL);
    } else {
        for (size_t i = 0; i < n; i += 2) {
            blocks[i] = try_heap_alloc(l);
            kassert(blocks[i] != NULL);
        }
    }
    for (size_t i = 1; i < n; i += 2) /* the survivors kept their bytes */
        kassert_eq(((unsigned char *)blocks[i])[BLOCK - 1], (unsigned char)i);
    for (size_t i = 0; i < n; i++)
        if (i % 2 || !bump) heap_dealloc(blocks[i], l); /* bump: the even ones are free */

    struct alloc_stats s = heap_stats();
    kassert_eq(s.used, start);
    kassert_eq(heap_check(), 0);
    if (strcmp(heap_design(), "fixed_block") == 0) {
        /* The post's known weakness (make ALLOCATOR=fixed_block): the freed
         * blocks stay on their size's list, so no large block fits. */
        kassert(try_heap_alloc((struct layout){HEAP_SIZE / 2, 16}) == NULL);
        return;
    }
    kassert(s.largest_hole >= HEAP_SIZE - start - 64);
    struct layout big = {s.largest_hole, 16};
    void *all = try_heap_alloc(big);
    kassert(all != NULL);
    kassert(try_kmalloc(1) == NULL);
    heap_dealloc(all, big);
    kassert_eq(heap_stats().used, start);
}
