/* The default allocator's pool: segregated fit with two-level bitmaps (after
 * TLSF), immediate coalescing, O(1) take and give. The layout of a block and
 * the invariants: include/kiln/default_heap.h and default_heap_impl.h.
 *
 * Lists: a hole of s bytes sits on list (fl, sl), index fl * 16 + sl: fl = 0
 * holds s < 256 by 16-byte steps; above, fl counts powers of two and sl
 * splits each into 16. A search takes the head of the request's own list
 * when it fits, else the first hole of a list above, where every hole fits
 * ("good fit"). A block is carved from the top of its hole, so the hole
 * keeps its header (and its list, when its size stays in the same range):
 * cheaper, and on the 256 KiB fragmentation ramp the first failure comes at
 * 0.83 utilisation instead of 0.79.
 *
 * The lists and the checks of holes are in default_heap_pool.h, the aligned
 * path in default_heap_aligned.c.
 *
 * What is checked where (issue 12): a freed block's header by its checksum
 * (it may be any pointer a caller hands in); a hole, before its size is
 * used, by its flags, its bounds and the boundary tag of the block above
 * it; a list link by its bounds and its back link. A hole's head carries no
 * checksum: nothing but the pool's own links and neighbours lead to it.
 */
#include "default_heap_pool.h"

/* The lists of sizes below TABLE_MAX: dh_list_table[s / 16] == LIST_OF(s). */
#define L1(i)  (uint8_t) LIST_OF((size_t)(i)*16)
#define L4(i)  L1(i), L1((i) + 1), L1((i) + 2), L1((i) + 3)
#define L16(i) L4(i), L4((i) + 4), L4((i) + 8), L4((i) + 12)
#define L64(i) L16(i), L16((i) + 16), L16((i) + 32), L16((i) + 48)
const uint8_t dh_list_table[TABLE_MAX / 16] = {
    L64(0), L64(64), L64(128), L64(192), L64(256), L64(320), L64(384), L64(448),
};
_Static_assert(LIST_OF(TABLE_MAX - 16) < 256, "the table's lists fit a byte");

/* Nothing above need's list: a bounded look along need's own list, whose
 * holes may or may not fit. A hole that fits moves to the head of the list,
 * where carve takes it. */
COLD dh_block *dh_own_list_fit(struct default_heap *h, size_t need, unsigned list)
{
    dh_block *b = h->heads[list];
    for (unsigned looked = 0; b && looked < 16; looked++, b = b->next_free) {
        if (!link_ok(h, b)) corrupted("free-list link", dh_addr(b));
        if (hole_size(b->head) >= need) {
            list_unlink(h, b, list);
            list_push(h, b, list);
            return b;
        }
    }
    return NULL;
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
        unlink_hole(h, p, hole_size(p->head));
        size += dh_size(p);
        b = p;
    }
    h->end = new_end;
    dh_set_head(h, dh_end_marker(h), 0, 0, 0);
    make_hole(h, b, size);
}

/* ---- take and give ---- */

/* A block of need bytes (< DH_MAX_BLOCK) at alignment 16 from hole b, the
 * head of list, in use with flags and align_log. Carved from the top of the
 * hole, so the hole keeps its header, and its list when its size stays in
 * the list's range; low: from the bottom (a block realloc may grow in place).
 * min: need, or 0 when the caller has seen b's head > need (hole_fits). */
INLINE dh_block *carve(struct default_heap *h, dh_block *b, unsigned list, size_t need, size_t min,
                       uint64_t flags, unsigned align_log, bool low)
{
    uint64_t head = b->head;
    size_t size = hole_size(head), rest = size - need;
    if (!hole_fits(h, b, head, min)) corrupted("hole header", dh_addr(b));
    if (!low && rest >= DH_MIN_BLOCK) {
        /* The block first, then the hole's list: fewer values stay live
         * across the list's work. */
        dh_block *blk = (dh_block *)(dh_addr(b) + rest);
        ((dh_block *)(dh_addr(b) + size))->prev_size = 0;
        blk->prev_size = rest;
        dh_set_head(h, blk, need, flags, align_log);
        b->head = rest | DH_FREE;
        unsigned rlist = list_of(rest);
        if (rlist != list) {
            list_pop(h, b, list);
            list_push(h, b, rlist);
        }
        return blk;
    }
    list_pop(h, b, list);
    cut(h, b, size, need, flags, align_log);
    return b;
}

