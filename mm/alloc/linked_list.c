/* The linked-list allocator: first fit over an address-sorted hole list.
 * Contracts and invariants: include/kiln/linked_list.h. */
#include "kiln/linked_list.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define U LLHEAP_UNIT

struct llheap_hole {
    size_t size;
    struct llheap_hole *next;
};
typedef struct llheap_hole hole_t;

_Static_assert(sizeof(hole_t) == U, "a hole node is one unit");

static inline uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

/* The bytes a block of size bytes takes: max(U, round_up(size, U)). The
 * caller has checked size <= end - start, so the rounding cannot wrap. */
static inline size_t block_bytes(size_t size)
{
    return size ? (size + U - 1) & ~(U - 1) : U;
}

/* Put a hole node {size, next} at p. */
static inline hole_t *hole_at(uintptr_t p, size_t size, hole_t *next)
{
    hole_t *n = (hole_t *)p;
    n->size = size;
    n->next = next;
    return n;
}

void llheap_init(struct llheap *h, void *start, size_t size)
{
    uintptr_t s = addr(start), top = s + size, lo = s + ((0 - s) & (U - 1));
    if (top < s || lo < s) panic("llheap_init: region at %p of %zu bytes wraps", start, size);
    uintptr_t hi = top & ~(uintptr_t)(U - 1);
    if (hi < lo) hi = lo;
    *h = (struct llheap){.start = lo, .end = hi, .top = top, .head = NULL, .used = 0};
    if (hi > lo) h->head = hole_at(lo, hi - lo, NULL);
}

void *llheap_alloc(struct llheap *h, struct layout l)
{
    if (layout_check(l) != LAYOUT_OK || l.size > h->end - h->start) return NULL;
    size_t need = block_bytes(l.size);
    hole_t **link = &h->head, *cur;
    if (l.align <= U) {
        /* Every hole start is aligned: take the front of the first fit. */
        for (; (cur = *link) != NULL; link = &cur->next) {
            if (cur->size < need) continue;
            size_t rest = cur->size - need;
            *link = rest ? hole_at(addr(cur) + need, rest, cur->next) : cur->next;
            h->used += need;
            return cur;
        }
        return NULL;
    }
    for (; (cur = *link) != NULL; link = &cur->next) {
        /* front is a multiple of U: 0, or a hole of its own. */
        size_t front = (0 - addr(cur)) & (l.align - 1);
        if (front >= cur->size || cur->size - front < need) continue;
        size_t rest = cur->size - front - need;
        uintptr_t block = addr(cur) + front;
        hole_t *next = rest ? hole_at(block + need, rest, cur->next) : cur->next;
        if (front) {
            cur->size = front;
            cur->next = next;
        } else {
            *link = next;
        }
        h->used += need;
        return (void *)block;
    }
    return NULL;
}

/* Check that ptr can be a block of layout l in h; returns its byte count.
 * Panics "invalid free" otherwise, naming who. */
static size_t checked_block(const struct llheap *h, void *ptr, struct layout l, const char *who)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK)
        panic("%s: %s: Layout { size: %zu, align: %zu } for %p", who, layout_error_name(e), l.size,
              l.align, ptr);
    uintptr_t p = addr(ptr);
    if (p < h->start || p >= h->end || (p & (U - 1)) || (p & (l.align - 1)) ||
        l.size > h->end - p || block_bytes(l.size) > h->end - p)
        panic("%s: invalid free of %p, Layout { size: %zu, align: %zu }: not a block of the "
              "region [%p, %p)",
              who, ptr, l.size, l.align, (void *)h->start, (void *)h->end);
    return block_bytes(l.size);
}

/* The holes around [p, p + n): *prev is the last hole below p (NULL when
 * none), the result the first hole above. Panics "double free" when the block
 * overlaps either. */
static hole_t *neighbours(const struct llheap *h, uintptr_t p, size_t n, struct layout l,
                          hole_t **prev, const char *who)
{
    hole_t *before = NULL, *cur = h->head;
    while (cur != NULL && addr(cur) < p) {
        before = cur;
        cur = cur->next;
    }
    if ((before && addr(before) + before->size > p) || (cur && p + n > addr(cur)) || h->used < n)
        panic("%s: double free of %p, Layout { size: %zu, align: %zu }: the block overlaps a "
              "hole (freed already, or not allocated with this layout)",
              who, (void *)p, l.size, l.align);
    *prev = before;
    return cur;
}

/* Make [p, p + n) a hole between prev and next (as found by neighbours),
 * merging with either when adjacent. */
