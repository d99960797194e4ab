/* kiln's default allocator: slab pages for small blocks over a TLSF-like pool
 * (default_heap_pool.c). Contracts and invariants: include/kiln/default_heap.h.
 *
 * The fast paths: an alloc of a small class takes the lowest free slot of
 * the first page on its class list (a bit scan of the class's slot starts
 * and the page's vacant bits); a free checks in one compare that the
 * pointer is 16-aligned and its page in the slab range (dh_slab_grain),
 * then the page's check word (which also names the class the layout says)
 * and that the slot's vacant bit is clear, sets it and counts the free in
 * the page's quota.
 * Everything else (full and empty pages, the pool) is off the fast path.
 */
#include "default_heap_impl.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define SLOT0 ((uint16_t)DH_SLAB_HEADER) /* the offset of a page's first slot */
#define COLD  __attribute__((noinline, cold))
_Static_assert(DH_SLAB_HEADER == 64 && DH_PAGE == 2048, "dh_slot_starts is for these");

const uint16_t dh_class_size[DEFAULT_HEAP_CLASSES] = {16, 32, 48, 64, 80, 96, 112, 128};

/* dh_class_of[(size + 15) / 16]: the smallest class that holds size. */
const uint8_t dh_class_of[DEFAULT_HEAP_SMALL_MAX / DH_GRAIN + 1] = {0, 0, 1, 2, 3, 4, 5, 6, 7};

/* Bit i of word w set: a slot of class c starts at offset 16 (64 w + i)
 * (slots from offset 64, as many as fit in the page: 124, 62, 41, 31, 24,
 * 20, 17 and 15 slots). tests/host/test_default_heap.c recomputes the
 * table. */
const uint64_t dh_slot_starts[DH_PAGE / DH_GRAIN / 64][DEFAULT_HEAP_CLASSES] = {
    {0xfffffffffffffff0ull, 0x5555555555555550ull, 0x2492492492492490ull, 0x1111111111111110ull,
     0x0842108421084210ull, 0x0410410410410410ull, 0x1020408102040810ull, 0x1010101010101010ull},
    {0xffffffffffffffffull, 0x5555555555555555ull, 0x1249249249249249ull, 0x1111111111111111ull,
     0x0084210842108421ull, 0x0041041041041041ull, 0x0010204081020408ull, 0x0010101010101010ull},
};

/* The slab class of layout l, or DEFAULT_HEAP_CLASSES when l is not small
 * (size 1..128 at alignment <= 16; size 0 also maps to class 0). */
static inline size_t small_class(struct layout l)
{
    size_t c = (l.size - 1) >> 4;
    if (l.size == 0) c = 0;
    return c < DEFAULT_HEAP_CLASSES && l.align <= DH_GRAIN ? c : DEFAULT_HEAP_CLASSES;
}

/* ---- slab pages ---- */

const dh_slab dh_no_page = {.vacant = {0, 0}};

static void slab_link(struct default_heap *h, dh_slab *s)
{
    dh_slab *first = dh_avail_first(h, s->cls);
    s->prev = NULL;
    s->next = first;
    if (first) first->prev = s;
    h->avail[s->cls] = s;
}

static void slab_unlink(struct default_heap *h, dh_slab *s)
{
    if (s->next) s->next->prev = s->prev;
    if (s->prev)
        s->prev->next = s->next;
    else
        h->avail[s->cls] = s->next ? s->next : DH_NO_PAGE;
}

static inline bool slab_listed(const dh_slab *s)
{
    return s->quota >= -1; /* -1: nothing live, about to be kept or released */
}

static void slab_release(struct default_heap *h, dh_slab *s)
{
    if (slab_listed(s)) slab_unlink(h, s);
    s->check = 0;
    dh_pool_give(h, (dh_block *)s);
}

bool dh_slab_flush(struct default_heap *h)
{
    bool any = false;
    for (unsigned c = 0; c < DEFAULT_HEAP_CLASSES; c++) {
        dh_slab *s = h->empty[c];
        h->empty[c] = NULL;
        if (!s) continue;
        s->kept = 0;
        if (--s->quota == -1) { /* nothing was live on it */
            slab_release(h, s);
            any = true;
        }
    }
    return any;
}

