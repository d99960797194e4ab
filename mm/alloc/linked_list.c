/* The linked-list allocator: first fit over an address-sorted hole list.
 * Contracts and invariants: include/kiln/linked_list.h. */
#include "kiln/linked_list.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define U LINKED_LIST_UNIT

struct linked_list_hole {
    size_t size;
    struct linked_list_hole *next;
};
typedef struct linked_list_hole hole_t;

_Static_assert(sizeof(hole_t) == U, "a hole node is one unit");
_Static_assert(LINKED_LIST_HINTS <= sizeof(unsigned) * 8, "one bit per hint");

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

/* The link that points at the hole after prev (the head when prev is NULL). */
static inline hole_t **link_after(struct linked_list_heap *h, hole_t *prev)
{
    return prev ? &prev->next : &h->head;
}

/* ---- the size-class hints ------------------------------------------------ */

/* The class of a block of need >= 2U bytes: c with U << c <= need, capped. */
static inline unsigned class_of(size_t need)
{
    unsigned c = (unsigned)(sizeof(long) * 8 - 1 - __builtin_clzl(need)) - __builtin_ctzl(U);
    return c < LINKED_LIST_HINTS ? c : LINKED_LIST_HINTS - 1;
}

static inline void set_hint(struct linked_list_heap *h, unsigned c, hole_t *hole)
{
    h->hint[c] = hole;
    if (hole)
        h->hinted |= 1u << c;
    else
        h->hinted &= ~(1u << c);
}

/* Hole old leaves the list (or shrinks and moves up); before is the hole
 * below it. Holes up to before are as small as those up to old were. */
static void hints_replace(struct linked_list_heap *h, const hole_t *old, hole_t *before)
{
    for (unsigned m = h->hinted; m; m &= m - 1) {
        unsigned c = __builtin_ctz(m);
        if (h->hint[c] == old) set_hint(h, c, before);
    }
}

/* Hole y (below it: before, NULL when unknown) has just grown or appeared,
 * possibly absorbing the hole gone above it. A hint at or above y whose class
 * y now fits must fall back below y; one on gone moves to y. */
static void hints_after_free(struct linked_list_heap *h, hole_t *y, hole_t *before,
                             const hole_t *gone)
{
    for (unsigned m = h->hinted; m; m &= m - 1) {
        unsigned c = __builtin_ctz(m);
        if (addr(h->hint[c]) < addr(y)) continue;
        if (y->size >= U << c)
            set_hint(h, c, before);
        else if (h->hint[c] == gone)
            h->hint[c] = y;
    }
}

/* ---- init and alloc -------------------------------------------------------- */

void linked_list_init(struct linked_list_heap *h, void *start, size_t size)
{
    uintptr_t s = addr(start), top = s + size, lo = s + ((0 - s) & (U - 1));
    if (top < s || lo < s) panic("linked_list_init: region at %p of %zu bytes wraps", start, size);
    uintptr_t hi = top & ~(uintptr_t)(U - 1);
    if (hi < lo) hi = lo;
    *h = (struct linked_list_heap){.start = lo, .end = hi, .top = top};
    if (hi > lo) h->head = hole_at(lo, hi - lo, NULL);
}

/* layout_check() == LAYOUT_OK, inlined for the hot paths. */
static inline bool layout_ok(struct layout l)
{
    return l.align != 0 && (l.align & (l.align - 1)) == 0 && l.size <= SIZE_MAX - (l.align - 1);
}

/* Hole cur (below it: prev) gives up its first bytes: the rest, if any,
 * becomes a hole in its place. Returns the hole now after prev. */
static inline hole_t *take_front(struct linked_list_heap *h, hole_t *prev, hole_t *cur,
                                 size_t bytes)
{
    size_t rest = cur->size - bytes;
    hole_t *next = rest ? hole_at(addr(cur) + bytes, rest, cur->next) : cur->next;
    *link_after(h, prev) = next;
    if (h->finger == cur) h->finger = next;
    if (h->hinted) hints_replace(h, cur, prev);
    return next;
}

