/* The default allocator's pool blocks at an alignment above 16: a bounded
 * look for a hole where the aligned block fits, then the search for a hole
 * where it fits at any address; the gap below the block stays a hole.
 * dh_pool_alloc comes here straight from its first test. */
#include "default_heap_pool.h"

/* How far above hole b the first block whose (address + off) is a multiple
 * of align may start: 0 or at least DH_MIN_BLOCK (the gap becomes a hole). */
static inline size_t aligned_gap(uintptr_t b, size_t align, size_t off)
{
    size_t gap = (0 - (b + off)) & (align - 1);
    return gap && gap < DH_MIN_BLOCK ? gap + align : gap;
}

/* An aligned fit: a bounded look at the holes of need's lists and above
 * (which finds fits in a fragmented pool without splitting a large hole),
 * then the search that always fits. */
INLINE dh_block *find_aligned(struct default_heap *h, size_t need, size_t align, size_t off)
{
    unsigned list = list_of(need), fl = list / DEFAULT_HEAP_SL, sl = list % DEFAULT_HEAP_SL;
    unsigned left = 16; /* holes to look at */
    for (; fl < DEFAULT_HEAP_FL; fl++, sl = 0) {
        uint32_t slm = h->sl_bitmap[fl] & (~0u << sl);
        for (; slm; slm &= slm - 1) {
            dh_block *b = h->heads[fl * DEFAULT_HEAP_SL + (unsigned)__builtin_ctz(slm)];
            for (; b; b = b->next_free) {
                if (!link_ok(h, b)) corrupted("free-list link", dh_addr(b));
                /* A hole's head is size | FREE, and need + gap a multiple
                 * of 16: it fits when below the head (carve_aligned checks
                 * the head exactly). */
                if (need + aligned_gap(dh_addr(b), align, off) < b->head) return b;
                if (--left == 0) {
                    size_t any = need + align + DH_GRAIN; /* fits at any alignment */
                    return any < DH_MAX_BLOCK ? find_fit(h, any, &list) : NULL;
                }
            }
        }
    }
    return NULL;
}

/* A block of need bytes from hole b whose (address + off) is a multiple of
 * align (> 16); the gap below it stays a hole. */
INLINE dh_block *carve_aligned(struct default_heap *h, dh_block *b, size_t need, size_t align,
                               size_t off, uint64_t flags, unsigned align_log)
{
    uint64_t head = b->head;
    size_t gap = aligned_gap(dh_addr(b), align, off);
    if (!hole_fits(h, b, head, need + gap)) corrupted("hole header", dh_addr(b));
    size_t size = hole_size(head);
    unlink_hole(h, b, size);
    if (gap) {
        b->head = gap | DH_FREE;
        list_push(h, b, list_of(gap));
        b = (dh_block *)(dh_addr(b) + gap);
        b->prev_size = gap;
        size -= gap;
    }
    cut(h, b, size, need, flags, align_log);
    return b;
}

dh_block *dh_take_aligned(struct default_heap *h, size_t need, size_t align, size_t off,
                          uint64_t flags, unsigned align_log)
{
    dh_block *b = find_aligned(h, need, align, off);
    return b ? carve_aligned(h, b, need, align, off, flags, align_log) : NULL;
}

void *dh_pool_alloc_aligned(struct default_heap *h, size_t size, size_t align)
{
    /* {size, align} is valid (the entry points check it): size + align - 1
     * cannot overflow. */
    if (size >= DH_MAX_BLOCK || align >= DH_MAX_BLOCK) return NULL;
    size_t need = dh_need(size);
    dh_block *b = find_aligned(h, need, align, DH_GRAIN);
    if (b) {
        b = carve_aligned(h, b, need, align, DH_GRAIN, 0, dh_log2(align));
    } else if (dh_has_blocks(h) && dh_slab_flush(h)) {
        b = dh_take_aligned(h, need, align, DH_GRAIN, 0, dh_log2(align));
    }
    return b ? (void *)(dh_addr(b) + DH_GRAIN) : NULL;
}
