/* The default allocator's pool: segregated fit with two-level bitmaps (after
 * TLSF), immediate coalescing, O(1) take and give. The layout of a block and
 * the invariants: include/kiln/default_heap.h and default_heap_impl.h.
 *
 * Lists: a hole of s bytes sits on list (fl, sl) = mapping(s): fl = 0 holds
 * s < 256 by 16-byte steps; above, fl counts powers of two and sl splits each
 * into 16. A search rounds the request up to the next list boundary, so any
 * hole on a list it finds fits ("good fit"); it first tries the head of the
 * request's own list, which often fits too.
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

static void list_insert(struct default_heap *h, dh_block *b)
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
static void list_remove(struct default_heap *h, dh_block *b)
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
static dh_block *find_fit(const struct default_heap *h, size_t need)
{
    if (need >= DH_MAX_BLOCK) return NULL;
    unsigned fl, sl;
    mapping(need, &fl, &sl);
    dh_block *b = h->heads[fl][sl];
    if (b && dh_size(b) >= need) return b;
    if (need >= SMALL) {
        need += (1ull << (fls64(need) - SL_LOG)) - 1;
        if (need >= DH_MAX_BLOCK) return NULL;
        mapping(need, &fl, &sl);
    } else {
        sl++;
    }
    return first_at_or_above(h, fl, sl);
}

/* ---- neighbours, checked before use ---- */

static dh_block *next_of(const struct default_heap *h, const dh_block *b)
{
    uintptr_t n = dh_addr(b) + dh_size(b);
    if (dh_size(b) < DH_MIN_BLOCK || n > h->end - DH_GRAIN || n < dh_addr(b))
        corrupted("block size", dh_addr(b));
    dh_block *nb = (dh_block *)n;
    if (!dh_head_ok(h, nb)) corrupted("block header", n);
    return nb;
}

/* The hole below b (b has PREV_FREE). */
static dh_block *prev_of(const struct default_heap *h, const dh_block *b)
{
    uintptr_t p = dh_addr(b) - b->prev_size;
    if (b->prev_size < DH_MIN_BLOCK || p < h->start || p > dh_addr(b))
        corrupted("previous block size", dh_addr(b));
    dh_block *pb = (dh_block *)p;
    if (!dh_head_ok(h, pb) || dh_size(pb) != b->prev_size || !(pb->head & DH_FREE))
        corrupted("previous block header", p);
    return pb;
}

/* Set or clear PREV_FREE on b (keeping its other fields). */
static inline void set_prev_free(const struct default_heap *h, dh_block *b, bool free,
                                 size_t prev_size)
{
    uint64_t flags = (b->head & DH_FLAG_MASK & ~DH_PREV_FREE) | (free ? DH_PREV_FREE : 0);
    dh_set_head(h, b, dh_size(b), flags, dh_align_log(b));
    if (free) b->prev_size = prev_size;
}

/* Make [b, b + size) a hole (its PREV_FREE given), put it on its list and
 * tell the block above. The caller has merged it with its neighbours. */
static void make_hole(struct default_heap *h, dh_block *b, size_t size, uint64_t prev_free)
{
    dh_set_head(h, b, size, DH_FREE | prev_free, 0);
    list_insert(h, b);
    set_prev_free(h, next_of(h, b), true, size);
}

/* ---- init and extend ---- */

void dh_pool_init(struct default_heap *h)
{
    dh_block *end = dh_end_marker(h);
    dh_set_head(h, end, 0, 0, 0);
    size_t size = h->end - DH_GRAIN - h->start;
    make_hole(h, (dh_block *)h->start, size, 0);
}

void dh_pool_extend(struct default_heap *h, uintptr_t new_end)
{
    dh_block *old_end = dh_end_marker(h);
    if (!dh_head_ok(h, old_end) || dh_size(old_end) != 0) corrupted("end marker", dh_addr(old_end));
    uint64_t prev_free = old_end->head & DH_PREV_FREE;
    dh_block *b = old_end;
    size_t size = new_end - h->end;
    if (prev_free) {
        dh_block *p = prev_of(h, old_end);
        list_remove(h, p);
        size += dh_size(p);
        prev_free = p->head & DH_PREV_FREE;
        b = p;
    }
    h->end = new_end;
    dh_set_head(h, dh_end_marker(h), 0, 0, 0);
    make_hole(h, b, size, prev_free);
}

/* ---- take and give ---- */

/* Split the tail of used block b (size bytes now) at need when the rest can
 * be a hole; merge that hole with a hole above. */
static void trim_tail(struct default_heap *h, dh_block *b, size_t need)
{
    size_t size = dh_size(b);
    if (size - need < DH_MIN_BLOCK) return;
    dh_block *rest = (dh_block *)(dh_addr(b) + need);
    size_t rest_size = size - need;
    dh_block *n = next_of(h, b);
    dh_set_head(h, b, need, b->head & DH_FLAG_MASK, dh_align_log(b));
    if (n->head & DH_FREE) {
        list_remove(h, n);
        rest_size += dh_size(n);
    }
    make_hole(h, rest, rest_size, 0);
}

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

