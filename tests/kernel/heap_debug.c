/* The kernel heap under HEAP_DEBUG (make HEAP_DEBUG=1; make test links this
 * image with a heap.c built that way): blocks carry redzones, freed memory
 * is filled and held in a quarantine before reuse, and the heap stays sound
 * under kiln's own collections. */
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/box.h"
#include "kiln/heap.h"
#include "kiln/heap_debug.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/vec.h"

void kernel_main(uint32_t magic, uint64_t info_phys);

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_main();
}

KTEST(blocks_have_redzones)
{
    uint8_t *p = heap_alloc((struct layout){40, 8});
    for (int i = 0; i < HEAP_DEBUG_REDZONE; i++) kassert_eq(p[40 + i], HEAP_DEBUG_REDZONE_BYTE);
    heap_dealloc(p, (struct layout){40, 8});
}

KTEST(freed_memory_is_filled_and_not_reused_at_once)
{
    uint8_t *p = heap_alloc((struct layout){64, 16});
    for (int i = 0; i < 64; i++) p[i] = (uint8_t)i;
    heap_dealloc(p, (struct layout){64, 16});
    /* Reading freed memory on purpose: the layer owns it until it leaves
     * the quarantine, and has filled it. */
    for (int i = 0; i < 64; i++) kassert_eq(((volatile uint8_t *)p)[i], HEAP_DEBUG_FREE_BYTE);
    uint8_t *q = heap_alloc((struct layout){64, 16});
    kassert(q != p);
    heap_dealloc(q, (struct layout){64, 16});
}

KTEST(collections_work_and_the_heap_stays_sound)
{
    size_t used = heap_stats().used;
    struct vec v = VEC_NEW(int);
    for (int i = 0; i < 2000; i++) VEC_PUSH(&v, int, i);
    for (int i = 0; i < 2000; i++) kassert_eq(VEC_AT(&v, int, i), i);
    vec_free(&v);
    for (int i = 0; i < 200; i++) BOX_FREE(BOX_NEW(long, i));
    kfree(krealloc(kmalloc(10), 3000));
    kassert_eq(heap_check(), 0);
    kassert_eq(heap_stats().used, used); /* heap_stats flushes the quarantine */
}
