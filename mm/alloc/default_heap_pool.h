/* The pool's lists and the checks of its holes, shared by the pool's files
 * (default_heap_pool.c: take, give, alloc, free, resize;
 * default_heap_aligned.c: blocks at an alignment above 16). Not a public
 * interface; how the lists and checks work: default_heap_pool.c. */
#ifndef KILN_DEFAULT_HEAP_POOL_H
#define KILN_DEFAULT_HEAP_POOL_H

#include "default_heap_impl.h"
#include "kiln/panic.h"

#define SL_LOG 4
#define SMALL  (1u << (SL_LOG + 4)) /* 256: below it, lists by 16 bytes */
#define COLD   __attribute__((noinline, cold))
#define INLINE __attribute__((always_inline)) static inline

/* The index of the highest set bit of x > 0 (a constant for a constant x). */
#define FLS(x) (63u - (unsigned)__builtin_clzll(x))

static inline unsigned fls64(uint64_t x)
{
    return FLS(x);
}

/* The list of a hole of s bytes (s < 2^47), computed. */
#define LIST_OF(s)                                                                                 \
    ((s) < SMALL ? (unsigned)((s) >> 4)                                                            \
                 : (FLS(s) - (SL_LOG + 4 - 1)) * DEFAULT_HEAP_SL +                                 \
                       ((unsigned)((s) >> (FLS(s) - SL_LOG)) & (DEFAULT_HEAP_SL - 1)))

/* The lists of sizes below TABLE_MAX, looked up: dh_list_table[s / 16]
 * (default_heap_pool.c). */
#define TABLE_MAX 8192u
extern const uint8_t dh_list_table[TABLE_MAX / 16];

/* The list of a hole of s bytes, a multiple of 16 below 2^47. */
INLINE unsigned list_of(size_t s)
{
    return s < TABLE_MAX ? dh_list_table[s >> 4] : LIST_OF(s);
}

DH_FAILS noreturn void corrupted(const char *what, uintptr_t at)
{
    panic("heap corrupted: %s at 0x%lx", what, (unsigned long)at);
}

/* A link read from a hole may be followed: the hole's header and both links
 * lie below the end marker. (Its alignment is not checked: a misaligned
 * link is still read inside the region, and fails the back-link check.) */
static inline bool link_ok(const struct default_heap *h, const dh_block *b)
{
    return dh_addr(b) - h->start <= h->pool_span - DH_MIN_BLOCK;
}

/* The size a hole's head gives: the head without its flags. A head that
 * passes hole_fits holds nothing else (any bit above the size makes it
 * larger than the region); before that check it is only compared. */
static inline size_t hole_size(uint64_t head)
{
    return head & ~(uint64_t)(DH_GRAIN - 1);
}

/* head, read from the hole at b, may be used for a hole of at least min
 * bytes (min >= DH_MIN_BLOCK): the hole is marked free, is at least min
 * bytes long, ends at or below the end marker, and the block above records
 * its size (the boundary tag); a hole's head is exactly size | DH_FREE.
 * These keep every write inside the region, and a hole's size from
 * overlapping a live block. (b lies at or below the end marker.) min may
 * be 0 when the caller has seen head > need for a need >= DH_MIN_BLOCK (a
 * multiple of 16): with head exactly size | DH_FREE, the hole has at
 * least need bytes. */
static inline bool hole_fits(const struct default_heap *h, const dh_block *b, uint64_t head,
                             size_t min)
{
    size_t size = hole_size(head);
    return (head & (DH_GRAIN - 1)) == DH_FREE && size >= min &&
           size <= dh_addr(dh_end_marker(h)) - dh_addr(b) &&
           ((const dh_block *)(dh_addr(b) + size))->prev_size == size;
}

static inline bool hole_ok(const struct default_heap *h, const dh_block *b, uint64_t head)
{
    return hole_fits(h, b, head, DH_MIN_BLOCK);
}

/* ---- the lists ---- */

INLINE void list_push(struct default_heap *h, dh_block *b, unsigned list)
{
    dh_block *first = h->heads[list];
    b->next_free = first;
    b->prev_free = NULL;
    if (first) {
        first->prev_free = b;
    } else {
        unsigned fl = list / DEFAULT_HEAP_SL;
        h->sl_bitmap[fl] |= 1u << (list % DEFAULT_HEAP_SL);
        h->fl_bitmap |= 1ull << fl;
    }
    h->heads[list] = b;
}

/* Unlink hole b from its neighbours on its list, checking that they point
 * back at it (safe unlinking) before writing through them; true when b is
 * the head of its list (its list's head is left to the caller). */
INLINE bool unlink_links(struct default_heap *h, dh_block *b)
{
    dh_block *n = b->next_free, *p = b->prev_free;
    if (n) {
        if (!link_ok(h, n) || n->prev_free != b) corrupted("free-list link", dh_addr(b));
        n->prev_free = p;
    }
    if (p) {
        if (!link_ok(h, p) || p->next_free != b) corrupted("free-list link", dh_addr(b));
        p->next_free = n;
        return false;
    }
    return true;
}

/* list has become empty: clear its bit, and its level's when that empties. */
INLINE void list_mark_empty(struct default_heap *h, unsigned list)
{
    unsigned fl = list / DEFAULT_HEAP_SL;
    h->sl_bitmap[fl] &= ~(1u << (list % DEFAULT_HEAP_SL));
    if (!h->sl_bitmap[fl]) h->fl_bitmap &= ~(1ull << fl);
}

