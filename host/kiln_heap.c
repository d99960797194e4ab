/* libkiln_heap.a: a registered design over a caller's region, or over a
 * reserved range that grows through a page source. Contracts: kiln_heap.h.
 *
 *   fixed:     region | record | design's region ...................... |
 *   growable:  base   | record | design's region ... | unbacked ... | base + reserve
 *                                                   mapped
 * The record is the handle; the design's state is its tail.
 */
#include "kiln_heap.h"

#include "mmap_source.h"

struct kiln_heap {
    const struct alloc_design *design;
    struct allocator inner; /* the design's own ops over state */
    struct page_source src; /* map == NULL: a fixed region */
    uintptr_t base;         /* the reservation (growable) or the record */
    uintptr_t mapped;       /* the end of the backed pages, == the design's top */
    uintptr_t limit;        /* base + reserve */
    _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state[];
};

#define PAGE       PAGE_SOURCE_PAGE
/* The first mapping of a growable heap, and the least it grows by. */
#define GROW_FIRST (64u * 1024)
#define GROW_MIN   (256u * 1024)

static size_t record_size(const struct alloc_design *d)
{
    size_t n = sizeof(struct kiln_heap) + d->state_size;
    return (n + ALLOC_DESIGN_STATE_ALIGN - 1) & ~(size_t)(ALLOC_DESIGN_STATE_ALIGN - 1);
}

static uintptr_t page_up(uintptr_t x)
{
    return (x + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
}

size_t kiln_heap_overhead(const char *design)
{
    const struct alloc_design *d = alloc_design_find(design);
    return d ? record_size(d) : 0;
}

/* Build the record at rec and init the design over [rec + record, top). */
static struct kiln_heap *setup(const struct alloc_design *d, uintptr_t rec, uintptr_t top)
{
    struct kiln_heap *h = (struct kiln_heap *)rec;
    *h = (struct kiln_heap){.design = d, .base = rec, .mapped = top, .limit = top};
    uintptr_t region = rec + record_size(d);
    d->init(h->state, (void *)region, top - region);
    h->inner = d->allocator(h->state);
    return h;
}

struct kiln_heap *kiln_heap_create(const char *design, void *region, size_t size)
{
    const struct alloc_design *d = alloc_design_find(design);
    uintptr_t r = (uintptr_t)region,
              rec = (r + ALLOC_DESIGN_STATE_ALIGN - 1) & ~(uintptr_t)(ALLOC_DESIGN_STATE_ALIGN - 1);
    if (d == NULL || region == NULL || r + size < r || rec - r > size ||
        size - (rec - r) < record_size(d))
        return NULL;
    return setup(d, rec, r + size);
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
    struct kiln_heap *h = setup(d, base, base + first);
    h->src = src;
    h->base = base;
    h->limit = base + reserve;
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
    if (h) mmap_source_release(h->base, h->limit - h->base);
}

/* ---- growth ----------------------------------------------------------------
 * Back the next pages of the reservation so that a block of layout l fits
 * after the design's top: at least size + align + a page (room for the
 * design's own rounding), at least a quarter of what is mapped (so a heap of
 * n bytes grows O(log n) times), at least GROW_MIN. False when the rest of
 * the reservation is too small or the page source fails. */
static bool grow(struct kiln_heap *h, struct layout l)
{
    if (h->src.map == NULL) return false;
    size_t room = h->limit - h->mapped;
    if (l.size > room || l.align > room - l.size || room - l.size - l.align < PAGE) return false;
    size_t want = l.size + l.align + PAGE, quarter = (h->mapped - h->base) / 4;
    if (want < quarter) want = quarter;
    if (want < GROW_MIN) want = GROW_MIN;
    want = page_up(want);
    if (want > room) want = room;
    if (!h->src.map(h->src.ctx, h->mapped, want)) return false;
    h->mapped += want;
    h->design->extend(h->state, want);
    return true;
}

/* Retries after a grow: one grow gives room for the layout, so a second
 * failure means the design keeps more than a page of its own per block. */
#define GROW_TRIES 3

void *kiln_heap_alloc(struct kiln_heap *h, size_t size, size_t align)
{
    struct layout l = {size, align};
    if (layout_check(l) != LAYOUT_OK) return NULL;
    void *p = allocator_alloc(&h->inner, l);
    for (int i = 0; p == NULL && i < GROW_TRIES && grow(h, l); i++)
        p = allocator_alloc(&h->inner, l);
    return p;
}

void *kiln_heap_alloc_zeroed(struct kiln_heap *h, size_t size, size_t align)
{
    struct layout l = {size, align};
    if (layout_check(l) != LAYOUT_OK) return NULL;
    void *p = allocator_alloc_zeroed(&h->inner, l);
    for (int i = 0; p == NULL && i < GROW_TRIES && grow(h, l); i++)
        p = allocator_alloc_zeroed(&h->inner, l);
    return p;
}

void kiln_heap_dealloc(struct kiln_heap *h, void *ptr, size_t size, size_t align)
{
    allocator_dealloc(&h->inner, ptr, (struct layout){size, align});
}

void *kiln_heap_realloc(struct kiln_heap *h, void *ptr, size_t size, size_t align, size_t new_size)
{
    struct layout l = {size, align}, to = {new_size, align};
    if (layout_check(l) != LAYOUT_OK || layout_check(to) != LAYOUT_OK) return NULL;
    void *p = allocator_realloc(&h->inner, ptr, l, new_size);
    for (int i = 0; p == NULL && i < GROW_TRIES && grow(h, to); i++)
        p = allocator_realloc(&h->inner, ptr, l, new_size);
    return p;
}

int kiln_heap_layout_of(const struct kiln_heap *h, const void *ptr, struct layout *out)
{
    if (h->design->layout_of == NULL) return 0;
    *out = h->design->layout_of(h->state, ptr);
    return 1;
}

const struct alloc_design *kiln_heap_design(const struct kiln_heap *h)
{
    return h->design;
}

struct alloc_stats kiln_heap_stats(const struct kiln_heap *h)
{
    return h->design->stats(h->state);
}

size_t kiln_heap_check(const struct kiln_heap *h)
{
    return h->design->check(h->state);
}

size_t kiln_heap_mapped(const struct kiln_heap *h)
{
    return h->mapped - h->base;
}

size_t kiln_heap_reserve(const struct kiln_heap *h)
{
    return h->limit - h->base;
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
