/* Growing a heap on demand: contracts in include/kiln/heap_grow.h. */
#include "kiln/heap_grow.h"
#include "kiln/panic.h"

#define PAGE ((size_t)PAGE_SOURCE_PAGE)

void heap_grow_init(struct heap_grow *g, const struct alloc_design *design, void *state,
                    void *start, size_t size, size_t max, struct page_source pages)
{
    uintptr_t s = (uintptr_t)start;
    if (s + size < s || ((s + size) & (PAGE - 1)) != 0)
        panic("heap_grow_init: region at %p of %zu bytes must end on a page boundary", start, size);
    design->init(state, start, size);
    *g = (struct heap_grow){.design = design,
                            .state = state,
                            .a = design->allocator(state),
                            .pages = pages,
                            .start = s,
                            .size = size,
                            .max = max > size ? max : size,
                            .step_max = HEAP_GROW_STEP_MAX};
}

size_t heap_grow_step(size_t size, size_t need, size_t max, size_t step_max)
{
    if (size > max || need > max - size) return 0;
    size_t room = max - size, min = (need + PAGE - 1) & ~(PAGE - 1);
    if (min == 0) min = PAGE; /* a failed alloc of 0 bytes still needs a page */
    if (min > room) return 0;
    size_t want = size < step_max ? size : step_max; /* doubling, capped */
    want &= ~(PAGE - 1);
    size_t step = want > min ? want : min;
    return step < room ? step : room & ~(PAGE - 1);
}

bool heap_grow_by(struct heap_grow *g, size_t need)
{
    if (g->design->extend == NULL) return false;
    size_t step = heap_grow_step(g->size, need, g->max, g->step_max);
    bool mapped = step != 0 && g->pages.map(g->pages.ctx, g->start + g->size, step);
    if (!mapped && step != 0) {
        /* the source is short of the preferred step: the request alone */
        size_t min = heap_grow_step(g->size, need, g->max, 0);
        if (min < step) step = min, mapped = g->pages.map(g->pages.ctx, g->start + g->size, min);
    }
    if (!mapped) {
        g->refused++;
        return false;
    }
    g->design->extend(g->state, step);
    g->size += step;
    g->grows++;
    return true;
}

/* The bytes to grow by for layout l: its size and its alignment (so an
 * aligned block fits wherever the new bytes start), and one more page for
 * the design's own rounding and headers. Saturates instead of wrapping. */
static size_t need_for(struct layout l)
{
    size_t n = l.size + l.align;
    if (n < l.size || n + PAGE < n) return SIZE_MAX;
    return n + PAGE;
}

void *heap_grow_alloc(struct heap_grow *g, struct layout l)
{
    void *p = allocator_alloc(&g->a, l);
    if (p != NULL || layout_check(l) != LAYOUT_OK) return p;
    if (!heap_grow_by(g, need_for(l))) return NULL;
    return allocator_alloc(&g->a, l);
}

void *heap_grow_realloc(struct heap_grow *g, void *ptr, struct layout l, size_t new_size)
{
    struct layout to = {new_size, l.align};
    void *p = allocator_realloc(&g->a, ptr, l, new_size);
    if (p != NULL || layout_check(l) != LAYOUT_OK || layout_check(to) != LAYOUT_OK) return p;
    if (!heap_grow_by(g, need_for(to))) return NULL;
    return allocator_realloc(&g->a, ptr, l, new_size);
}

void heap_grow_dealloc(struct heap_grow *g, void *ptr, struct layout l)
{
    allocator_dealloc(&g->a, ptr, l);
}