static dh_slab *slab_new(struct default_heap *h, unsigned cls)
{
    dh_slab *s = (dh_slab *)dh_pool_take(h, DH_PAGE, DH_PAGE, 0, DH_SLAB, dh_log2(DH_PAGE));
    if (!s) return NULL;
    s->check = dh_slab_check(h, dh_addr(s), cls);
    s->tag = (uint8_t)(DH_SLAB | DH_FREE);
    memset(s->vacant, 0xff, sizeof s->vacant);
    s->quota = -1; /* nothing live, not kept: the caller takes a slot at once */
    s->cls = (uint8_t)cls;
    s->kept = 0;
    slab_link(h, s);
    return s;
}

/* The free slots of word w of page s of class cls. */
static inline uint64_t slots_free(const dh_slab *s, size_t cls, unsigned w)
{
    return dh_slot_starts[w][cls] & s->vacant[w];
}

/* Take the lowest of free slots in word w of page s. */
static inline void *slot_take(dh_slab *s, unsigned w, uint64_t free)
{
    unsigned i = (unsigned)__builtin_ctzll(free);
    s->vacant[w] &= ~(1ull << i);
    s->quota++;
    return (void *)(dh_addr(s) + (w * 64 + i) * DH_GRAIN); /* unsigned: no sign extension */
}

/* A small alloc when no page of class cls is listed: a slot of a new
 * page, or (when no page can be had) a pool block, which is freed by
 * pointer like any other. */
COLD static void *small_alloc_new(struct default_heap *h, size_t cls, size_t size)
{
    dh_slab *s = slab_new(h, (unsigned)cls);
    if (s) return slot_take(s, 0, slots_free(s, cls, 0));
    dh_block *b = dh_pool_take(h, dh_need(size), DH_GRAIN, DH_GRAIN, 0, dh_log2(DH_GRAIN));
    return b ? (void *)(dh_addr(b) + DH_GRAIN) : NULL;
}

/* The slow path of a small alloc: the first page was full. Full pages go
 * off the list until the next page with a free slot; small_alloc_new when
 * none is left. Apart from small_alloc_new, so that this common case saves
 * few registers. */
COLD static void *small_alloc_slow(struct default_heap *h, size_t cls, size_t size)
{
    dh_slab *s;
    while ((s = dh_avail_first(h, (unsigned)cls)) != NULL) {
        for (unsigned w = 0; w < DH_PAGE / DH_GRAIN / 64; w++) {
            uint64_t free = slots_free(s, cls, w);
            if (free) return slot_take(s, w, free);
        }
        slab_unlink(h, s); /* full: off the list until a slot comes back */
        s->quota += DH_SLAB_UNLISTED;
    }
    return small_alloc_new(h, cls, size);
}

/* cls: the class of a small size (0..7). The first page on its list, or
 * DH_NO_PAGE (which has no free slot). */
static inline void *small_alloc(struct default_heap *h, size_t cls, size_t size)
{
    dh_slab *s = h->avail[cls];
    uint64_t free = slots_free(s, cls, 0);
    if (__builtin_expect(free != 0, 1)) return slot_take(s, 0, free);
    if ((free = slots_free(s, cls, 1)) != 0) return slot_take(s, 1, free);
    return small_alloc_slow(h, cls, size);
}

/* A free of p in page s that is not a live slot: say why. */
DH_FAILS noreturn void slab_bad_free(const dh_slab *s, uintptr_t p, const char *who)
{
    size_t i = (p >> 4) & (DH_PAGE / DH_GRAIN - 1);
    if (!(p & (DH_GRAIN - 1)) && (dh_slot_starts[i >> 6][s->cls] >> (i & 63) & 1))
        panic("%s: double free of 0x%lx: the slot is free", who, (unsigned long)p);
    panic("%s: invalid free of 0x%lx: not a slot of the %u-byte page at 0x%lx", who,
          (unsigned long)p, dh_class_size[s->cls], (unsigned long)dh_addr(s));
}

/* Page s's quota dropped below 0: it emptied (and is not the kept page),
 * or it was full and off its list. */
COLD static void slab_freed_slow(struct default_heap *h, dh_slab *s)
{
    if (s->quota < -1) { /* was full: back on the list */
        s->quota -= DH_SLAB_UNLISTED;
        slab_link(h, s);
        if (s->quota >= 0) return;
    }
    /* Emptied, and not the kept page (whose quota never drops below 0). */
    dh_slab *kept = h->empty[s->cls];
    if (kept && kept->quota == 0) { /* the kept page is empty too */
        slab_release(h, s);
        return;
    }
    if (kept) {
        kept->kept = 0;
        kept->quota--;
    }
    h->empty[s->cls] = s;
    s->kept = 1;
    s->quota = 0;
}

