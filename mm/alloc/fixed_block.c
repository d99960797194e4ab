/* The fixed-size block allocator: one free list per power-of-two block size,
 * the linked-list allocator behind them. kiln's one addition to the post's
 * design: every block carries the fallback's 16-byte sealed header
 * (kiln/block_seal.h), marked freed while the block is on a list, because C
 * has no borrow checker to prove that dealloc gets a live block of its
 * size. Contracts and costs: include/kiln/fixed_block.h. */
#include "kiln/fixed_block.h"
#include "kiln/block_seal.h"
#include "kiln/panic.h"

/* A free block's first word (the post's ListNode). */
struct fixed_block_node {
    struct fixed_block_node *next;
};
typedef struct fixed_block_node node_t;

/* The post's list_index: the list of the smallest block size >=
 * max(size, align), or -1 when none is large enough (the fallback's).
 * Layouts aligned to more than U go to the fallback too (see the header). */
static inline int list_index(struct layout l)
{
    size_t need = l.size > l.align ? l.size : l.align;
    if (need > FIXED_BLOCK_MAX || l.align > FIXED_BLOCK_ALIGN) return -1;
    if (need <= 8) return 0;
    return (int)(sizeof(long) * 8 - __builtin_clzl(need - 1)) - 3;
}

/* The fallback's bytes behind one block of list i: its header and the
 * block size, at least the fallback's unit (an 8-byte block takes 16 + 16
 * on x86_64). This is the bytes word of the block's header. */
static inline size_t footprint(unsigned i)
{
    size_t s = fixed_block_size(i);
    return BLOCK_HEADER_SIZE + (s < LINKED_LIST_UNIT ? LINKED_LIST_UNIT : s);
}

void fixed_block_init(struct fixed_block_heap *f, void *start, size_t size)
{
    for (unsigned i = 0; i < FIXED_BLOCK_CLASSES; i++) f->head[i] = NULL;
    f->cached = 0;
    linked_list_init(&f->fallback, start, size);
}

/* Whether a block of list i at a could be in the region: its header
 * inside, its bytes below end, aligned to the fallback's unit. */
static inline bool in_region(const struct linked_list_heap *r, uintptr_t a, unsigned i)
{
    uintptr_t off = a - r->start;
    return off >= BLOCK_HEADER_SIZE && off < r->end - r->start &&
           fixed_block_size(i) <= r->end - a && (a & (FIXED_BLOCK_ALIGN - 1)) == 0;
}

__attribute__((cold, noinline)) static noreturn void
corrupted_list(const struct fixed_block_heap *f, unsigned i, const void *n, const char *what)
{
    panic("heap corrupted: fixed_block list %u: %s at %p (region [%p, %p))", i, what, n,
          (void *)f->fallback.start, (void *)f->fallback.end);
}

void *fixed_block_alloc(struct fixed_block_heap *f, struct layout l)
{
    if (layout_check(l) != LAYOUT_OK) return NULL;
    int i = list_index(l);
    if (i < 0) return linked_list_alloc(&f->fallback, l);
    node_t *n = f->head[i];
    uint64_t key = f->fallback.key;
    if (n != NULL) {
        uintptr_t a = (uintptr_t)n, next = (uintptr_t)n->next;
        struct block_header *hd = block_header_of(a);
        /* the node and its header were written by a free; an overflow or a
         * use-after-free write may have changed them: check both before the
         * link becomes the head */
        if (hd->seal != block_seal_freed(key, a, footprint(i)))
            corrupted_list(f, i, n, "a free block's header overwritten");
        if (next != 0 && !in_region(&f->fallback, next, i))
            corrupted_list(f, i, n, "a link out of the region, in the free block");
        f->head[i] = n->next;
        f->cached -= footprint(i);
        hd->seal = block_seal(key, a, footprint(i)); /* live again */
        return n;
    }
    /* An empty list: a new block from the fallback, aligned to U, so that it
     * serves any layout of its list. Its header is the fallback's. */
    return linked_list_alloc(&f->fallback, (struct layout){fixed_block_size(i), FIXED_BLOCK_ALIGN});
}

