/* kiln's default allocator: slab pages for small blocks over a TLSF-like pool
 * (default_heap_pool.c). Contracts and invariants: include/kiln/default_heap.h.
 *
 * The fast paths: an alloc of a small class pops the first free slot of the
 * first page on its class list and sets the slot's live bit; a free finds the
 * page by masking, checks the page's check word, the class and the live bit,
 * clears the bit and pushes the slot. Everything else (a page's never-used
 * slots, full and empty pages, the pool) is off the fast path.
 */
#include "default_heap_impl.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define SLOT0 ((uint16_t)DH_SLAB_HEADER) /* the offset of a page's first slot */
#define COLD  __attribute__((noinline, cold))

const uint16_t dh_class_size[DEFAULT_HEAP_CLASSES] = {16, 32, 48, 64, 80, 96, 112, 128};

/* dh_class_of[(size + 15) / 16]: the smallest class that holds size. */
const uint8_t dh_class_of[DEFAULT_HEAP_SMALL_MAX / DH_GRAIN + 1] = {0, 0, 1, 2, 3, 4, 5, 6, 7};

static void bad_layout(const char *who, const void *ptr, struct layout l);

/* A free whose layout is not the block's: an invalid layout is named as
 * such, any other is a size mismatch. */
noreturn void dh_size_mismatch(uintptr_t p, struct layout l, size_t real, size_t real_align)
{
    bad_layout("default_heap_dealloc", (const void *)p, l);
    panic("size mismatch: free of 0x%lx with Layout { size: %zu, align: %zu }, but the block "
          "holds %zu bytes at align %zu",
          (unsigned long)p, l.size, l.align, real, real_align);
}

/* align is a power of two <= 16: the alignments slab slots serve. */
static inline bool small_align(size_t align)
{
    return align <= DH_GRAIN && ((0x10116u >> align) & 1);
}

noreturn static void corrupted(const char *what, uintptr_t at)
{
    panic("heap corrupted: %s at 0x%lx", what, (unsigned long)at);
}

/* ---- slab pages ---- */

COLD static void slab_link(struct default_heap *h, dh_slab *s)
{
    dh_slab *first = h->avail[s->cls];
    s->prev = NULL;
    s->next = first;
    if (first) first->prev = s;
    h->avail[s->cls] = s;
    s->listed = 1;
}

static void slab_unlink(struct default_heap *h, dh_slab *s)
{
    if (s->next) s->next->prev = s->prev;
    if (s->prev)
        s->prev->next = s->next;
    else
        h->avail[s->cls] = s->next;
    s->listed = 0;
}

static void slab_release(struct default_heap *h, dh_slab *s)
{
    if (s->listed) slab_unlink(h, s);
    s->check = 0;
    dh_pool_give(h, (dh_block *)s);
}