/* A used block of need bytes (< DH_MAX_BLOCK) or NULL; see dh_pool_take. */
INLINE dh_block *take(struct default_heap *h, size_t need, size_t align, size_t off, uint64_t flags,
                      unsigned align_log, bool low)
{
    if (align > DH_GRAIN) return dh_take_aligned(h, need, align, off, flags, align_log);
    unsigned list;
    dh_block *b = find_fit(h, need, &list);
    return b ? carve(h, b, list, need, need, flags, align_log, low) : NULL;
}

/* Return used block b (size bytes, checked against the region) to the
 * pool, coalescing with the holes above and below; above_free: the head of
 * the block above has FREE (the hole is still checked), else that block is
 * in use. */
INLINE void give(struct default_heap *h, dh_block *b, size_t size, bool above_free)
{
    dh_block *n = above_free ? hole_at(h, (dh_block *)(dh_addr(b) + size)) : NULL;
    dh_block *p = free_below(h, b);
    if (n) {
        size_t ns = hole_size(n->head);
        unlink_hole(h, n, ns);
        size += ns;
    }
    if (!p) {
        make_hole(h, b, size);
        return;
    }
    /* The freed header, now inside the hole, gets FREE over its checksum:
     * it is no block's header any more, and a later free of it is named a
     * double free (bad_pointer). The hole below grows and moves to the list
     * of its new size (almost always another list). */
    b->head |= DH_FREE;
    size_t ps = dh_addr(b) - dh_addr(p); /* p's head is ps | FREE (free_below) */
    unlink_hole(h, p, ps);
    size += ps;
    p->head = size | DH_FREE;
    list_push(h, p, list_of(size));
    ((dh_block *)(dh_addr(p) + size))->prev_size = size;
}

/* give, when the block above b is a hole, or when it is in use and the
 * one below is a hole: out of line, so that a free whose neighbours are in
 * use saves few registers. */
__attribute__((noinline)) static void give_above(struct default_heap *h, dh_block *b, size_t size)
{
    give(h, b, size, true);
}

__attribute__((noinline)) static void give_below(struct default_heap *h, dh_block *b, size_t size)
{
    give(h, b, size, false);
}

dh_block *dh_pool_take(struct default_heap *h, size_t need, size_t align, size_t off,
                       uint64_t flags, unsigned align_log)
{
    if (!dh_has_blocks(h) || need >= DH_MAX_BLOCK) return NULL;
    dh_block *b = take(h, need, align, off, flags, align_log, false);
    if (!b && dh_slab_flush(h)) b = take(h, need, align, off, flags, align_log, false);
    return b;
}

/* give, with the coalescing out of line (give_above, give_below). */
INLINE void give_block(struct default_heap *h, dh_block *b, size_t size)
{
    if (((dh_block *)(dh_addr(b) + size))->head & DH_FREE)
        give_above(h, b, size);
    else if (b->prev_size)
        give_below(h, b, size);
    else
        make_hole(h, b, size); /* both neighbours in use */
}

void dh_pool_give(struct default_heap *h, dh_block *b)
{
    give_block(h, b, dh_size(b));
}

/* What dh_pool_alloc's fast path leaves, but for an alignment above 16
 * (dh_pool_alloc_aligned): size 0 or a need past the list table, no hole
 * found at the head of need's list or above it, an empty region, or no fit
 * until the kept slab pages go back to the pool. Out of line, so that the
 * fast path makes no call and saves few registers. */
