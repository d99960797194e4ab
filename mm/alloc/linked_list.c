/* The linked-list allocator: first fit over an address-sorted hole list,
 * with coalescing. blog_os post 11's "Linked List Allocator", function by
 * function, plus one layer the post does not need (Rust's compiler checks
 * every dealloc): a 16-byte sealed header below each block
 * (kiln/block_seal.h), so that a free of an interior or a foreign pointer, or
 * with the wrong size, panics instead of corrupting the list. Contracts and
 * invariants: include/kiln/linked_list.h. */
#include "kiln/block_seal.h"
#include "kiln/linked_list.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define U LINKED_LIST_UNIT
#define H BLOCK_HEADER_SIZE /* the seal header below each block */
_Static_assert(BLOCK_HEADER_SIZE % LINKED_LIST_UNIT == 0, "the header spans whole units");

/* The post's ListNode: a hole's first bytes. */
struct linked_list_hole {
    size_t size;
    struct linked_list_hole *next;
};
typedef struct linked_list_hole hole_t;

_Static_assert(sizeof(hole_t) == U, "a hole node is one unit");

static inline uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
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

/* ---- every node is checked before it is used ------------------------------ */

__attribute__((cold, noinline)) static noreturn void corrupted(const struct linked_list_heap *h,
                                                               const void *node, const char *what)
{
    panic("heap corrupted: %s at %p (linked_list region [%p, %p))", what, node, (void *)h->start,
          (void *)h->end);
}

/* The hole n, reached through a link, after checking it before any field is
 * used: n lies in [lo, end) on a multiple of U (lo: just above the previous
 * hole, so the list stays sorted and the walk ends), and its size spans whole
 * units inside the region. */
static hole_t *checked(const struct linked_list_heap *h, hole_t *n, uintptr_t lo)
{
    uintptr_t a = addr(n);
    if (a < lo || a >= h->end || (a & (U - 1)) != 0) corrupted(h, n, "hole link out of order");
    if (n->size < U || (n->size & (U - 1)) != 0 || n->size > h->end - a)
        corrupted(h, n, "hole size out of bounds");
    return n;
}

/* The first hole, and the hole after cur; NULL at the end of the list. */
static inline hole_t *first_hole(const struct linked_list_heap *h)
{
    return h->head ? checked(h, h->head, h->start) : NULL;
}
static inline hole_t *next_hole(const struct linked_list_heap *h, const hole_t *cur)
{
    return cur->next ? checked(h, cur->next, addr(cur) + cur->size + 1) : NULL;
}

/* ---- init ------------------------------------------------------------------- */

void linked_list_init(struct linked_list_heap *h, void *start, size_t size)
{
    uintptr_t s = addr(start), top = s + size, lo = s + ((0 - s) & (U - 1));
    if (top < s || lo < s) panic("linked_list_init: region at %p of %zu bytes wraps", start, size);
    uintptr_t hi = top & ~(uintptr_t)(U - 1);
    if (hi < lo) hi = lo;
    *h =
        (struct linked_list_heap){.start = lo, .end = hi, .top = top, .key = block_seal_key(h, lo)};
    if (hi > lo) h->head = hole_at(lo, hi - lo, NULL);
}

/* layout_check() == LAYOUT_OK, inlined. */
static inline bool layout_ok(struct layout l)
{
    return l.align != 0 && (l.align & (l.align - 1)) == 0 && l.size <= SIZE_MAX - (l.align - 1);
}

/* ---- the post's functions ------------------------------------------------- */

/* size_align: the bytes a block of size bytes takes, max(U, round_up(size, U)),
 * so that a freed block can always hold a node. The caller has checked
 * size <= end - start, so the rounding cannot wrap. */
static inline size_t size_align(size_t size)
{
    return size ? (size + U - 1) & ~(U - 1) : U;
}

/* The bytes a block of size bytes takes: its header and size_align(size). */
static inline size_t block_bytes(size_t size)
{
    return H + size_align(size);
}

/* alloc_from_region: whether bytes bytes fit in region with the caller's
 * pointer (alloc_start + H, past the header) aligned to align, and where the
 * block starts. The post also refuses a fit whose remainder is too small for
 * a node; in kiln every remainder is a multiple of U, so that never happens,
 * and the front padding (0, or >= U when align > U) stays a hole instead of
 * leaking. */
