/* The global allocator slot and the layout front ends over it.
 *
 * One slot, set by the kernel's heap setup (mm/heap.c) or by a host test. The
 * slot starts as "none": every allocation from it fails, and a dealloc into
 * it panics, since nothing can have come from it.
 */
#include "kiln/alloc.h"
#include "kiln/panic.h"

static void *none_op_alloc(void *state, struct layout layout)
{
    (void)state;
    (void)layout;
    return NULL;
}

static void none_op_dealloc(void *state, void *ptr, struct layout layout)
{
    (void)state;
    panic("heap_dealloc: no global allocator is set (ptr %p, Layout { size: %zu, align: %zu })",
          ptr, layout.size, layout.align);
}

static const struct alloc_ops none_ops = {.alloc = none_op_alloc, .dealloc = none_op_dealloc};
static struct allocator global = {.ops = &none_ops, .state = NULL};

/* Make *a the global allocator (copied). Blocks from the previous one must
 * not be freed afterwards. A NULL a or a table without alloc/dealloc panics. */
void global_alloc_set(const struct allocator *a)
{
    if (a == NULL || a->ops == NULL || a->ops->alloc == NULL || a->ops->dealloc == NULL)
        panic("global_alloc_set: an allocator needs ops with alloc and dealloc");
    global = *a;
}

/* The current global allocator; never NULL. */
const struct allocator *global_allocator(void)
{
    return &global;
}

/* Panic with "allocation error: Layout { size: N, align: M }". */
noreturn void alloc_error(struct layout layout)
{
    panic("allocation error: Layout { size: %zu, align: %zu }", layout.size, layout.align);
}

/* The infallible forms: as the global_ ones, but a NULL result (memory
 * exhausted or an invalid layout) goes to alloc_error with the layout that was
 * asked for (for heap_realloc: {new_size, layout.align}). */
void *heap_alloc(struct layout layout)
{
    void *p = allocator_alloc(&global, layout);
    if (p == NULL) alloc_error(layout);
    return p;
}

void *heap_alloc_zeroed(struct layout layout)
{
    void *p = allocator_alloc_zeroed(&global, layout);
    if (p == NULL) alloc_error(layout);
    return p;
}

void *heap_realloc(void *ptr, struct layout layout, size_t new_size)
{
    void *p = allocator_realloc(&global, ptr, layout, new_size);
    if (p == NULL) alloc_error((struct layout){new_size, layout.align});
    return p;
}

void heap_dealloc(void *ptr, struct layout layout)
{
    allocator_dealloc(&global, ptr, layout);
}

/* The fallible forms: allocator_alloc & co. on the global allocator. */
void *try_heap_alloc(struct layout layout)
{
    return allocator_alloc(&global, layout);
}
void *try_heap_alloc_zeroed(struct layout layout)
{
    return allocator_alloc_zeroed(&global, layout);
}
void *try_heap_realloc(void *ptr, struct layout layout, size_t new_size)
{
    return allocator_realloc(&global, ptr, layout, new_size);
}
