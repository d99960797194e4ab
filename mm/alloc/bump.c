/* The bump allocator: one pointer moving up, reset when all blocks are free.
 * An alloc costs an align-up and a compare; a dealloc, a decrement. */
#include "kiln/bump.h"
#include "kiln/panic.h"

void bump_init(struct bump_heap *b, void *start, size_t size)
{
    uintptr_t s = (uintptr_t)start;
    if (s + size < s) panic("bump_init: region at %p of %zu bytes wraps", start, size);
    *b = (struct bump_heap){.start = s, .end = s + size, .next = s, .allocations = 0};
}

void *bump_alloc(struct bump_heap *b, struct layout layout)
{
    if (layout_check(layout) != LAYOUT_OK) return NULL;
    size_t pad = (0 - b->next) & (layout.align - 1);
    if (pad > b->end - b->next || layout.size > b->end - b->next - pad) return NULL;
    uintptr_t p = b->next + pad;
    b->next = p + layout.size;
    b->allocations++;
    return (void *)p;
}

void bump_dealloc(struct bump_heap *b, void *ptr, struct layout layout)
{
    if (ptr == NULL) return;
    enum layout_error e = layout_check(layout);
    uintptr_t p = (uintptr_t)ptr;
    if (e != LAYOUT_OK)
        panic("bump_dealloc: %s: Layout { size: %zu, align: %zu } for %p", layout_error_name(e),
              layout.size, layout.align, ptr);
    if (b->allocations == 0 || p < b->start || p > b->next || layout.size > b->next - p)
        panic("bump_dealloc: invalid free of %p, Layout { size: %zu, align: %zu }: not a live "
              "block of [%p, %p) with %zu live",
              ptr, layout.size, layout.align, (void *)b->start, (void *)b->next, b->allocations);
    if (--b->allocations == 0) b->next = b->start;
}

struct alloc_stats bump_stats(const struct bump_heap *b)
{
    return (struct alloc_stats){.size = b->end - b->start,
                                .used = b->next - b->start,
                                .free = b->end - b->next,
                                .largest_hole = b->end - b->next};
}

size_t bump_check(const struct bump_heap *b)
{
    size_t broken = 0;
    broken += b->start > b->end;
    broken += b->next < b->start || b->next > b->end;
    broken += b->allocations == 0 && b->next != b->start;
    struct alloc_stats s = bump_stats(b);
    broken += s.free + s.used != s.size;
    return broken;
}

static void *bump_op_alloc(void *state, struct layout layout)
{
    return bump_alloc(state, layout);
}

static void bump_op_dealloc(void *state, void *ptr, struct layout layout)
{
    bump_dealloc(state, ptr, layout);
}

static const struct alloc_ops bump_ops = {.alloc = bump_op_alloc, .dealloc = bump_op_dealloc};

struct allocator bump_allocator(struct bump_heap *b)
{
    return (struct allocator){.ops = &bump_ops, .state = b};
}