static void insert_hole(struct llheap *h, hole_t *prev, hole_t *next, uintptr_t p, size_t n)
{
    if (next && p + n == addr(next)) {
        n += next->size;
        next = next->next;
    }
    if (prev && addr(prev) + prev->size == p) {
        prev->size += n;
        prev->next = next;
        return;
    }
    hole_t *node = hole_at(p, n, next);
    if (prev)
        prev->next = node;
    else
        h->head = node;
}

void llheap_dealloc(struct llheap *h, void *ptr, struct layout l)
{
    if (ptr == NULL) return;
    size_t n = checked_block(h, ptr, l, "llheap_dealloc");
    hole_t *prev, *next = neighbours(h, addr(ptr), n, l, &prev, "llheap_dealloc");
    insert_hole(h, prev, next, addr(ptr), n);
    h->used -= n;
}

void *llheap_realloc(struct llheap *h, void *ptr, struct layout l, size_t new_size)
{
    struct layout to = {new_size, l.align};
    if (ptr == NULL) return llheap_alloc(h, to);
    size_t n = checked_block(h, ptr, l, "llheap_realloc");
    if (layout_check(to) != LAYOUT_OK || new_size > h->end - h->start) return NULL;
    size_t m = block_bytes(new_size);
    uintptr_t p = addr(ptr);
    hole_t *prev, *next = neighbours(h, p, n, l, &prev, "llheap_realloc");
    if (m <= n) {
        if (m < n) insert_hole(h, prev, next, p + m, n - m);
        h->used -= n - m;
        return ptr;
    }
    if (next && addr(next) == p + n && next->size >= m - n) {
        size_t rest = next->size - (m - n);
        hole_t *after = rest ? hole_at(p + m, rest, next->next) : next->next;
        if (prev)
            prev->next = after;
        else
            h->head = after;
        h->used += m - n;
        return ptr;
    }
    void *q = llheap_alloc(h, to);
    if (q == NULL) return NULL;
    memcpy(q, ptr, l.size < new_size ? l.size : new_size);
    llheap_dealloc(h, ptr, l);
    return q;
}

void llheap_extend(struct llheap *h, size_t bytes)
{
    if (h->top + bytes < h->top)
        panic("llheap_extend: top 0x%lx + %zu bytes wraps", (unsigned long)h->top, bytes);
    h->top += bytes;
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1);
    if (hi <= h->end) return;
    hole_t *last = NULL;
    for (hole_t *cur = h->head; cur != NULL; cur = cur->next) last = cur;
    insert_hole(h, last, NULL, h->end, hi - h->end);
    h->end = hi;
}

struct alloc_stats llheap_stats(const struct llheap *h)
{
    struct alloc_stats s = {.size = h->end - h->start, .used = h->used};
    s.free = s.size - s.used;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next)
        if (cur->size > s.largest_hole) s.largest_hole = cur->size;
    return s;
}

size_t llheap_holes(const struct llheap *h)
{
    size_t n = 0;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next) n++;
    return n;
}

size_t llheap_check(const struct llheap *h)
{
    size_t broken = 0, free = 0, limit = (h->end - h->start) / U + 1;
    broken += (h->start & (U - 1)) != 0 || (h->end & (U - 1)) != 0;
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1);
    broken += h->end != (hi > h->start ? hi : h->start); /* end == max(start, round_down(top, U)) */
    uintptr_t prev_end = 0;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next) {
        if (limit-- == 0) return broken + 1; /* a cycle, or nodes outside the region */
        uintptr_t a = addr(cur);
        broken += a < h->start || a > h->end || cur->size > h->end - a;
        broken += (a & (U - 1)) != 0 || (cur->size & (U - 1)) != 0 || cur->size < U;
        broken += cur != h->head && a <= prev_end; /* overlapping or adjacent */
        prev_end = a + cur->size;
        free += cur->size;
    }
    broken += free + h->used != h->end - h->start;
    return broken;
}

static void *op_alloc(void *state, struct layout l)
{
    return llheap_alloc(state, l);
}
static void op_dealloc(void *state, void *ptr, struct layout l)
{
    llheap_dealloc(state, ptr, l);
}
static void *op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    return llheap_realloc(state, ptr, l, new_size);
}

static const struct alloc_ops llheap_ops = {
    .alloc = op_alloc, .dealloc = op_dealloc, .realloc = op_realloc};

struct allocator llheap_allocator(struct llheap *h)
{
    return (struct allocator){.ops = &llheap_ops, .state = h};
}