/* An aligned fit: the guaranteed search first, then a bounded look at the
 * holes of need's lists and above, which finds fits in a fragmented pool. */
static dh_block *find_aligned(const struct default_heap *h, size_t need, size_t align, size_t off)
{
    dh_block *b = find_fit(h, need + align + DH_GRAIN);
    if (b) return b;
    unsigned fl, sl, looked = 0;
    mapping(need, &fl, &sl);
    for (; fl < DEFAULT_HEAP_FL; fl++, sl = 0) {
        uint32_t slm = h->sl_bitmap[fl] & (~0u << sl);
        for (; slm; slm &= slm - 1) {
            for (b = h->heads[fl][__builtin_ctz(slm)]; b; b = b->next_free) {
                if (!in_pool(h, dh_addr(b))) corrupted("free-list link", dh_addr(b));
                if (fits_aligned(b, need, align, off)) return b;
                if (++looked == 32) return NULL;
            }
        }
    }
    return NULL;
}

dh_block *dh_pool_take(struct default_heap *h, size_t need, size_t align, size_t off,
                       uint64_t flags, unsigned align_log)
{
    if (!dh_has_blocks(h)) return NULL;
    dh_block *b = align <= DH_GRAIN ? find_fit(h, need) : find_aligned(h, need, align, off);
    if (!b) return NULL;
    if (!dh_head_ok(h, b) || !(b->head & DH_FREE) || dh_size(b) < DH_MIN_BLOCK)
        corrupted("hole header", dh_addr(b));
    list_remove(h, b);
    uint64_t prev_free = b->head & DH_PREV_FREE;
    size_t size = dh_size(b);
    if (align > DH_GRAIN) {
        uintptr_t a = aligned_start(dh_addr(b), align, off);
        if (a != dh_addr(b)) { /* the gap below stays a hole */
            size_t gap = a - dh_addr(b);
            dh_set_head(h, b, gap, DH_FREE | prev_free, 0);
            list_insert(h, b);
            b = (dh_block *)a;
            b->prev_size = gap;
            size -= gap;
            prev_free = DH_PREV_FREE;
        }
    }
    dh_set_head(h, b, size, flags | prev_free, align_log);
    set_prev_free(h, next_of(h, b), false, 0);
    trim_tail(h, b, need);
    return b;
}

void dh_pool_give(struct default_heap *h, dh_block *b)
{
    size_t size = dh_size(b);
    uint64_t prev_free = b->head & DH_PREV_FREE;
    dh_block *n = next_of(h, b);
    /* The freed header keeps FREE (a later free of it is a double free). */
    dh_set_head(h, b, size, DH_FREE | prev_free, 0);
    if (n->head & DH_FREE) {
        list_remove(h, n);
        size += dh_size(n);
    }
    if (prev_free) {
        dh_block *p = prev_of(h, b);
        list_remove(h, p);
        size += dh_size(p);
        prev_free = p->head & DH_PREV_FREE;
        b = p;
    }
    make_hole(h, b, size, prev_free);
}

bool dh_pool_resize(struct default_heap *h, dh_block *b, size_t need)
{
    size_t size = dh_size(b);
    if (need > size) {
        dh_block *n = next_of(h, b);
        if (!(n->head & DH_FREE) || size + dh_size(n) < need) return false;
        list_remove(h, n);
        size += dh_size(n);
        dh_set_head(h, b, size, b->head & DH_FLAG_MASK, dh_align_log(b));
        set_prev_free(h, next_of(h, b), false, 0);
    }
    trim_tail(h, b, need);
    return true;
}

dh_block *dh_pool_block_of(const struct default_heap *h, uintptr_t ptr, const char *who)
{
    uintptr_t b = ptr - DH_GRAIN;
    if ((ptr & (DH_GRAIN - 1)) || !dh_has_blocks(h) || ptr < h->start + DH_GRAIN || !in_pool(h, b))
        panic("%s: invalid free of 0x%lx: not a block of the heap [0x%lx, 0x%lx)", who,
              (unsigned long)ptr, (unsigned long)h->start, (unsigned long)h->end);
    dh_block *blk = (dh_block *)b;
    size_t size = dh_size(blk);
    if (!dh_head_ok(h, blk) || size < DH_MIN_BLOCK || size > h->end - DH_GRAIN - b ||
        (blk->head & DH_SLAB))
        panic("%s: invalid free of 0x%lx: no block starts there", who, (unsigned long)ptr);
    if (blk->head & DH_FREE)
        panic("%s: double free of 0x%lx: the block is free", who, (unsigned long)ptr);
    return blk;
}