static bool alloc_from_region(const hole_t *region, size_t bytes, size_t align,
                              uintptr_t *alloc_start)
{
    size_t front = (0 - (addr(region) + H)) & (align - 1);
    if (front >= region->size || region->size - front < bytes) return false;
    *alloc_start = addr(region) + front;
    return true;
}

/* find_region: the first hole (from the lowest address) that fits, and the
 * hole before it in *prev; NULL when none does. */
static hole_t *find_region(struct linked_list_heap *h, size_t bytes, size_t align, hole_t **prev,
                           uintptr_t *alloc_start)
{
    *prev = NULL;
    for (hole_t *cur = first_hole(h); cur != NULL; *prev = cur, cur = next_hole(h, cur))
        if (alloc_from_region(cur, bytes, align, alloc_start)) return cur;
    return NULL;
}

/* The last hole below p (NULL when none); *next gets the first hole above. */
static hole_t *hole_before(const struct linked_list_heap *h, uintptr_t p, hole_t **next)
{
    hole_t *prev = NULL, *cur = first_hole(h);
    while (cur != NULL && addr(cur) < p) prev = cur, cur = next_hole(h, cur);
    *next = cur;
    return prev;
}

/* Whether [p, p + n) overlaps the hole prev below it or next above it. */
static inline bool overlaps(const hole_t *prev, const hole_t *next, uintptr_t p, size_t n)
{
    return (next && addr(next) < p + n) || (prev && addr(prev) + prev->size > p);
}

/* add_free_region: make [p, p + n) a hole at its place in the address order,
 * merging with the hole below and the hole above when adjacent. False (and
 * nothing changed) when the range overlaps a hole. */
static bool add_free_region(struct linked_list_heap *h, uintptr_t p, size_t n)
{
    hole_t *next, *prev = hole_before(h, p, &next);
    if (overlaps(prev, next, p, n)) return false;
    if (next && addr(next) == p + n) {
        n += next->size;
        next = next->next;
    }
    if (prev && addr(prev) + prev->size == p) {
        prev->size += n;
        prev->next = next;
    } else {
        *link_after(h, prev) = hole_at(p, n, next);
    }
    return true;
}

/* ---- alloc ------------------------------------------------------------------ */