/* Free the 16-aligned p at grain g of page s (g's low 7 bits: p's offset
 * in the page / 16; the rest is ignored): its vacant bit must be clear
 * (else the panic that says why); set it and count the free. */
static inline void slot_free(struct default_heap *h, dh_slab *s, uintptr_t g)
{
    /* vacant[(g >> 6) & 1], addressed by its byte offset: one instruction less */
    uint64_t *word = (uint64_t *)((char *)s->vacant + ((g >> 3) & 8)), vacant = *word;
    if (__builtin_expect(vacant >> (g & 63) & 1, 0))
        slab_bad_free(s, dh_addr(s) + (g & (DH_PAGE / DH_GRAIN - 1)) * DH_GRAIN,
                      "default_heap_dealloc");
    *word = vacant ^ 1ull << (g & 63);
    if (__builtin_expect(--s->quota < 0, 0)) slab_freed_slow(h, s);
}

/* A free of p in slab page s whose check word names another class than the
 * layout's: a size mismatch (named after checking the slot). */
COLD static void small_free_other(struct default_heap *h, dh_slab *s, uintptr_t p, struct layout l);

/* ---- the entry points ---- */

/* An alloc of size 0: a class 0 slot at align <= 16, else the pool's. Out
 * of line, so op_alloc jumps to it and to the pool without a stack frame. */
COLD static void *alloc_zero(struct default_heap *h, struct layout l)
{
    return l.align <= DH_GRAIN ? small_alloc(h, 0, 0) : dh_pool_alloc(h, l);
}

/* The ops take valid layouts (allocator_alloc and default_heap_alloc check
 * them once, at the entry point). */
static void *op_alloc(void *state, struct layout l)
{
    struct default_heap *h = state;
    if (__builtin_expect(l.size - 1 < DEFAULT_HEAP_SMALL_MAX && l.align <= DH_GRAIN, 1))
        return small_alloc(h, (l.size - 1) >> 4, l.size);
    if (__builtin_expect(l.size == 0, 0)) return alloc_zero(h, l);
    return dh_pool_alloc(h, l);
}

/* A free that the fast paths did not take. A slab slot is freed exactly,
 * and a free with another class's layout is a size mismatch (named after
 * checking the slot). Anything else is the pool's: freed there (a small
 * block the pool served), or, once the pool has refused it (pool_refused),
 * the panic that says why. */
COLD static void free_other(struct default_heap *h, uintptr_t p, struct layout l, bool pool_refused)
{
    dh_slab *s = dh_slab_of(h, p);
    if (s)
        small_free_other(h, s, p, l);
    else if (p && pool_refused)
        dh_pool_bad_pointer(h, p, "default_heap_dealloc");
    else if (p)
        dh_pool_free(h, p, l);
}

void dh_free_not_pool(struct default_heap *h, uintptr_t p, struct layout l)
{
    free_other(h, p, l, true);
}

/* free_other for the pointer whose dh_slab_grain is g, which the rotation
 * undone gives back exactly: op_dealloc keeps g and the page, not the
 * pointer, so its fast path copies no register. */
COLD static void free_other_at(struct default_heap *h, uintptr_t g, struct layout l)
{
    free_other(h, h->slab_lo + (g << 4 | g >> (sizeof g * 8 - 4)), l, false);
}

/* A small layout's block is a slot of a page whose check word names the
 * layout's class; any other is a pool block. */
static void op_dealloc(void *state, void *ptr, struct layout l)
{
    struct default_heap *h = state;
    uintptr_t p = dh_addr(ptr);
    /* Size 0 is small too (its block is a class 0 slot): it fails the check
     * word's compare and free_other frees it exactly. So does a p that is
     * not 16-aligned: it fails the range test, and free_other names it. */
    if (__builtin_expect(l.size <= DEFAULT_HEAP_SMALL_MAX && l.align <= DH_GRAIN, 1)) {
        dh_slab *s = (dh_slab *)(p & ~(uintptr_t)(DH_PAGE - 1));
        uintptr_t g = dh_slab_grain(h, p);
        if (__builtin_expect(g < h->slab_grains &&
                                 dh_slab_word(s) == dh_slab_check(h, dh_addr(s), (l.size - 1) >> 4),
                             1)) {
            slot_free(h, s, g);
            return;
        }
        free_other_at(h, g, l);
        return;
    }
    dh_pool_free(h, p, l);
}