__attribute__((noinline)) static void *alloc_other(struct default_heap *h, size_t size,
                                                   size_t align, bool low)
{
    /* {size, align} is valid (the entry points check it): size + align - 1
     * cannot overflow. */
    if (size >= DH_MAX_BLOCK || align >= DH_MAX_BLOCK) return NULL;
    size_t need = dh_need(size);
    if (align < DH_GRAIN) align = DH_GRAIN;
    dh_block *b = take(h, need, align, DH_GRAIN, 0, dh_log2(align), low);
    if (!b && dh_has_blocks(h) && dh_slab_flush(h))
        b = take(h, need, align, DH_GRAIN, 0, dh_log2(align), low);
    return b ? (void *)(dh_addr(b) + DH_GRAIN) : NULL;
}

INLINE void *pool_alloc(struct default_heap *h, struct layout l, bool low)
{
    /* Sizes 1 .. TABLE_MAX - 32: need is dh_need(l.size) (at least 32), and
     * its list is in the table. */
    if (__builtin_expect(l.align > DH_GRAIN, 0)) return dh_pool_alloc_aligned(h, l.size, l.align);
    if (__builtin_expect(l.size - 1 >= TABLE_MAX - 2 * DH_GRAIN, 0))
        return alloc_other(h, l.size, l.align, low);
    size_t need = (l.size + 2 * DH_GRAIN - 1) & ~(size_t)(DH_GRAIN - 1);
    unsigned list = dh_list_table[need >> 4];
    /* The head of need's own list when it fits (its head, size | FREE, is
     * above need), else the first hole of a list above (an empty region has
     * no list set: nothing is found). */
    dh_block *b = h->heads[list];
    if (b && b->head > need) {
        b = carve(h, b, list, need, 0, 0, dh_log2(DH_GRAIN), low);
    } else {
        b = first_above(h, &list);
        if (__builtin_expect(!b, 0)) return alloc_other(h, l.size, l.align, low);
        b = carve(h, b, list, need, need, 0, dh_log2(DH_GRAIN), low);
    }
    return (void *)(dh_addr(b) + DH_GRAIN);
}

void *dh_pool_alloc(struct default_heap *h, struct layout l)
{
    return pool_alloc(h, l, false);
}

void *dh_pool_alloc_low(struct default_heap *h, struct layout l)
{
    return pool_alloc(h, l, true);
}

/* True when l (a valid layout) is the layout class of a pool block of size
 * bytes and alignment class align_log: its need is size or up to one
 * minimal block less, and max(align, 16) is 1 << align_log. */
static inline bool layout_fits(size_t size, unsigned align_log, struct layout l)
{
    /* need(l.size) is in (size - 32, size] exactly when l.size is in
     * (size - 64, size - 16] (need = max(32, round_up(l.size, 16) + 16)). */
    return size - DH_GRAIN - l.size < DH_MIN_BLOCK + DH_GRAIN &&
           (l.align <= DH_GRAIN ? align_log == dh_log2(DH_GRAIN) : fls64(l.align) == align_log);
}

DH_FAILS noreturn void layout_mismatch(const dh_block *b, uintptr_t p, struct layout l)
{
    dh_size_mismatch(p, l, dh_size(b) - DH_GRAIN, (size_t)1 << dh_align_log(b));
}

/* The panic of a pointer that live_block rejects: which check failed. */
DH_FAILS noreturn void bad_pointer(const struct default_heap *h, uintptr_t ptr, const char *who)
{
    uintptr_t b = ptr - DH_GRAIN;
    if ((ptr & (DH_GRAIN - 1)) || !dh_has_blocks(h) || b - h->start >= h->pool_span)
        panic("%s: invalid free of 0x%lx: not a block of the heap [0x%lx, 0x%lx)", who,
              (unsigned long)ptr, (unsigned long)h->start, (unsigned long)h->end);
    const dh_block *blk = (const dh_block *)b;
    uint64_t head = blk->head;
    /* Freed: a hole's own header, or a header absorbed into the hole below
     * it (FREE set over its old checksum, by give). */
    if ((head & DH_FREE) && (hole_ok(h, blk, head) || dh_head_value_ok(h, b, head & ~DH_FREE)))
        panic("%s: double free of 0x%lx: the block is free", who, (unsigned long)ptr);
    panic("%s: invalid free of 0x%lx: no block starts there", who, (unsigned long)ptr);
}