void *linked_list_alloc(struct linked_list_heap *h, struct layout l)
{
    if (!layout_ok(l) || l.size > h->end - h->start) return NULL;
    size_t bytes = block_bytes(l.size);
    hole_t *prev;
    uintptr_t p;
    hole_t *region = find_region(h, bytes, l.align, &prev, &p);
    if (region == NULL) return NULL;
    /* Carve [p, p + bytes) out of region: the front padding keeps region's
     * node (it only shrinks), the tail becomes a hole of its own. Both stay
     * where region was in the list, so no add_free_region walk is needed. */
    size_t front = p - addr(region), back = region->size - front - bytes;
    hole_t *after = region->next;
    if (back) after = hole_at(p + bytes, back, after);
    if (front) {
        region->size = front;
        region->next = after;
    } else {
        *link_after(h, prev) = after;
    }
    h->used += bytes;
    struct block_header *hd = (struct block_header *)p;
    hd->bytes = bytes;
    hd->seal = block_seal(h->key, p + H, bytes);
    return (void *)(p + H);
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

/* The panic for a pointer whose header does not hold the live seal for
 * (ptr, bytes): says why, from what the header and the holes show. */
__attribute__((cold, noinline)) static noreturn void bad_seal(const struct linked_list_heap *h,
                                                              void *ptr, struct layout l,
                                                              size_t bytes, const char *who)
{
    uintptr_t p = addr(ptr), b = p - H;
    const struct block_header *hd = block_header_of(p);
    if (hd->seal == block_seal(h->key, p, hd->bytes))
        panic("%s: size mismatch: %p is a block of %zu bytes, freed with Layout { size: %zu, "
              "align: %zu } (%zu bytes)",
              who, ptr, hd->bytes, l.size, l.align, bytes);
    if (hd->seal == block_seal_freed(h->key, p, hd->bytes)) /* on a fixed_block list */
        panic("%s: double free of %p, Layout { size: %zu, align: %zu }: its header holds the "
              "freed seal",
              who, ptr, l.size, l.align);
    if (block_seal_overflowed(hd->seal, h->key, p, bytes))
        panic("heap corrupted: %s: the header of the block %p was overwritten (a write past the "
              "end of the block below it?)",
              who, ptr);
    hole_t *next, *prev = hole_before(h, b, &next);
    if ((prev && addr(prev) + prev->size > b) || (next && addr(next) == b))
        panic("%s: double free of %p, Layout { size: %zu, align: %zu }: it lies in a hole "
              "(freed already, or never allocated)",
              who, ptr, l.size, l.align);
    panic("%s: invalid free of %p, Layout { size: %zu, align: %zu }: no block header below it "
          "(an interior pointer, a pointer this heap never gave out, or an overwritten header)",
          who, ptr, l.size, l.align);
}

/* Whether ptr can be a block of layout l in h: its header inside the
 * region, ptr aligned to U and to l.align, its l.size bytes below end.
 * Since end - p is a multiple of U, size_align(l.size) <= end - p follows. */
static inline bool is_block(const struct linked_list_heap *h, uintptr_t p, struct layout l)
{
    uintptr_t off = p - h->start;
    return layout_ok(l) && off >= H && off < h->end - h->start &&
           (p & ((l.align - 1) | (U - 1))) == 0 && l.size <= h->end - p;
}

/* The header of the live block ptr of layout l, which takes bytes: panics
 * (as who) when ptr is not one. */
static struct block_header *live_header(const struct linked_list_heap *h, void *ptr,
                                        struct layout l, size_t bytes, const char *who)
{
    struct block_header *hd = block_header_of(addr(ptr));
    if (hd->seal != block_seal(h->key, addr(ptr), bytes)) bad_seal(h, ptr, l, bytes, who);
    return hd;
}

void linked_list_dealloc(struct linked_list_heap *h, void *ptr, struct layout l)
{
    uintptr_t p = addr(ptr);
    if (!is_block(h, p, l)) {
        if (ptr == NULL) return;
        bad_block(h, ptr, l, "linked_list_dealloc");
    }
    size_t n = block_bytes(l.size);
    live_header(h, ptr, l, n, "linked_list_dealloc")->seal = 0; /* no longer live */
    if (!add_free_region(h, p - H, n)) double_free(ptr, l, "linked_list_dealloc");
    h->used -= n;
}

bool linked_list_resize_in_place(struct linked_list_heap *h, void *ptr, struct layout l,
                                 size_t new_size)
{
    uintptr_t p = addr(ptr), b = p - H;
    if (!is_block(h, p, l)) bad_block(h, ptr, l, "linked_list_resize_in_place");
    size_t n = block_bytes(l.size);
    struct block_header *hd = live_header(h, ptr, l, n, "linked_list_resize_in_place");
    if (!layout_ok((struct layout){new_size, l.align}) || new_size > h->end - h->start)
        return false;
    size_t m = block_bytes(new_size);
    hole_t *next, *prev = hole_before(h, b, &next);
    if (overlaps(prev, next, b, n)) double_free(ptr, l, "linked_list_resize_in_place");
    if (m <= n) { /* shrink: the tail goes back */
        if (m < n) add_free_region(h, b + m, n - m);
        h->used -= n - m;
    } else {
        if (next == NULL || addr(next) != b + n || next->size < m - n) return false;
        /* grow: the hole just above gives its front */
        size_t rest = next->size - (m - n);
        hole_t *after = next->next;
        *link_after(h, prev) = rest ? hole_at(b + m, rest, after) : after;
        h->used += m - n;
    }
    hd->bytes = m;
    hd->seal = block_seal(h->key, p, m);
    return true;
}

void *linked_list_realloc(struct linked_list_heap *h, void *ptr, struct layout l, size_t new_size)
{
    struct layout to = {new_size, l.align};
    if (ptr == NULL) return linked_list_alloc(h, to);
    if (linked_list_resize_in_place(h, ptr, l, new_size)) return ptr;
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
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1), old_end = h->end;
    if (hi <= old_end) return;
    h->end = hi;
    add_free_region(h, old_end, hi - old_end); /* nothing lies above old_end: cannot overlap */
}

