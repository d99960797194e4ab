/* The default allocator's pool: segregated fit with two-level bitmaps (after
 * TLSF), immediate coalescing, O(1) take and give. The layout of a block and
 * the invariants: include/kiln/default_heap.h and default_heap_impl.h.
 *
 * Lists: a hole of s bytes sits on list (fl, sl) = mapping(s): fl = 0 holds
 * s < 256 by 16-byte steps; above, fl counts powers of two and sl splits each
 * into 16. A search rounds the request up to the next list boundary, so any
 * hole on a list it finds fits ("good fit"); it first tries the head of the
 * request's own list, which often fits too. A block is carved from the top
 * of its hole, so the hole keeps its header (and its list, when its size
 * stays in the same range): cheaper, and on the 256 KiB fragmentation ramp
 * the first failure comes at 0.83 utilisation instead of 0.79.
 */
#include "default_heap_impl.h"
#include "kiln/panic.h"

#define SL_LOG 4
#define SMALL  (1u << (SL_LOG + 4)) /* 256: below it, lists by 16 bytes */

static inline unsigned fls64(uint64_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

static inline void mapping(size_t s, unsigned *fl, unsigned *sl)
{
    if (s < SMALL) {
        *fl = 0;
        *sl = (unsigned)(s >> 4);
    } else {
        unsigned f = fls64(s);
        *sl = (unsigned)(s >> (f - SL_LOG)) & (DEFAULT_HEAP_SL - 1);
        *fl = f - (SL_LOG + 4 - 1);
    }
}

noreturn static void corrupted(const char *what, uintptr_t at)
{
    panic("heap corrupted: %s at 0x%lx", what, (unsigned long)at);
}

/* b is a block address whose header lies inside the region, below the end marker. */
static inline bool in_pool(const struct default_heap *h, uintptr_t b)
{
    return b >= h->start && b < h->end - DH_GRAIN && (b & (DH_GRAIN - 1)) == 0;
}

/* ---- the lists ---- */

static inline void list_insert(struct default_heap *h, dh_block *b)
{
    unsigned fl, sl;
    mapping(dh_size(b), &fl, &sl);
    dh_block *first = h->heads[fl][sl];
    b->next_free = first;
    b->prev_free = NULL;
    if (first) first->prev_free = b;
    h->heads[fl][sl] = b;
    h->fl_bitmap |= 1ull << fl;
    h->sl_bitmap[fl] |= 1u << sl;
}

/* Unlink hole b, checking that its neighbours on the list point back at it
 * (safe unlinking) before writing through them. */
__attribute__((always_inline)) static inline void list_remove(struct default_heap *h, dh_block *b)
{
    unsigned fl, sl;
    mapping(dh_size(b), &fl, &sl);
    dh_block *n = b->next_free, *p = b->prev_free;
    if (n && (!in_pool(h, dh_addr(n)) || n->prev_free != b))
        corrupted("free-list link", dh_addr(b));
    if (p ? (!in_pool(h, dh_addr(p)) || p->next_free != b) : h->heads[fl][sl] != b)
        corrupted("free-list link", dh_addr(b));
    if (n) n->prev_free = p;
    if (p) {
        p->next_free = n;
    } else {
        h->heads[fl][sl] = n;
        if (!n) {
            h->sl_bitmap[fl] &= ~(1u << sl);
            if (!h->sl_bitmap[fl]) h->fl_bitmap &= ~(1ull << fl);
        }
    }
}

/* The first hole on a list at or above (fl, sl), or NULL. */
static dh_block *first_at_or_above(const struct default_heap *h, unsigned fl, unsigned sl)
{
    if (fl >= DEFAULT_HEAP_FL) return NULL;
    uint32_t slm = sl < DEFAULT_HEAP_SL ? h->sl_bitmap[fl] & (~0u << sl) : 0;
    if (!slm) {
        uint64_t flm = fl + 1 < 64 ? h->fl_bitmap & (~0ull << (fl + 1)) : 0;
        if (!flm) return NULL;
        fl = (unsigned)__builtin_ctzll(flm);
        slm = h->sl_bitmap[fl];
    }
    return h->heads[fl][__builtin_ctz(slm)];
}

/* A hole of at least need bytes, or NULL: the head of need's own list when it
 * fits, else the first hole of a list whose every hole fits. */
__attribute__((always_inline)) static inline dh_block *find_fit(const struct default_heap *h,
                                                                size_t need)
{
    if (need >= DH_MAX_BLOCK) return NULL;
    unsigned fl, sl;
    mapping(need, &fl, &sl);
    dh_block *b = h->heads[fl][sl], *own = b;
    if (b && dh_size(b) >= need) return b;
    size_t rounded = need;
    unsigned rfl = fl, rsl = sl + 1;
    if (need >= SMALL) {
        rounded += (1ull << (fls64(need) - SL_LOG)) - 1;
        if (rounded >= DH_MAX_BLOCK) return NULL;
        mapping(rounded, &rfl, &rsl);
    }
    b = first_at_or_above(h, rfl, rsl);
    if (b || !own) return b;
    /* Nothing above: a bounded look along need's own list, whose holes
     * may or may not fit. */
    for (unsigned looked = 0; (own = own->next_free) && looked < 16; looked++) {
        if (!in_pool(h, dh_addr(own))) corrupted("free-list link", dh_addr(own));
        if (dh_size(own) >= need) return own;
    }
    return NULL;
}

/* ---- neighbours, checked before use ---- */

/* The hole above b, or NULL when the block above is in use. b's size has
 * been checked (b + size <= the end marker). */
static inline dh_block *free_above(const struct default_heap *h, const dh_block *b)
{
    dh_block *n = (dh_block *)(dh_addr(b) + dh_size(b));
    if (!(n->head & DH_FREE)) return NULL;
    if (!dh_head_ok(h, n) || dh_size(n) < DH_MIN_BLOCK ||
        dh_size(n) > h->end - DH_GRAIN - dh_addr(n))
        corrupted("hole header", dh_addr(n));
    return n;
}

/* The hole below b, or NULL when b->prev_size says the block below is in use. */
static inline dh_block *free_below(const struct default_heap *h, const dh_block *b)
{
    size_t ps = b->prev_size;
    if (!ps) return NULL;
    uintptr_t p = dh_addr(b) - ps;
    dh_block *pb = (dh_block *)p;
    if (ps < DH_MIN_BLOCK || p < h->start || p > dh_addr(b) || !dh_head_ok(h, pb) ||
        dh_size(pb) != ps || !(pb->head & DH_FREE))
        corrupted("previous block size", dh_addr(b));
    return pb;
}

/* Make [b, b + size) a hole and tell the block above (which is in use). */
static inline void make_hole(struct default_heap *h, dh_block *b, size_t size)
{
    dh_set_head(h, b, size, DH_FREE, 0);
    list_insert(h, b);
    ((dh_block *)(dh_addr(b) + size))->prev_size = size;
}

/* ---- init and extend ---- */

void dh_pool_init(struct default_heap *h)
{
    dh_block *end = dh_end_marker(h), *b = (dh_block *)h->start;
    dh_set_head(h, end, 0, 0, 0);
    b->prev_size = 0;
    make_hole(h, b, h->end - DH_GRAIN - h->start);
}

void dh_pool_extend(struct default_heap *h, uintptr_t new_end)
{
    dh_block *b = dh_end_marker(h);
    if (!dh_head_ok(h, b) || dh_size(b) != 0 || (b->head & DH_FREE))
        corrupted("end marker", dh_addr(b));
    size_t size = new_end - h->end;
    dh_block *p = free_below(h, b);
    if (p) {
        list_remove(h, p);
        size += dh_size(p);
        b = p;
    }
    h->end = new_end;
    dh_set_head(h, dh_end_marker(h), 0, 0, 0);
    make_hole(h, b, size);
}

/* ---- take and give ---- */

/* Where in hole b a block whose (address + off) is align-aligned may start:
 * b itself or at least DH_MIN_BLOCK above (the gap becomes a hole). */
static inline uintptr_t aligned_start(uintptr_t b, size_t align, size_t off)
{
    uintptr_t a = ((b + off + align - 1) & ~(uintptr_t)(align - 1)) - off;
    if (a != b && a - b < DH_MIN_BLOCK) a += align;
    return a;
}

static inline bool fits_aligned(const dh_block *b, size_t need, size_t align, size_t off)
{
    uintptr_t a = aligned_start(dh_addr(b), align, off);
    return a - dh_addr(b) <= dh_size(b) && dh_size(b) - (a - dh_addr(b)) >= need;
}

/* An aligned fit: a bounded look at the holes of need's lists and above
 * (which finds fits in a fragmented pool without splitting a large hole),
 * then the search that always fits. */
static dh_block *find_aligned(const struct default_heap *h, size_t need, size_t align, size_t off)
{
    dh_block *b;
    unsigned fl, sl, looked = 0;
    mapping(need, &fl, &sl);
    for (; fl < DEFAULT_HEAP_FL; fl++, sl = 0) {
        uint32_t slm = h->sl_bitmap[fl] & (~0u << sl);
        for (; slm; slm &= slm - 1) {
            for (b = h->heads[fl][__builtin_ctz(slm)]; b; b = b->next_free) {
                if (!in_pool(h, dh_addr(b))) corrupted("free-list link", dh_addr(b));
                if (fits_aligned(b, need, align, off)) return b;
                if (++looked == 16) return find_fit(h, need + align + DH_GRAIN);
            }
        }
    }
    return NULL;
}

/* Cut used block b (size bytes, flags and alignment class given) to need
 * bytes when the rest can be a hole; the block above b is in use. */
static inline void cut(struct default_heap *h, dh_block *b, size_t size, size_t need,
                       uint64_t flags, unsigned align_log)
{
    if (size - need >= DH_MIN_BLOCK) {
        dh_block *rest = (dh_block *)(dh_addr(b) + need);
        rest->prev_size = 0;
        make_hole(h, rest, size - need);
        size = need;
    } else {
        ((dh_block *)(dh_addr(b) + size))->prev_size = 0;
    }
    dh_set_head(h, b, size, flags, align_log);
}

/* low: carve from the bottom of the hole, leaving the rest above the block
 * (for a block that realloc may grow again in place). */
__attribute__((always_inline)) static inline dh_block *take(struct default_heap *h, size_t need,
                                                            size_t align, size_t off,
                                                            uint64_t flags, unsigned align_log,
                                                            bool low)
{
    if (!dh_has_blocks(h)) return NULL;
    dh_block *b = align <= DH_GRAIN ? find_fit(h, need) : find_aligned(h, need, align, off);
    if (!b) return NULL;
    size_t size = dh_size(b);
    if (!dh_head_ok(h, b) || !(b->head & DH_FREE) || size < DH_MIN_BLOCK ||
        size > h->end - DH_GRAIN - dh_addr(b))
        corrupted("hole header", dh_addr(b));
    if (!low && align <= DH_GRAIN && size - need >= DH_MIN_BLOCK) {
        /* Carve from the top of the hole: the hole keeps its header, and its
         * list when its size stays in the same range. */
        size_t rest = size - need;
        unsigned fl, sl, rfl, rsl;
        mapping(size, &fl, &sl);
        mapping(rest, &rfl, &rsl);
        if (fl != rfl || sl != rsl) list_remove(h, b);
        dh_set_head(h, b, rest, DH_FREE, 0);
        if (fl != rfl || sl != rsl) list_insert(h, b);
        dh_block *blk = (dh_block *)(dh_addr(b) + rest);
        blk->prev_size = rest;
        ((dh_block *)(dh_addr(b) + size))->prev_size = 0;
        dh_set_head(h, blk, need, flags, align_log);
        return blk;
    }
    list_remove(h, b);
    if (align > DH_GRAIN) {
        uintptr_t a = aligned_start(dh_addr(b), align, off);
        if (a != dh_addr(b)) { /* the gap below stays a hole */
            size_t gap = a - dh_addr(b);
            dh_set_head(h, b, gap, DH_FREE, 0);
            list_insert(h, b);
            b = (dh_block *)a;
            b->prev_size = gap;
            size -= gap;
        }
    }
    cut(h, b, size, need, flags, align_log);
    return b;
}

__attribute__((always_inline)) static inline void give(struct default_heap *h, dh_block *b)
{
    size_t size = dh_size(b);
    dh_block *n = free_above(h, b), *p = free_below(h, b);
    if (n) {
        list_remove(h, n);
        size += dh_size(n);
    }
    if (p) {
        /* The freed header keeps FREE: a later free of it is a double free. */
        dh_set_head(h, b, dh_size(b), DH_FREE, 0);
        list_remove(h, p);
        size += dh_size(p);
        b = p;
    }
    make_hole(h, b, size);
}

dh_block *dh_pool_take(struct default_heap *h, size_t need, size_t align, size_t off,
                       uint64_t flags, unsigned align_log)
{
    dh_block *b = take(h, need, align, off, flags, align_log, false);
    if (!b && dh_slab_flush(h)) b = take(h, need, align, off, flags, align_log, false);
    return b;
}

void dh_pool_give(struct default_heap *h, dh_block *b)
{
    give(h, b);
}

void *dh_pool_alloc(struct default_heap *h, struct layout l, bool low)
{
    size_t align = l.align < DH_GRAIN ? DH_GRAIN : l.align;
    /* Both below 2^47: size + align - 1 cannot overflow. */
    if (l.align == 0 || (l.align & (l.align - 1)) || l.size >= DH_MAX_BLOCK ||
        align >= DH_MAX_BLOCK)
        return NULL;
    size_t need = dh_need(l.size);
    unsigned align_log = dh_log2(align);
    /* One call site, so take is inlined: a failed take flushes the kept
     * slab pages once and tries again. */
    dh_block *b;
    bool flushed = false;
    while (!(b = take(h, need, align, DH_GRAIN, 0, align_log, low)) && !flushed) {
        flushed = true;
        if (!dh_slab_flush(h)) break;
    }
    return b ? (void *)(dh_addr(b) + DH_GRAIN) : NULL;
}

#define COLD __attribute__((noinline, cold))

/* True when l is the layout class of pool block b. */
static inline bool layout_fits(const dh_block *b, struct layout l)
{
    size_t need = dh_need(l.size), size = dh_size(b);
    size_t align = l.align < DH_GRAIN ? DH_GRAIN : l.align;
    return !(l.size >= DH_MAX_BLOCK || need > size || size - need >= DH_MIN_BLOCK || l.align == 0 ||
             (l.align & (l.align - 1)) || dh_log2(align) != dh_align_log(b));
}

COLD static noreturn void layout_mismatch(const dh_block *b, uintptr_t p, struct layout l)
{
    dh_size_mismatch(p, l, dh_size(b) - DH_GRAIN, (size_t)1 << dh_align_log(b));
}

void dh_pool_check_layout(const dh_block *b, uintptr_t p, struct layout l)
{
    if (!layout_fits(b, l)) layout_mismatch(b, p, l);
}

/* The panic of a pointer that block_of rejects: which check failed. */
COLD static noreturn void bad_pointer(const struct default_heap *h, uintptr_t ptr, const char *who)
{
    uintptr_t b = ptr - DH_GRAIN;
    if ((ptr & (DH_GRAIN - 1)) || !dh_has_blocks(h) || ptr < h->start + DH_GRAIN || !in_pool(h, b))
        panic("%s: invalid free of 0x%lx: not a block of the heap [0x%lx, 0x%lx)", who,
              (unsigned long)ptr, (unsigned long)h->start, (unsigned long)h->end);
    const dh_block *blk = (const dh_block *)b;
    size_t size = dh_size(blk);
    if (!dh_head_ok(h, blk) || size < DH_MIN_BLOCK || size > h->end - DH_GRAIN - b ||
        (blk->head & DH_SLAB))
        panic("%s: invalid free of 0x%lx: no block starts there", who, (unsigned long)ptr);
    panic("%s: double free of 0x%lx: the block is free", who, (unsigned long)ptr);
}

/* The pool block whose payload is ptr when it is a live one (the checks of
 * dh_pool_block_of, folded: a live block's flags are 0), else NULL. */
static inline dh_block *live_block(const struct default_heap *h, uintptr_t ptr)
{
    uintptr_t b = ptr - DH_GRAIN;
    /* ptr 16-aligned and b inside [start, end - 16): an empty region has
     * end == start, so nothing passes. */
    if ((ptr & (DH_GRAIN - 1)) || b - h->start >= h->end - DH_GRAIN - h->start ||
        h->end == h->start)
        return NULL;
    dh_block *blk = (dh_block *)b;
    size_t size = dh_size(blk);
    if (!dh_head_ok(h, blk) || size < DH_MIN_BLOCK || size > h->end - DH_GRAIN - b ||
        (blk->head & (DH_SLAB | DH_FREE)))
        return NULL;
    return blk;
}

void dh_pool_free(struct default_heap *h, uintptr_t p, struct layout l)
{
    dh_block *b = live_block(h, p);
    if (__builtin_expect(!b, 0)) bad_pointer(h, p, "default_heap_dealloc");
    if (__builtin_expect(!layout_fits(b, l), 0)) layout_mismatch(b, p, l);
    give(h, b);
}

bool dh_pool_resize(struct default_heap *h, dh_block *b, size_t need)
{
    size_t size = dh_size(b);
    uint64_t flags = b->head & DH_FLAG_MASK;
    unsigned align_log = dh_align_log(b);
    dh_block *n = free_above(h, b);
    if (need > size && (!n || size + dh_size(n) < need)) return false;
    if (n) { /* take the hole above in, then cut what is not needed */
        list_remove(h, n);
        size += dh_size(n);
    }
    cut(h, b, size, need, flags, align_log);
    return true;
}

dh_block *dh_pool_block_of(const struct default_heap *h, uintptr_t ptr, const char *who)
{
    dh_block *b = live_block(h, ptr);
    if (!b) bad_pointer(h, ptr, who);
    return b;
}