bool dh_slab_flush(struct default_heap *h)
{
    bool any = false;
    for (unsigned c = 0; c < DEFAULT_HEAP_CLASSES; c++) {
        dh_slab *s = h->empty[c];
        h->empty[c] = NULL;
        if (s) s->kept = 0;
        if (s && s->used == 0) {
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
    uint32_t size = dh_class_size[cls];
    s->check = dh_addr(s) ^ h->key;
    s->free = NULL;
    s->bump = SLOT0;
    s->limit = (uint16_t)(SLOT0 + (DH_PAGE - SLOT0) / size * size);
    s->used = 0;
    s->cls = (uint8_t)cls;
    s->size = (uint16_t)size;
    s->lo = cls ? dh_class_size[cls - 1] + 1u : 0;
    s->span = (uint16_t)(size - s->lo);
    s->kept = 0;
    memset(s->live, 0, sizeof s->live);
    slab_link(h, s);
    return s;
}

static inline void live_set(dh_slab *s, uintptr_t p)
{
    size_t i = (p - dh_addr(s)) >> 4;
    s->live[i >> 6] |= 1ull << (i & 63);
}

/* The panic of a slab free list that was overwritten; a function that
 * "returns" so that slab_pop reaches it by a jump, saving nothing. */
COLD static void *slab_list_corrupted(const dh_slab *s)
{
    corrupted("slab free list", dh_addr(s));
}

/* Pop slot from page s's free list and mark it live. A slot outside the page
 * or already live means the list was overwritten (a use after free). */
static inline void *slab_pop(dh_slab *s, void **slot)
{
    uintptr_t p = dh_addr(slot);
    size_t i = (p - dh_addr(s)) >> 4;
    uint64_t bit = 1ull << (i & 63);
    if (__builtin_expect(p - dh_addr(s) - SLOT0 >= DH_PAGE - SLOT0 || (s->live[i >> 6] & bit), 0))
        return slab_list_corrupted(s);
    s->live[i >> 6] |= bit;
    s->free = *slot;
    s->used++;
    return slot;
}

/* The slow path of a small alloc: a never-used slot, the next page, a new
 * page, or (when no page can be had) a pool block, which is freed by pointer
 * like any other. */
COLD static void *small_alloc_slow(struct default_heap *h, unsigned cls, size_t size)
{
    for (;;) {
        dh_slab *s = h->avail[cls];
        if (!s && !(s = slab_new(h, cls))) {
            dh_block *b = dh_pool_take(h, dh_need(size), DH_GRAIN, DH_GRAIN, 0, dh_log2(DH_GRAIN));
            return b ? (void *)(dh_addr(b) + DH_GRAIN) : NULL;
        }
        if (s->free) return slab_pop(s, s->free);
        if (s->bump < s->limit) {
            uintptr_t p = dh_addr(s) + s->bump;
            s->bump = (uint16_t)(s->bump + s->size);
            live_set(s, p);
            s->used++;
            return (void *)p;
        }
        slab_unlink(h, s); /* full: off the list until a slot comes back */
    }
}

/* cls: the class of size, (size - 1) / 16 (class 0 also serves size 0). */
static inline void *small_alloc(struct default_heap *h, size_t cls, size_t size)
{
    dh_slab *s = h->avail[cls];
    void **slot;
    if (__builtin_expect(s && (slot = s->free), 1)) return slab_pop(s, slot);
    return small_alloc_slow(h, cls, size);
}

/* A free of slot p in page s that is not live: say why. */
noreturn static void slab_bad_free(const dh_slab *s, uintptr_t p, const char *who)
{
    size_t off = p - dh_addr(s);
    if (off >= SLOT0 && off < s->bump && (off - SLOT0) % s->size == 0)
        panic("%s: double free of 0x%lx: the slot is free", who, (unsigned long)p);
    panic("%s: invalid free of 0x%lx: not a slot of the %u-byte page at 0x%lx", who,
          (unsigned long)p, s->size, (unsigned long)dh_addr(s));
}

COLD static void slab_emptied(struct default_heap *h, dh_slab *s)
{
    dh_slab *kept = h->empty[s->cls];
    if (!s->listed) slab_link(h, s);
    if (kept == s) return;
    if (kept && kept->used == 0) {
        slab_release(h, s);
        return;
    }
    if (kept) kept->kept = 0;
    h->empty[s->cls] = s;
    s->kept = 1;
}

/* Clear live slot p's bit and push it on page s's free list. */
static inline void small_push(struct default_heap *h, dh_slab *s, uintptr_t p)
{
    size_t i = (p - dh_addr(s)) >> 4;
    s->live[i >> 6] ^= 1ull << (i & 63);
    *(void **)p = s->free;
    s->free = (void *)p;
    if (__builtin_expect(--s->used == 0, 0)) {
        /* The page kept for its class emptying again (a1 and a3 do it every
         * round) stays as it is. */
        if (!(s->kept & s->listed)) slab_emptied(h, s);
    } else if (__builtin_expect(!s->listed, 0))
        slab_link(h, s);
}

/* p is a live slot of page s, else the panic that says why. */
static inline void small_check_live(const dh_slab *s, uintptr_t p)
{
    size_t i = (p - dh_addr(s)) >> 4;
    if (__builtin_expect((p & (DH_GRAIN - 1)) || !(s->live[i >> 6] & (1ull << (i & 63))), 0))
        slab_bad_free(s, p, "default_heap_dealloc");
}

/* A small free whose quick layout filter failed: the checks in the fast
 * path's order, the layout exactly (a size of 0 belongs to class 0, which
 * the filter's (size - 1) / 16 misses; anything else outside the class, or
 * an alignment above 16, is a size mismatch), then the free. Out of line,
 * so the fast path saves no registers. */
COLD static void small_free_checked(struct default_heap *h, dh_slab *s, uintptr_t p,
                                    struct layout l)
{
    small_check_live(s, p);
    if (l.size - s->lo > s->span || !small_align(l.align))
        dh_size_mismatch(p, l, s->size, DH_GRAIN);
    small_push(h, s, p);
}

static inline void small_free(struct default_heap *h, dh_slab *s, uintptr_t p, struct layout l)
{
    /* (size - 1) / 16 is the class of every size but 0. A layout that fails
     * this quick filter (also an invalid one) takes the exact, slower path. */
    if (__builtin_expect(((l.size - 1) >> 4) != s->cls || !small_align(l.align), 0)) {
        small_free_checked(h, s, p, l);
        return;
    }
    small_check_live(s, p);
    small_push(h, s, p);
}

/* ---- the entry points ---- */

/* An alloc that is not a slab class 1..128: size 0 (class 0), or the pool.
 * Out of line (not cold: b sends most of its allocs here), so op_alloc sets
 * up no stack frame for its small path. */
__attribute__((noinline)) static void *alloc_not_small(struct default_heap *h, struct layout l)
{
    if (l.size == 0 && small_align(l.align)) return small_alloc(h, 0, 0);
    return dh_pool_alloc(h, l, false);
}

/* The ops validate their layouts too (the shared suite calls them with
 * invalid ones): an invalid layout is never small, and the pool rejects it. */
static void *op_alloc(void *state, struct layout l)
{
    struct default_heap *h = state;
    if (__builtin_expect(l.size - 1 < DEFAULT_HEAP_SMALL_MAX && small_align(l.align), 1))
        return small_alloc(h, (l.size - 1) >> 4, l.size);
    return alloc_not_small(h, l);
}

static void op_dealloc(void *state, void *ptr, struct layout l)
{
    struct default_heap *h = state;
    uintptr_t p = dh_addr(ptr);
    dh_slab *s = dh_slab_of(h, p);
    if (__builtin_expect(s != NULL, 1)) {
        small_free(h, s, p, l);
        return;
    }
    if (ptr) dh_pool_free(h, p, l);
}

static void *op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    struct default_heap *h = state;
    uintptr_t p = dh_addr(ptr);
    struct layout grown = {new_size, l.align};
    if (ptr == NULL) return op_alloc(h, grown);
    dh_slab *s = dh_slab_of(h, p);
    if (s) {
        size_t i = (p - dh_addr(s)) >> 4;
        if ((p & (DH_GRAIN - 1)) || !(s->live[i >> 6] & (1ull << (i & 63))))
            slab_bad_free(s, p, "default_heap_realloc");
        if (l.size - s->lo > s->span || !small_align(l.align))
            dh_size_mismatch(p, l, s->size, DH_GRAIN);
        if (new_size <= s->size && new_size >= s->lo) return ptr;
    } else {
        dh_block *b = dh_pool_block_of(h, p, "default_heap_realloc");
        dh_pool_check_layout(b, p, l);
        if (new_size < DH_MAX_BLOCK && dh_pool_resize(h, b, dh_need(new_size))) return ptr;
    }
    /* A block that at least doubles (a vec growing) goes to the bottom of
     * its hole, so that its next growth finds room above it. */
    void *q = new_size <= DEFAULT_HEAP_SMALL_MAX && small_align(l.align)
                  ? small_alloc(h, dh_class_of[(new_size + DH_GRAIN - 1) >> 4], new_size)
                  : dh_pool_alloc(h, grown, new_size / 2 >= l.size);
    if (q == NULL) return NULL;
    memcpy(q, ptr, l.size < new_size ? l.size : new_size);
    op_dealloc(h, ptr, l);
    return q;
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
        size_t i = (p - dh_addr(s)) >> 4;
        if ((p & (DH_GRAIN - 1)) || !(s->live[i >> 6] & (1ull << (i & 63))))
            slab_bad_free(s, p, "default_heap_layout_of");
        return (struct layout){s->size, DH_GRAIN};
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
    uintptr_t lo = (h->start + DH_PAGE - 1) & ~(uintptr_t)(DH_PAGE - 1);
    uintptr_t hi = h->end & ~(uintptr_t)(DH_PAGE - 1);
    h->slab_lo = lo;
    h->slab_span = hi > lo ? hi - lo : 0;
}

void default_heap_init(struct default_heap *h, void *start, size_t size)
{
    uintptr_t s = dh_addr(start), top = s + size;
    if (top < s) panic("default_heap_init: region at %p of %zu bytes wraps", start, size);
    memset(h, 0, sizeof *h);
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
    };
    return (struct allocator){&ops, h};
}