COLD static void small_free_other(struct default_heap *h, dh_slab *s, uintptr_t p, struct layout l)
{
    if (!dh_slot_live(s, p)) slab_bad_free(s, p, "default_heap_dealloc");
    if (small_class(l) != s->cls) dh_size_mismatch(p, l, dh_class_size[s->cls], DH_GRAIN);
    slot_free(h, s, p / DH_GRAIN);
}

/* Slot p of page s is live and l is its class, else the panic that says
 * why (naming who). */
static inline void slot_check(const dh_slab *s, uintptr_t p, struct layout l, const char *who)
{
    if (!dh_slot_live(s, p)) slab_bad_free(s, p, who);
    if (small_class(l) != s->cls) dh_size_mismatch(p, l, dh_class_size[s->cls], DH_GRAIN);
}

static bool op_resize_in_place(void *state, void *ptr, struct layout l, size_t new_size)
{
    struct default_heap *h = state;
    uintptr_t p = dh_addr(ptr);
    const char *who = "default_heap_resize_in_place";
    /* A small layout's block is looked for among the slab pages first, any
     * other's in the pool first, as op_dealloc does. */
    dh_slab *s = small_class(l) < DEFAULT_HEAP_CLASSES ? dh_slab_of(h, p) : NULL;
    if (!s) {
        dh_block *b;
        enum dh_resize r = dh_pool_resize(h, p, l, new_size, &b);
        if (r != DH_NOT_POOL) return r == DH_RESIZED;
        if (!(s = dh_slab_of(h, p))) dh_pool_bad_pointer(h, p, who);
    }
    slot_check(s, p, l, who);
    return small_class((struct layout){new_size, l.align}) == s->cls;
}

/* The old block is freed here without the checks op_dealloc would repeat. */
void *dh_realloc_move(struct default_heap *h, void *ptr, struct layout l, size_t new_size,
                      dh_block *b)
{
    size_t keep = l.size < new_size ? l.size : new_size;
    /* A block that at least doubles (a vec growing) goes to the bottom of
     * its hole, so that its next growth finds room above it. */
    void *q = new_size <= DEFAULT_HEAP_SMALL_MAX && l.align <= DH_GRAIN
                  ? small_alloc(h, dh_class_of[(new_size + DH_GRAIN - 1) >> 4], new_size)
              : new_size / 2 >= l.size ? dh_pool_alloc_low(h, (struct layout){new_size, l.align})
                                       : dh_pool_alloc(h, (struct layout){new_size, l.align});
    if (q == NULL) return NULL;
    memcpy(q, ptr, keep);
    if (b)
        dh_pool_give(h, b);
    else /* a slot, checked: its page by masking */
        slot_free(h, (dh_slab *)(dh_addr(ptr) & ~(uintptr_t)(DH_PAGE - 1)),
                  dh_addr(ptr) / DH_GRAIN);
    return q;
}

/* Realloc slot ptr of page s: in place within its class, else moved. */
static void *realloc_slot(struct default_heap *h, dh_slab *s, void *ptr, struct layout l,
                          size_t new_size)
{
    slot_check(s, dh_addr(ptr), l, "default_heap_realloc");
    if (small_class((struct layout){new_size, l.align}) == s->cls) return ptr;
    return dh_realloc_move(h, ptr, l, new_size, NULL);
}

void *dh_realloc_not_pool(struct default_heap *h, void *ptr, struct layout l, size_t new_size)
{
    dh_slab *s = dh_slab_of(h, dh_addr(ptr));
    if (!s) dh_pool_bad_pointer(h, dh_addr(ptr), "default_heap_realloc");
    return realloc_slot(h, s, ptr, l, new_size);
}

/* A small layout's block is looked for among the slab pages first, any
 * other's in the pool first, as op_dealloc does. */
static void *op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    struct default_heap *h = state;
    if (ptr == NULL) return op_alloc(h, (struct layout){new_size, l.align});
    dh_slab *s = small_class(l) < DEFAULT_HEAP_CLASSES ? dh_slab_of(h, dh_addr(ptr)) : NULL;
    if (s) return realloc_slot(h, s, ptr, l, new_size);
    return dh_pool_realloc(h, ptr, l, new_size);
}

static void bad_layout(const char *who, const void *ptr, struct layout l)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK)
        panic("%s: %s: Layout { size: %zu, align: %zu } for %p", who, layout_error_name(e), l.size,
              l.align, ptr);
}