struct alloc_stats linked_list_stats(const struct linked_list_heap *h)
{
    struct alloc_stats s = {.size = h->end - h->start, .used = h->used};
    s.free = s.size - s.used;
    for (const hole_t *cur = first_hole(h); cur != NULL; cur = next_hole(h, cur))
        if (cur->size > s.largest_hole) s.largest_hole = cur->size;
    /* what a caller can get: the largest hole less a block's header */
    s.largest_hole = s.largest_hole > H ? s.largest_hole - H : 0;
    return s;
}

size_t linked_list_holes(const struct linked_list_heap *h)
{
    size_t n = 0;
    for (const hole_t *cur = first_hole(h); cur != NULL; cur = next_hole(h, cur)) n++;
    return n;
}

/* The blocks between the holes (the list is sound): each starts with a
 * header whose seal is live, or freed (a block on one of fixed_block's
 * lists), and whose bytes tile the gap up to the next hole exactly. A block
 * that fails counts once, and the walk goes on at the next hole; it takes
 * at most (end - start) / (H + U) steps. So a write past the end of a block
 * into its live neighbour's seal shows here, not only at that block's free. */
static size_t blocks_broken(const struct linked_list_heap *h)
{
    size_t broken = 0;
    const hole_t *hole = h->head;
    for (uintptr_t pos = h->start; pos < h->end;) {
        if (hole && addr(hole) == pos) {
            pos += hole->size;
            hole = hole->next;
            continue;
        }
        uintptr_t limit = hole ? addr(hole) : h->end;
        const struct block_header *hd = (const struct block_header *)pos;
        size_t n = limit - pos >= H ? hd->bytes : 0;
        if (n < H + U || (n & (U - 1)) != 0 || n > limit - pos ||
            (hd->seal != block_seal(h->key, pos + H, n) &&
             hd->seal != block_seal_freed(h->key, pos + H, n))) {
            broken++;
            pos = limit;
            continue;
        }
        pos += n;
    }
    return broken;
}

size_t linked_list_check(const struct linked_list_heap *h)
{
    size_t broken = 0, free = 0;
    uintptr_t hi = h->top & ~(uintptr_t)(U - 1), lo = h->start;
    broken += (h->start & (U - 1)) != 0 || (h->end & (U - 1)) != 0 || h->end < h->start;
    broken += h->end != (hi > h->start ? hi : h->start); /* end == max(start, round_down(top, U)) */
    if (broken) return broken; /* the bounds below would not mean anything */
    /* Each node is validated before it is read; addresses strictly rise by
     * at least U, so the walk takes at most (end - start) / U steps. */
    for (const hole_t *cur = h->head; cur != NULL; cur = cur->next) {
        uintptr_t a = addr(cur);
        if (a < lo || a >= h->end || (a & (U - 1)) != 0) return broken + 1; /* unsafe to read */
        if (cur->size < U || (cur->size & (U - 1)) != 0 || cur->size > h->end - a)
            return broken + 1;  /* its next cannot be trusted either */
        lo = a + cur->size + 1; /* sorted, disjoint, never adjacent */
        free += cur->size;
    }
    broken += free + h->used != h->end - h->start;
    return broken ? broken : blocks_broken(h);
}

/* ---- as an allocator ------------------------------------------------------ */

static void *linked_list_op_alloc(void *state, struct layout l)
{
    return linked_list_alloc(state, l);
}
static void linked_list_op_dealloc(void *state, void *ptr, struct layout l)
{
    linked_list_dealloc(state, ptr, l);
}
static void *linked_list_op_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    return linked_list_realloc(state, ptr, l, new_size);
}

static bool linked_list_op_resize_in_place(void *state, void *ptr, struct layout l, size_t new_size)
{
    return linked_list_resize_in_place(state, ptr, l, new_size);
}

static const struct alloc_ops linked_list_ops = {.alloc = linked_list_op_alloc,
                                                 .dealloc = linked_list_op_dealloc,
                                                 .realloc = linked_list_op_realloc,
                                                 .resize_in_place = linked_list_op_resize_in_place};

struct allocator linked_list_allocator(struct linked_list_heap *h)
{
    return (struct allocator){.ops = &linked_list_ops, .state = h};
}