/* A dealloc whose header is not the live seal of its list: which misuse. */
__attribute__((cold, noinline)) static noreturn void misuse(const struct fixed_block_heap *f,
                                                            void *ptr, struct layout l, int i)
{
    const struct linked_list_heap *r = &f->fallback;
    uintptr_t p = (uintptr_t)ptr;
    const char *what = "invalid free";
    if (in_region(r, p, (unsigned)i)) {
        const struct block_header *hd = block_header_of(p);
        if (hd->seal == block_seal(r->key, p, hd->bytes)) {
            panic("fixed_block_dealloc: size mismatch: %p is a block of %zu bytes (header "
                  "included), freed with Layout { size: %zu, align: %zu } (list %d: %zu bytes)",
                  ptr, hd->bytes, l.size, l.align, i, footprint((unsigned)i));
        }
        if (hd->seal == block_seal_freed(r->key, p, hd->bytes)) what = "double free";
        if (block_seal_overflowed(hd->seal, r->key, p, footprint((unsigned)i)))
            panic("heap corrupted: fixed_block_dealloc: the header of the block %p was "
                  "overwritten (a write past the end of the block below it?)",
                  ptr);
    }
    panic("fixed_block_dealloc: %s of %p, Layout { size: %zu, align: %zu } (region [%p, %p))", what,
          ptr, l.size, l.align, (void *)r->start, (void *)r->end);
}

void fixed_block_dealloc(struct fixed_block_heap *f, void *ptr, struct layout l)
{
    if (ptr == NULL) return;
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK)
        panic("fixed_block_dealloc: %s: Layout { size: %zu, align: %zu } for %p",
              layout_error_name(e), l.size, l.align, ptr);
    int i = list_index(l);
    if (i < 0) {
        linked_list_dealloc(&f->fallback, ptr, l);
        return;
    }
    /* The block's header must hold the live seal of a block of list i:
     * anything else is an interior or foreign pointer (invalid free), a
     * block of another size (size mismatch) or one on a list already
     * (double free). The address is checked first, so the header read
     * stays inside the region. */
    uintptr_t p = (uintptr_t)ptr;
    uint64_t key = f->fallback.key;
    if (!in_region(&f->fallback, p, (unsigned)i)) misuse(f, ptr, l, i);
    struct block_header *hd = block_header_of(p);
    if (hd->seal != block_seal(key, p, footprint(i))) misuse(f, ptr, l, i);
    hd->seal = block_seal_freed(key, p, footprint(i));
    node_t *n = ptr;
    n->next = f->head[i];
    f->head[i] = n;
    f->cached += footprint(i);
}

void fixed_block_extend(struct fixed_block_heap *f, size_t bytes)
{
    linked_list_extend(&f->fallback, bytes);
}

struct alloc_stats fixed_block_stats(const struct fixed_block_heap *f)
{
    struct alloc_stats s = linked_list_stats(&f->fallback);
    s.used -= f->cached;
    s.free += f->cached;
    return s;
}

size_t fixed_block_check(const struct fixed_block_heap *f)
{
    const struct linked_list_heap *r = &f->fallback;
    size_t broken = linked_list_check(r), sum = 0;
    bool lost = false; /* a list that could not be walked: its sum is unknown */
    for (unsigned i = 0; i < FIXED_BLOCK_CLASSES; i++) {
        size_t limit = (r->end - r->start) / footprint(i);
        for (const node_t *n = f->head[i]; n != NULL; n = n->next) {
            uintptr_t a = (uintptr_t)n;
            /* validated before it is read; at most limit blocks fit */
            if (!in_region(r, a, i) || limit-- == 0) {
                broken++;
                lost = true;
                break;
            }
            /* a free block keeps the freed seal of its list's size */
            broken += block_header_of(a)->seal != block_seal_freed(r->key, a, footprint(i));
            sum += footprint(i);
        }
    }
    broken += (!lost && sum != f->cached) || f->cached > r->used;
    return broken;
}

static void *fixed_block_op_alloc(void *state, struct layout l)
{
    return fixed_block_alloc(state, l);
}
static void fixed_block_op_dealloc(void *state, void *ptr, struct layout l)
{
    fixed_block_dealloc(state, ptr, l);
}

static const struct alloc_ops fixed_block_ops = {.alloc = fixed_block_op_alloc,
                                                 .dealloc = fixed_block_op_dealloc};

struct allocator fixed_block_allocator(struct fixed_block_heap *f)
{
    return (struct allocator){.ops = &fixed_block_ops, .state = f};
}