void *linked_list_alloc(struct linked_list_heap *h, struct layout l)
{
    if (!layout_ok(l) || l.size > h->end - h->start) return NULL;
    size_t need = block_bytes(l.size);
    hole_t *prev = NULL, *cur = h->head;
    if (need >= 2 * U) {
        /* Skip the holes too small for the class, starting after its hint. */
        unsigned c = class_of(need);
        if (h->hint[c]) prev = h->hint[c], cur = prev->next;
        while (cur != NULL && cur->size < U << c) prev = cur, cur = cur->next;
        set_hint(h, c, prev);
    }
    if (l.align <= U) {
        /* Every hole start is aligned: take the front of the first fit. */
        while (cur != NULL && cur->size < need) prev = cur, cur = cur->next;
        if (cur == NULL) return NULL;
        take_front(h, prev, cur, need);
        h->used += need;
        return cur;
    }
    for (; cur != NULL; prev = cur, cur = cur->next) {
        /* front is a multiple of U: 0, or a hole of its own. */
        size_t front = (0 - addr(cur)) & (l.align - 1);
        if (front >= cur->size || cur->size - front < need) continue;
        uintptr_t block = addr(cur) + front;
        if (front == 0) {
            take_front(h, prev, cur, need);
        } else {
            /* cur keeps the padding and only shrinks: no link or hint moves. */
            size_t rest = cur->size - front - need;
            if (rest) cur->next = hole_at(block + need, rest, cur->next);
            cur->size = front;
        }
        h->used += need;
        return (void *)block;
    }
    return NULL;
}

/* ---- dealloc and realloc --------------------------------------------------- */

/* The panic for a block that fails is_block: says which check. */
__attribute__((cold, noinline)) static noreturn void
bad_block(const struct linked_list_heap *h, void *ptr, struct layout l, const char *who)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK)
        panic("%s: %s: Layout { size: %zu, align: %zu } for %p", who, layout_error_name(e), l.size,
              l.align, ptr);
    panic("%s: invalid free of %p, Layout { size: %zu, align: %zu }: not a block of the region "
          "[%p, %p), or misaligned",
          who, ptr, l.size, l.align, (void *)h->start, (void *)h->end);
}

__attribute__((cold, noinline)) static noreturn void double_free(void *ptr, struct layout l,
                                                                 const char *who)
{
    panic("%s: double free of %p, Layout { size: %zu, align: %zu }: the block overlaps a hole "
          "(freed already, or not allocated with this layout)",
          who, ptr, l.size, l.align);
}

/* Whether ptr can be a block of layout l in h: inside the region, aligned to
 * U and to l.align, its l.size bytes below end. Since end - p is a multiple
 * of U, block_bytes(l.size) <= end - p follows. */
static inline bool is_block(const struct linked_list_heap *h, uintptr_t p, struct layout l)
{
    return layout_ok(l) && p - h->start < h->end - h->start &&
           (p & ((l.align - 1) | (U - 1))) == 0 && l.size <= h->end - p;
}

/* The last hole below p (NULL when none); *next gets the first hole above.
 * The walk starts at the finger when it lies below p, else at the head.
 * NULL - 1 is the largest address, so one compare per hole ends the walk both
 * at the list's end and at p. */
static inline hole_t *hole_before(const struct linked_list_heap *h, uintptr_t p, hole_t **next)
{
    hole_t *prev = NULL, *cur = h->head;
    if (addr(h->finger) - 1 < p - 1) prev = h->finger, cur = prev->next;
    while (addr(cur) - 1 < p - 1) prev = cur, cur = cur->next;
    *next = cur;
    return prev;
}

/* Whether [p, p + n) overlaps the hole prev below it or next above it. */
static inline bool overlaps(const hole_t *prev, const hole_t *next, uintptr_t p, size_t n)
{
    return addr(next) - 1 < p + n - 1 || (prev && addr(prev) + prev->size > p);
}

/* Make [p, p + n) a hole between prev and next (as found by hole_before),
 * merging with either when adjacent. The finger moves to that hole (so it
 * never rests on a next that the merge takes off the list). */
static inline void insert_hole(struct linked_list_heap *h, hole_t *prev, hole_t *next, uintptr_t p,
                               size_t n)
{
    hole_t *gone = NULL, *y, *before = prev;
    if (addr(next) == p + n) { /* never NULL: p + n > 0 */
        gone = next;
        n += next->size;
        next = next->next;
    }
    if (prev && addr(prev) + prev->size == p) {
        y = prev, before = NULL; /* the hole below prev is not at hand */
        prev->size += n;
        prev->next = next;
    } else {
        y = *link_after(h, prev) = hole_at(p, n, next);
    }
    h->finger = y;
    if (h->hinted) hints_after_free(h, y, before, gone);
}

void linked_list_dealloc(struct linked_list_heap *h, void *ptr, struct layout l)
{
    uintptr_t p = addr(ptr);
    if (!is_block(h, p, l)) {
        if (ptr == NULL) return;
        bad_block(h, ptr, l, "linked_list_dealloc");
    }
    size_t n = block_bytes(l.size);
    hole_t *next, *prev = hole_before(h, p, &next);
    if (overlaps(prev, next, p, n)) double_free(ptr, l, "linked_list_dealloc");
    insert_hole(h, prev, next, p, n);
    h->used -= n;
}