/* The pool block whose payload is ptr when it is a live one, else NULL:
 * ptr is 16-aligned, its header lies inside the pool, passes its checksum,
 * is neither free nor a slab page, and the block ends at or below the end
 * marker. *size: the block's size. */
INLINE dh_block *live_block(const struct default_heap *h, uintptr_t ptr, size_t *size)
{
    uintptr_t b = ptr - DH_GRAIN;
    /* An empty region has pool_span 0: nothing passes. */
    if ((ptr & (DH_GRAIN - 1)) || b - h->start >= h->pool_span) return NULL;
    uint64_t head = ((const dh_block *)b)->head;
    *size = head & DH_SIZE_MASK;
    if (!dh_head_value_ok(h, b, head) || (head & (DH_SLAB | DH_FREE)) ||
        *size > h->pool_span - (b - h->start))
        return NULL;
    return (dh_block *)b;
}

void dh_pool_bad_pointer(const struct default_heap *h, uintptr_t p, const char *who)
{
    bad_pointer(h, p, who);
}

void dh_pool_free(struct default_heap *h, uintptr_t p, struct layout l)
{
    size_t size;
    dh_block *b = live_block(h, p, &size);
    if (__builtin_expect(!b, 0)) {
        dh_free_not_pool(h, p, l);
        return;
    }
    if (__builtin_expect(!layout_fits(size, dh_align_log(b), l), 0)) layout_mismatch(b, p, l);
    give_block(h, b, size);
}

/* Resize live block b (size bytes, its head read as head) to hold
 * new_size bytes in place: shrunk, or grown into the hole above; false
 * (nothing changed) when it cannot. */
INLINE bool resize_block(struct default_heap *h, dh_block *b, size_t size, uint64_t head,
                         size_t new_size)
{
    if (new_size >= DH_MAX_BLOCK) return false;
    size_t need = dh_need(new_size);
    dh_block *n = free_above(h, b, size);
    if (!n) {
        if (need > size) return false;
        if (size - need < DH_MIN_BLOCK) return true; /* nothing to cut off */
    } else { /* take the hole above in, then cut what is not needed */
        size_t ns = hole_size(n->head);
        if (need > size + ns) return false;
        unlink_hole(h, n, ns);
        size += ns;
    }
    cut(h, b, size, need, head & DH_FLAG_MASK, (unsigned)(head >> 48) & 63);
    return true;
}

enum dh_resize dh_pool_resize(struct default_heap *h, uintptr_t p, struct layout l, size_t new_size,
                              dh_block **block)
{
    size_t size;
    dh_block *b = live_block(h, p, &size);
    if (!b) return DH_NOT_POOL;
    uint64_t head = b->head;
    if (!layout_fits(size, (unsigned)(head >> 48) & 63, l)) layout_mismatch(b, p, l);
    *block = b;
    return resize_block(h, b, size, head, new_size) ? DH_RESIZED : DH_MUST_MOVE;
}

void *dh_pool_realloc(struct default_heap *h, void *ptr, struct layout l, size_t new_size)
{
    size_t size;
    dh_block *b = live_block(h, dh_addr(ptr), &size);
    if (!b) return dh_realloc_not_pool(h, ptr, l, new_size);
    uint64_t head = b->head;
    if (!layout_fits(size, (unsigned)(head >> 48) & 63, l)) layout_mismatch(b, dh_addr(ptr), l);
    if (resize_block(h, b, size, head, new_size)) return ptr;
    return dh_realloc_move(h, ptr, l, new_size, b);
}

dh_block *dh_pool_block_of(const struct default_heap *h, uintptr_t ptr, const char *who)
{
    size_t size;
    dh_block *b = live_block(h, ptr, &size);
    if (!b) bad_pointer(h, ptr, who);
    return b;
}
