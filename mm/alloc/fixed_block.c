/* The fixed-size block allocator: one free list per power-of-two block size,
 * the linked-list allocator behind them. Contracts: include/kiln/fixed_block.h. */
#include "kiln/fixed_block.h"
#include "kiln/panic.h"

/* A free block's first word (the post's ListNode). */
struct fixed_block_node {
    struct fixed_block_node *next;
};
typedef struct fixed_block_node node_t;

/* The post's list_index: the list of the smallest block size >=
 * max(size, align), or -1 when none is large enough (the fallback's). */
static inline int list_index(struct layout l)
{
    size_t need = l.size > l.align ? l.size : l.align;
    if (need > FIXED_BLOCK_MAX) return -1;
    if (need <= 8) return 0;
    return (int)(sizeof(long) * 8 - __builtin_clzl(need - 1)) - 3;
}

/* The fallback's bytes behind one block of list i: the block size, but at
 * least the fallback's unit (an 8-byte block takes 16 on x86_64). */
static inline size_t footprint(unsigned i)
{
    size_t s = fixed_block_size(i);
    return s < LINKED_LIST_UNIT ? LINKED_LIST_UNIT : s;
}

void fixed_block_init(struct fixed_block_heap *f, void *start, size_t size)
{
    for (unsigned i = 0; i < FIXED_BLOCK_CLASSES; i++) f->head[i] = NULL;
    f->cached = 0;
    linked_list_init(&f->fallback, start, size);
}

void *fixed_block_alloc(struct fixed_block_heap *f, struct layout l)
{
    if (layout_check(l) != LAYOUT_OK) return NULL;
    int i = list_index(l);
    if (i < 0) return linked_list_alloc(&f->fallback, l);
    node_t *n = f->head[i];
    if (n != NULL) {
        uintptr_t a = (uintptr_t)n, s = fixed_block_size(i);
        /* the node was written by a free; a use-after-free write may have
         * changed its link: check it before it becomes the head */
        uintptr_t next = (uintptr_t)n->next;
        if (next != 0 && (next - f->fallback.start >= f->fallback.end - f->fallback.start ||
                          (next & (s - 1)) != 0))
            panic("heap corrupted: fixed_block list %d link %p in the free block at %p", i, n->next,
                  (void *)a);
        f->head[i] = n->next;
        f->cached -= footprint(i);
        return n;
    }
    /* An empty list: a new block from the fallback, aligned to its size so
     * that it serves any layout of its list. */
    size_t s = fixed_block_size(i);
    return linked_list_alloc(&f->fallback, (struct layout){s, s});
}

__attribute__((cold, noinline)) static noreturn void
misuse(const struct fixed_block_heap *f, void *ptr, struct layout l, const char *what)
{
    panic("fixed_block_dealloc: %s of %p, Layout { size: %zu, align: %zu } (region [%p, %p))", what,
          ptr, l.size, l.align, (void *)f->fallback.start, (void *)f->fallback.end);
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
    uintptr_t p = (uintptr_t)ptr, s = fixed_block_size(i);
    const struct linked_list_heap *r = &f->fallback;
    if (p - r->start >= r->end - r->start || s > r->end - p) misuse(f, ptr, l, "invalid free");
    /* Every block of list i is aligned to 8 << i: a pointer that is not is
     * an interior pointer, or a block of a smaller list freed with a layout
     * of a larger one. Either way the pointer's low bits tell which. */
    if ((p & (s - 1)) != 0) {
        if ((p & 7) != 0) misuse(f, ptr, l, "invalid free");
        misuse(f, ptr, l, "size mismatch (or interior pointer)");
    }
    if (f->head[i] == ptr) misuse(f, ptr, l, "double free");
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
        size_t s = fixed_block_size(i), limit = (r->end - r->start) / s;
        for (const node_t *n = f->head[i]; n != NULL; n = n->next) {
            uintptr_t a = (uintptr_t)n;
            /* validated before it is read; at most limit blocks fit */
            if (a - r->start >= r->end - r->start || s > r->end - a || (a & (s - 1)) != 0 ||
                limit-- == 0) {
                broken++;
                lost = true;
                break;
            }
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