void *linked_list_realloc(struct linked_list_heap *h, void *ptr, struct layout l, size_t new_size)
{
    struct layout to = {new_size, l.align};
    uintptr_t p = addr(ptr);
    if (ptr == NULL) return linked_list_alloc(h, to);
    if (!is_block(h, p, l)) bad_block(h, ptr, l, "linked_list_realloc");
    if (!layout_ok(to) || new_size > h->end - h->start) return NULL;
    size_t n = block_bytes(l.size), m = block_bytes(new_size);
    hole_t *next, *prev = hole_before(h, p, &next);
    if (overlaps(prev, next, p, n)) double_free(ptr, l, "linked_list_realloc");
    if (m <= n) {
        if (m < n) insert_hole(h, prev, next, p + m, n - m);
        h->used -= n - m;
        return ptr;
    }
    if (addr(next) == p + n && next->size >= m - n) {
        /* The hole above gives its front; prev is below the block, so it is
         * the hole below next too. */
        take_front(h, prev, next, m - n);
        h->used += m - n;
        return ptr;
    }
    void *q = linked_list_alloc(h, to);
    if (q == NULL) return NULL;
    memcpy(q, ptr, l.size < new_size ? l.size : new_size);
    linked_list_dealloc(h, ptr, l);
    return q;
}

/* ---- extend, stats, check -------------------------------------------------- */

void linked_list_extend(struct linked_list_heap *h, size_t bytes)
{
    if (h->top + bytes < h->top)
        panic("linked_list_extend: top 0x%lx + %zu bytes wraps", (unsigned long)h->top, bytes);
    h->top += bytes;
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1);
    if (hi <= h->end) return;
    hole_t *last = h->finger && addr(h->finger) > addr(h->head) ? h->finger : h->head;
    while (last != NULL && last->next != NULL) last = last->next;
    uintptr_t old_end = h->end;
    h->end = hi;
    insert_hole(h, last, NULL, old_end, hi - old_end);
}

struct alloc_stats linked_list_stats(const struct linked_list_heap *h)
{
    struct alloc_stats s = {.size = h->end - h->start, .used = h->used};
    s.free = s.size - s.used;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next)
        if (cur->size > s.largest_hole) s.largest_hole = cur->size;
    return s;
}

size_t linked_list_holes(const struct linked_list_heap *h)
{
    size_t n = 0;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next) n++;
    return n;
}

size_t linked_list_check(const struct linked_list_heap *h)
{
    size_t broken = 0, free = 0, limit = (h->end - h->start) / U + 1;
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1);
    broken += (h->start & (U - 1)) != 0 || (h->end & (U - 1)) != 0;
    broken += h->end != (hi > h->start ? hi : h->start); /* end == max(start, round_down(top, U)) */
    unsigned pending = 0; /* hints not reached yet: every hole until then must be small */
    for (unsigned c = 0; c < LINKED_LIST_HINTS; c++) {
        broken += ((h->hinted >> c) & 1) != (h->hint[c] != NULL);
        if (h->hint[c]) pending |= 1u << c;
    }
    bool finger_seen = h->finger == NULL;
    uintptr_t prev_end = 0;
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next) {
        if (limit-- == 0) return broken + 1; /* a cycle, or nodes outside the region */
        uintptr_t a = addr(cur);
        broken += a < h->start || a > h->end || cur->size > h->end - a;
        broken += (a & (U - 1)) != 0 || (cur->size & (U - 1)) != 0 || cur->size < U;
        broken += cur != h->head && a <= prev_end; /* overlapping or adjacent */
        for (unsigned m = pending; m; m &= m - 1) {
            unsigned c = __builtin_ctz(m);
            broken += cur->size >= U << c;
            if (cur == h->hint[c]) pending &= ~(1u << c);
        }
        finger_seen |= cur == h->finger;
        prev_end = a + cur->size;
        free += cur->size;
    }
    broken += free + h->used != h->end - h->start;
    broken += !finger_seen;
    for (; pending; pending &= pending - 1) broken++; /* hints that are not on the list */
    return broken;
}

/* ---- as an allocator ------------------------------------------------------ */

static void *op_alloc(void *state, struct layout l)
{
    return linked_list_alloc(state, l);
}
static void op_dealloc(void *state, void *ptr, struct layout l)
{
    linked_list_dealloc(state, ptr, l);
}
static void *op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    return linked_list_realloc(state, ptr, l, new_size);
}

static const struct alloc_ops linked_list_ops = {
    .alloc = op_alloc, .dealloc = op_dealloc, .realloc = op_realloc};

struct allocator linked_list_allocator(struct linked_list_heap *h)
{
    return (struct allocator){.ops = &linked_list_ops, .state = h};
}
