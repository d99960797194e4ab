/* libkiln_heap.a: a registered design over a caller's region, or over a
 * reserved range that grows through a page source. Contracts: kiln_heap.h.
 *
 *   fixed:     region | record | design's region ...................... |
 *   growable:  base   | record | design's region ... | unbacked ... | base + reserve
 *
 * The record is the handle; the design's state is its tail. A growable heap
 * grows with the kernel heap's own logic (mm/alloc/heap_grow.c) over the
 * caller's page source: one growth step, then one retry.
 */
#include "kiln_heap.h"

#include <string.h>

#include "kiln/heap_grow.h"
#include "mmap_source.h"

struct kiln_heap {
    struct heap_grow g; /* design, state and allocator; pages.map == NULL: fixed */
    uintptr_t base;     /* the reservation (growable) or the record */
    size_t reserve;     /* growable: the reservation's bytes */
    _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state[];
};

#define PAGE       PAGE_SOURCE_PAGE
/* The first mapping of a growable heap. */
#define GROW_FIRST (64u * 1024)

static size_t record_size(const struct alloc_design *d)
{
    size_t n = sizeof(struct kiln_heap) + d->state_size;
    return (n + ALLOC_DESIGN_STATE_ALIGN - 1) & ~(size_t)(ALLOC_DESIGN_STATE_ALIGN - 1);
}

static uintptr_t page_up(uintptr_t x)
{
    return (x + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
}

static bool growable(const struct kiln_heap *h)
{
    return h->g.pages.map != NULL;
}

size_t kiln_heap_overhead(const char *design)
{
    const struct alloc_design *d = alloc_design_find(design);
    return d ? record_size(d) : 0;
}

struct kiln_heap *kiln_heap_create(const char *design, void *region, size_t size)
{
    const struct alloc_design *d = alloc_design_find(design);
    uintptr_t r = (uintptr_t)region,
              rec = (r + ALLOC_DESIGN_STATE_ALIGN - 1) & ~(uintptr_t)(ALLOC_DESIGN_STATE_ALIGN - 1);
    if (d == NULL || region == NULL || r + size < r || rec - r > size ||
        size - (rec - r) < record_size(d))
        return NULL;
    struct kiln_heap *h = (struct kiln_heap *)rec;
    uintptr_t start = rec + record_size(d);
    *h = (struct kiln_heap){.base = rec};
    d->init(h->state, (void *)start, r + size - start);
    h->g = (struct heap_grow){.design = d,
                              .state = h->state,
                              .a = d->allocator(h->state),
                              .start = start,
                              .size = r + size - start,
                              .max = r + size - start};
    return h;
}

struct kiln_heap *kiln_heap_create_growable(const char *design, uintptr_t base, size_t reserve,
                                            struct page_source src)
{
    const struct alloc_design *d = alloc_design_find(design);
    if (d == NULL || d->extend == NULL || src.map == NULL || (base & (PAGE - 1)) != 0 ||
        base + reserve < base)
        return NULL;
    size_t first = page_up(record_size(d) + GROW_FIRST);
    if (first > reserve || !src.map(src.ctx, base, first)) return NULL;
    struct kiln_heap *h = (struct kiln_heap *)base;
    *h = (struct kiln_heap){.base = base, .reserve = reserve};
    size_t rec = record_size(d);
    heap_grow_init(&h->g, d, h->state, (void *)(base + rec), first - rec, reserve - rec, src);
    return h;
}

struct kiln_heap *kiln_heap_create_mmap(const char *design, size_t reserve)
{
    reserve = page_up(reserve);
    uintptr_t base = mmap_source_reserve(reserve);
    if (base == 0) return NULL;
    struct kiln_heap *h = kiln_heap_create_growable(design, base, reserve, mmap_source());
    if (h == NULL) mmap_source_release(base, reserve);
    return h;
}

void kiln_heap_destroy_mmap(struct kiln_heap *h)
{
    if (h) mmap_source_release(h->base, h->reserve);
}

void *kiln_heap_alloc(struct kiln_heap *h, size_t size, size_t align)
{
    struct layout l = {size, align};
    return growable(h) ? heap_grow_alloc(&h->g, l) : allocator_alloc(&h->g.a, l);
}

void *kiln_heap_alloc_zeroed(struct kiln_heap *h, size_t size, size_t align)
{
    struct layout l = {size, align};
    if (!growable(h)) return allocator_alloc_zeroed(&h->g.a, l);
    void *p = allocator_alloc_zeroed(&h->g.a, l);
    if (p == NULL && (p = heap_grow_alloc(&h->g, l)) != NULL) memset(p, 0, size);
    return p;
}

void kiln_heap_dealloc(struct kiln_heap *h, void *ptr, size_t size, size_t align)
{
    allocator_dealloc(&h->g.a, ptr, (struct layout){size, align});
}

void *kiln_heap_realloc(struct kiln_heap *h, void *ptr, size_t size, size_t align, size_t new_size)
{
    struct layout l = {size, align};
    return growable(h) ? heap_grow_realloc(&h->g, ptr, l, new_size)
                       : allocator_realloc(&h->g.a, ptr, l, new_size);
}

int kiln_heap_layout_of(const struct kiln_heap *h, const void *ptr, struct layout *out)
{
    if (h->g.design->layout_of == NULL) return 0;
    *out = h->g.design->layout_of(h->state, ptr);
    return 1;
}

const struct alloc_design *kiln_heap_design(const struct kiln_heap *h)
{
    return h->g.design;
}

struct alloc_stats kiln_heap_stats(const struct kiln_heap *h)
{
    return h->g.design->stats(h->state);
}

size_t kiln_heap_check(const struct kiln_heap *h)
{
    return h->g.design->check(h->state);
}

size_t kiln_heap_mapped(const struct kiln_heap *h)
{
    return h->g.start + h->g.size - h->base;
}

size_t kiln_heap_reserve(const struct kiln_heap *h)
{
    return growable(h) ? h->reserve : kiln_heap_mapped(h);
}
/* ---- as an allocator ------------------------------------------------------ */

static void *op_alloc(void *state, struct layout l)
{
    return kiln_heap_alloc(state, l.size, l.align);
}
static void op_dealloc(void *state, void *ptr, struct layout l)
{
    kiln_heap_dealloc(state, ptr, l.size, l.align);
}
static void *op_alloc_zeroed(void *state, struct layout l)
{
    return kiln_heap_alloc_zeroed(state, l.size, l.align);
}
static void *op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    return kiln_heap_realloc(state, ptr, l.size, l.align, new_size);
}

static const struct alloc_ops kiln_heap_ops = {.alloc = op_alloc,
                                               .dealloc = op_dealloc,
                                               .alloc_zeroed = op_alloc_zeroed,
                                               .realloc = op_realloc};

struct allocator kiln_heap_allocator(struct kiln_heap *h)
{
    return (struct allocator){.ops = &kiln_heap_ops, .state = h};
}