/* Hole b, the head of list, leaves it to the hole after it. */
INLINE void unlink_head(struct default_heap *h, dh_block *b, unsigned list)
{
    dh_block *n = b->next_free;
    if (h->heads[list] != b) corrupted("free-list link", dh_addr(b));
    h->heads[list] = n;
    if (!n) list_mark_empty(h, list);
}

/* Unlink hole b from list. */
INLINE void list_unlink(struct default_heap *h, dh_block *b, unsigned list)
{
    if (unlink_links(h, b)) unlink_head(h, b, list);
}

/* Unlink hole b of size bytes (checked by hole_fits) from the list of its
 * size, which is looked up only when b is that list's head. */
INLINE void unlink_hole(struct default_heap *h, dh_block *b, size_t size)
{
    if (unlink_links(h, b)) unlink_head(h, b, list_of(size));
}

/* Unlink hole b, the head of its list. */
INLINE void list_pop(struct default_heap *h, dh_block *b, unsigned list)
{
    dh_block *n = b->next_free;
    if (n) {
        if (!link_ok(h, n) || n->prev_free != b) corrupted("free-list link", dh_addr(b));
        n->prev_free = NULL;
    } else {
        list_mark_empty(h, list);
    }
    h->heads[list] = n;
}

/* Make [b, b + size) a hole on its list (its neighbours are in use) and
 * tell the block above. */
INLINE void make_hole(struct default_heap *h, dh_block *b, size_t size)
{
    b->head = size | DH_FREE;
    list_push(h, b, list_of(size));
    ((dh_block *)(dh_addr(b) + size))->prev_size = size;
}

/* The first hole on a list above list (every hole there is larger than any
 * size that maps to list), and its list in *list; NULL when there is none. */
INLINE dh_block *first_above(const struct default_heap *h, unsigned *list)
{
    unsigned fl = *list / DEFAULT_HEAP_SL;
    uint32_t slm = h->sl_bitmap[fl] & (~1u << (*list % DEFAULT_HEAP_SL));
    if (!slm) {
        uint64_t flm = h->fl_bitmap & (~1ull << fl);
        if (!flm) return NULL;
        fl = (unsigned)__builtin_ctzll(flm);
        slm = h->sl_bitmap[fl];
    }
    *list = fl * DEFAULT_HEAP_SL + (unsigned)__builtin_ctz(slm);
    return h->heads[*list];
}

/* Nothing above need's list: a bounded look along need's own list, whose
 * holes may or may not fit. A hole that fits moves to the head of the list,
 * where carve takes it (default_heap_pool.c). */
COLD dh_block *dh_own_list_fit(struct default_heap *h, size_t need, unsigned list);

/* A hole of at least need bytes (< DH_MAX_BLOCK), the head of its list, and
 * that list, or NULL: the head of need's own list when it fits (a good fit
 * that spares the larger holes), else the first hole of a list whose every
 * hole fits. */
INLINE dh_block *find_fit(struct default_heap *h, size_t need, unsigned *list)
{
    *list = list_of(need);
    dh_block *b = h->heads[*list];
    if (b && hole_size(b->head) >= need) return b;
    unsigned above = *list;
    dh_block *a = first_above(h, &above);
    if (a) {
        *list = above;
        return a;
    }
    return b ? dh_own_list_fit(h, need, *list) : NULL;
}

/* ---- neighbours, checked before use ---- */

/* n, checked as a hole (n lies at or below the end marker). */
INLINE dh_block *hole_at(const struct default_heap *h, dh_block *n)
{
    if (!hole_ok(h, n, n->head)) corrupted("hole header", dh_addr(n));
    return n;
}

/* The hole above b (size bytes, checked: b + size <= the end marker), or
 * NULL when the block above is in use. */
INLINE dh_block *free_above(const struct default_heap *h, const dh_block *b, size_t size)
{
    dh_block *n = (dh_block *)(dh_addr(b) + size);
    return n->head & DH_FREE ? hole_at(h, n) : NULL;
}

/* The hole below b, or NULL when b->prev_size says the block below is in
 * use. The hole must be free and exactly prev_size bytes long. */
INLINE dh_block *free_below(const struct default_heap *h, const dh_block *b)
{
    size_t ps = b->prev_size;
    if (!ps) return NULL;
    dh_block *pb = (dh_block *)(dh_addr(b) - ps);
    if ((ps & (DH_GRAIN - 1)) || ps > dh_addr(b) - h->start || pb->head != (ps | DH_FREE))
        corrupted("previous block size", dh_addr(b));
    return pb;
}

/* Cut used block b (size bytes, flags and alignment class given) to need
 * bytes when the rest can be a hole; the block above b is in use. */
INLINE void cut(struct default_heap *h, dh_block *b, size_t size, size_t need, uint64_t flags,
                unsigned align_log)
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

/* A used block of need bytes (< DH_MAX_BLOCK) whose (address + off) is a
 * multiple of align (> 16), flags | its alignment class recorded, or NULL
 * (default_heap_aligned.c). */
dh_block *dh_take_aligned(struct default_heap *h, size_t need, size_t align, size_t off,
                          uint64_t flags, unsigned align_log);

/* dh_pool_alloc of {size, align} (a valid layout, align > 16): the payload
 * of a block from dh_take_aligned (after the kept slab pages go back to the
 * pool when nothing fits), or NULL (default_heap_aligned.c). */
void *dh_pool_alloc_aligned(struct default_heap *h, size_t size, size_t align);

#endif
