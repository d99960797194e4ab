#include "kiln/heap.h"

#include "kiln/linked_list.h"
#ifdef HEAP_DEBUG
#include "kiln/heap_debug.h"
#endif
#include "kiln/spinlock.h"
#include "kiln/vmem.h"

static struct linked_list_heap heap;
static struct spinlock heap_lock = SPINLOCK_INIT;
static bool ready;

/* The allocator under the lock: the design, or with make HEAP_DEBUG=1 the
 * checking layer over it (include/kiln/heap_debug.h). */
static struct allocator backend;
#ifdef HEAP_DEBUG
static struct heap_debug debug_layer;
#endif

/* The global allocator: the backend under the interrupt-safe lock.
 * alloc_zeroed takes the default (alloc, then memset outside the lock). */
static void *locked_alloc(void *state, struct layout l)
{
    (void)state;
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *p = backend.ops->alloc(backend.state, l);
    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

static void locked_dealloc(void *state, void *ptr, struct layout l)
{
    (void)state;
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    backend.ops->dealloc(backend.state, ptr, l);
    spin_unlock_irqrestore(&heap_lock, flags);
}

static void *locked_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    (void)state;
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    void *p = backend.ops->realloc(backend.state, ptr, l, new_size);
    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

static const struct alloc_ops locked_ops = {
    .alloc = locked_alloc,
    .dealloc = locked_dealloc,
    .realloc = locked_realloc,
};

/* Unmap the first `pages` heap pages and give their frames back. */
static void unmap_heap_pages(size_t pages, struct frame_source frames)
{
    for (size_t i = 0; i < pages; i++) {
        struct frame f;
        if (paging_unmap(page_containing(HEAP_START + i * PAGE_SIZE), &f) == MAP_OK && frames.free)
            frames.free(frames.ctx, f);
    }
}

enum map_error heap_init(struct frame_source frames)
{
    size_t pages = (HEAP_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
    for (size_t i = 0; i < pages; i++) {
        struct frame f;
        enum map_error e = MAP_FRAME_ALLOCATION_FAILED;
        if (frame_source_alloc(frames, &f)) {
            e = paging_map_to(page_containing(HEAP_START + i * PAGE_SIZE), f, PTE_WRITABLE, frames);
            if (e != MAP_OK && frames.free) frames.free(frames.ctx, f);
        }
        if (e != MAP_OK) {
            unmap_heap_pages(i, frames);
            return e;
        }
    }
    linked_list_init(&heap, (void *)(uintptr_t)HEAP_START, HEAP_SIZE);
    backend = linked_list_allocator(&heap);
#ifdef HEAP_DEBUG
    heap_debug_init(&debug_layer, backend);
    backend = heap_debug_allocator(&debug_layer);
#endif
    struct allocator a = {.ops = &locked_ops, .state = &heap};
    global_alloc_set(&a);
    ready = true;
    return MAP_OK;
}

bool heap_ready(void)
{
    return ready;
}

struct alloc_stats heap_stats(void)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
#ifdef HEAP_DEBUG
    heap_debug_flush(&debug_layer); /* so used returns to its value once all is freed */
#endif
    struct alloc_stats s = linked_list_stats(&heap);
    spin_unlock_irqrestore(&heap_lock, flags);
    return s;
}

size_t heap_check(void)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    size_t n = linked_list_check(&heap);
#ifdef HEAP_DEBUG
    n += heap_debug_check(&debug_layer);
#endif
    spin_unlock_irqrestore(&heap_lock, flags);
    return n;
}