void *default_heap_alloc(struct default_heap *h, struct layout layout)
{
    if (layout_check(layout) != LAYOUT_OK) return NULL;
    return op_alloc(h, layout);
}

void default_heap_dealloc(struct default_heap *h, void *ptr, struct layout layout)
{
    if (ptr == NULL) return;
    bad_layout("default_heap_dealloc", ptr, layout);
    op_dealloc(h, ptr, layout);
}

void *default_heap_realloc(struct default_heap *h, void *ptr, struct layout layout, size_t new_size)
{
    if (layout_check(layout) != LAYOUT_OK) {
        if (ptr) bad_layout("default_heap_realloc", ptr, layout);
        return NULL;
    }
    if (layout_check((struct layout){new_size, layout.align}) != LAYOUT_OK) return NULL;
    return op_realloc(h, ptr, layout, new_size);
}

struct layout default_heap_layout_of(const struct default_heap *h, const void *ptr)
{
    uintptr_t p = dh_addr(ptr);
    dh_slab *s = dh_slab_of(h, p);
    if (s) {
        if (!dh_slot_live(s, p)) slab_bad_free(s, p, "default_heap_layout_of");
        return (struct layout){dh_class_size[s->cls], DH_GRAIN};
    }
    dh_block *b = dh_pool_block_of(h, p, "default_heap_layout_of");
    return (struct layout){dh_size(b) - DH_GRAIN, (size_t)1 << dh_align_log(b)};
}

/* ---- the region ---- */

/* Set end from top, and the range where slab pages can lie. */
static void set_bounds(struct default_heap *h)
{
    uintptr_t end = h->top & ~(uintptr_t)(DH_GRAIN - 1);
    h->end = end >= h->start && end - h->start >= DH_MIN_BLOCK + DH_GRAIN ? end : h->start;
    h->pool_span = h->end > h->start ? h->end - DH_GRAIN - h->start : 0;
    uintptr_t lo = (h->start + DH_PAGE - 1) & ~(uintptr_t)(DH_PAGE - 1);
    uintptr_t hi = h->end & ~(uintptr_t)(DH_PAGE - 1);
    h->slab_lo = lo;
    h->slab_grains = hi > lo ? (hi - lo) / DH_GRAIN : 0;
}

void default_heap_init(struct default_heap *h, void *start, size_t size)
{
    uintptr_t s = dh_addr(start), top = s + size;
    if (top < s) panic("default_heap_init: region at %p of %zu bytes wraps", start, size);
    memset(h, 0, sizeof *h);
    for (unsigned c = 0; c < DEFAULT_HEAP_CLASSES; c++) h->avail[c] = DH_NO_PAGE;
    h->start = (s + DH_GRAIN - 1) & ~(uintptr_t)(DH_GRAIN - 1);
    if (h->start < s) h->start = top = s; /* the last 15 bytes of the address space */
    h->top = top;
    /* A new key per init, so slab headers left in the memory by an earlier
     * heap over it are not taken for this heap's. The top 16 bits make a
     * check word non-canonical: no pointer equals one. */
    static uintptr_t generation;
    generation++;
    uint64_t k = (dh_addr(h) ^ h->start ^ (generation << 32)) * 0x9e3779b97f4a7c15ull;
    h->key = ((k ^ k >> 29) >> 16) ^ 0x5a5a000000000000ull;
    set_bounds(h);
    if (dh_has_blocks(h)) dh_pool_init(h);
}

void default_heap_extend(struct default_heap *h, size_t bytes)
{
    if (h->top + bytes < h->top)
        panic("default_heap_extend: top 0x%lx + %zu bytes wraps", (unsigned long)h->top, bytes);
    uintptr_t old_end = h->end;
    bool had = dh_has_blocks(h);
    h->top += bytes;
    uintptr_t end = h->top & ~(uintptr_t)(DH_GRAIN - 1);
    if (!had) {
        set_bounds(h);
        if (dh_has_blocks(h)) dh_pool_init(h);
    } else if (end - old_end >= DH_MIN_BLOCK) {
        dh_pool_extend(h, end);
        set_bounds(h);
    }
}

struct allocator default_heap_allocator(struct default_heap *h)
{
    static const struct alloc_ops ops = {
        .alloc = op_alloc,
        .dealloc = op_dealloc,
        .realloc = op_realloc,
        .resize_in_place = op_resize_in_place,
    };
    return (struct allocator){&ops, h};
}
