/* The default allocator's walker: default_heap_check() counts broken
 * invariants (include/kiln/default_heap.h) and default_heap_stats() sums the
 * holes. Neither ever follows a pointer it has not checked against the region
 * first, and every walk is bounded by the number of blocks the region can
 * hold, so a corrupted heap is counted, never faulted on. */
#include "default_heap_impl.h"

struct walk {
    size_t broken;
    size_t live_bytes; /* in blocks: pool blocks and live slots, with their pages' overhead */
    size_t free_blocks, free_bytes, largest;
    size_t slabs_listed;
    size_t slabs_kept;
};

static bool in_pool(const struct default_heap *h, uintptr_t b)
{
    return b >= h->start && b < h->end - DH_GRAIN && (b & (DH_GRAIN - 1)) == 0;
}

/* A slab page that may be read: page-aligned, inside the slab range. */
static bool slab_addr_ok(const struct default_heap *h, uintptr_t s)
{
    return (s & (DH_PAGE - 1)) == 0 && (s - h->slab_lo) / DH_GRAIN < h->slab_grains;
}

/* The set bits of x (the kernel links no libgcc for __builtin_popcountll). */
static size_t bits_set(uint64_t x)
{
    size_t n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static void check_slab(const struct default_heap *h, const dh_slab *s, struct walk *w)
{
    uintptr_t base = dh_addr(s);
    if (s->cls >= DEFAULT_HEAP_CLASSES || s->check != dh_slab_check(h, base, s->cls) ||
        s->tag != (DH_SLAB | DH_FREE)) {
        w->broken++;
        return;
    }
    size_t slots = 0, live = 0;
    for (unsigned i = 0; i < DH_PAGE / DH_GRAIN / 64; i++) {
        uint64_t starts = dh_slot_starts[i][s->cls];
        if (~s->vacant[i] & ~starts) w->broken++; /* live slots only at slot starts */
        slots += bits_set(starts);
        live += bits_set(~s->vacant[i] & starts);
    }
    size_t nfree = slots - live;
    bool listed = s->quota >= -1;
    long quota = listed ? s->quota : (long)s->quota - DH_SLAB_UNLISTED;
    if (quota < -1 || (size_t)(quota + 1) != slots - nfree + (s->kept == 1)) w->broken++;
    if (!listed && nfree) w->broken++; /* off its list only while full */
    if (listed) w->slabs_listed++;
    /* kept: exactly the page h->empty[cls] names (counted against the
     * lists' walk below). */
    if (s->kept > 1) w->broken++;
    if (s->kept) w->slabs_kept++;
    if (nfree < slots)
        w->live_bytes += dh_size((const dh_block *)s) - nfree * dh_class_size[s->cls];
}

/* Walk the blocks in address order up to the end marker. */
static void walk_blocks(const struct default_heap *h, struct walk *w)
{
    uintptr_t b = h->start, end_marker = h->end - DH_GRAIN;
    bool prev_free = false;
    size_t prev_size = 0, steps = (h->end - h->start) / DH_MIN_BLOCK + 2;
    while (steps--) {
        const dh_block *blk = (const dh_block *)b;
        bool hole = blk->head & DH_FREE;
        if (hole ? (blk->head & ~DH_SIZE_MASK) != DH_FREE : !dh_head_ok(h, blk)) {
            w->broken++;
            return;
        }
        if (blk->prev_size != (prev_free ? prev_size : 0)) w->broken++;
        if (b == end_marker) {
            if (dh_size(blk) != 0 || (blk->head & (DH_FREE | DH_SLAB))) w->broken++;
            return;
        }
        size_t size = dh_size(blk);
        if (size < DH_MIN_BLOCK || size > end_marker - b) {
            w->broken++;
            return;
        }
        if (hole) {
            if (prev_free || (blk->head & DH_SLAB)) w->broken++;
            w->free_blocks++;
            w->free_bytes += size;
            if (size - DH_GRAIN > w->largest) w->largest = size - DH_GRAIN;
        } else if (!(blk->head & DH_SLAB)) {
            w->live_bytes += size;
        } else {
            if (size < DH_PAGE || size - DH_PAGE >= DH_MIN_BLOCK || !slab_addr_ok(h, b))
                w->broken++;
            else
                check_slab(h, (const dh_slab *)b, w);
        }
        prev_free = hole, prev_size = size;
        b += size;
    }
    w->broken++; /* no end marker within the bound */
}

static unsigned mapping_fl(size_t s, unsigned *sl)
{
    if (s < 256) {
        *sl = (unsigned)(s >> 4);
        return 0;
    }
    unsigned f = 63u - (unsigned)__builtin_clzll(s);
    *sl = (unsigned)(s >> (f - 4)) & (DEFAULT_HEAP_SL - 1);
    return f - 7;
}

/* Every list: its nodes are holes of its size range, doubly linked; the
 * bitmaps match; together they hold every hole once. */
static void walk_lists(const struct default_heap *h, struct walk *w)
{
    size_t listed = 0, bound = (h->end - h->start) / DH_MIN_BLOCK + 1;
    for (unsigned fl = 0; fl < DEFAULT_HEAP_FL; fl++) {
        if (((h->fl_bitmap >> fl) & 1) != (h->sl_bitmap[fl] != 0)) w->broken++;
        for (unsigned sl = 0; sl < DEFAULT_HEAP_SL; sl++) {
            const dh_block *b = h->heads[fl * DEFAULT_HEAP_SL + sl], *prev = NULL;
            if (((h->sl_bitmap[fl] >> sl) & 1) != (b != NULL)) w->broken++;
            for (; b; prev = b, b = b->next_free) {
                unsigned bsl;
                if (!dh_has_blocks(h) || !in_pool(h, dh_addr(b)) ||
                    (b->head & ~DH_SIZE_MASK) != DH_FREE || ++listed > bound) {
                    w->broken++;
                    break;
                }
                if (b->prev_free != prev || mapping_fl(dh_size(b), &bsl) != fl || bsl != sl)
                    w->broken++;
            }
        }
    }
    if (listed != w->free_blocks) w->broken++;
}

/* The avail and empty lists hold valid slab pages of their class. */
static void walk_slab_lists(const struct default_heap *h, struct walk *w)
{
    size_t listed = 0, kept = 0, bound = h->slab_grains / (DH_PAGE / DH_GRAIN) + 1;
    for (unsigned c = 0; c < DEFAULT_HEAP_CLASSES; c++) {
        const dh_slab *s = dh_avail_first(h, c), *prev = NULL;
        if (!h->avail[c]) w->broken++; /* an empty list holds DH_NO_PAGE */
        for (; s; prev = s, s = s->next) {
            if (!slab_addr_ok(h, dh_addr(s)) || s->check != dh_slab_check(h, dh_addr(s), c) ||
                ++listed > bound) {
                w->broken++;
                break;
            }
            if (s->prev != prev || s->cls != c || s->quota < 0) w->broken++;
        }
        s = h->empty[c];
        if (s && (!slab_addr_ok(h, dh_addr(s)) || s->check != dh_slab_check(h, dh_addr(s), c) ||
                  s->cls != c || s->kept != 1))
            w->broken++;
        kept += s != NULL;
    }
    if (listed != w->slabs_listed) w->broken++;
    if (kept != w->slabs_kept) w->broken++;
}

size_t default_heap_check(const struct default_heap *h)
{
    struct walk w = {0};
    if (h->start % DH_GRAIN || h->end % DH_GRAIN || h->end < h->start ||
        (dh_has_blocks(h) && h->top < h->end))
        return 1;
    if (dh_has_blocks(h)) walk_blocks(h, &w);
    walk_lists(h, &w);
    walk_slab_lists(h, &w);
    return w.broken;
}

struct alloc_stats default_heap_stats(const struct default_heap *h)
{
    struct walk w = {0};
    size_t size = h->end - h->start;
    if (dh_has_blocks(h)) walk_blocks(h, &w);
    size_t used = w.live_bytes < size ? w.live_bytes : size;
    return (struct alloc_stats){size, used, size - used, w.largest};
}
