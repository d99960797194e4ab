/* deque: a growable ring buffer. The contract is in kiln/deque.h. */
#include "kiln/deque.h"

#include "kiln/alloc.h"
#include "kiln/string.h"

struct deque deque_new(size_t elem_size, size_t elem_align)
{
    if (elem_size == 0) panic("deque_new: element size 0 (kiln has no zero-sized elements)");
    if (elem_align == 0 || (elem_align & (elem_align - 1)) != 0)
        panic("deque_new: alignment %zu is not a power of two", elem_align);
    if (elem_size % elem_align != 0)
        panic("deque_new: element size %zu is not a multiple of its alignment %zu", elem_size,
              elem_align);
    return (struct deque){.elem_size = elem_size, .elem_align = elem_align};
}

static char *slot(const struct deque *d, size_t physical)
{
    return (char *)d->buf + physical * d->elem_size;
}

/* The slot of logical index i (any i < cap, also i >= len). */
static size_t phys(const struct deque *d, size_t i)
{
    return (d->head + i) & (d->cap - 1);
}

/* Grow to the power of two new_cap > cap, keeping the logical order.
 * On failure d is unchanged. */
static enum coll_error grow_to(struct deque *d, size_t new_cap, bool fallible)
{
    struct layout nl;
    if (new_cap > PTRDIFF_MAX / d->elem_size || /* at most PTRDIFF_MAX bytes, as vec */
        layout_array(d->elem_size, d->elem_align, new_cap, &nl) != LAYOUT_OK) {
        if (!fallible) panic("deque: capacity %zu overflows", new_cap);
        return COLL_CAPACITY_OVERFLOW;
    }
    size_t old_cap = d->cap;
    char *p;
    if (d->buf == NULL)
        p = fallible ? try_heap_alloc(nl) : heap_alloc(nl);
    else {
        struct layout ol = {old_cap * d->elem_size, d->elem_align};
        p = fallible ? try_heap_realloc(d->buf, ol, nl.size) : heap_realloc(d->buf, ol, nl.size);
    }
    if (p == NULL) return COLL_ALLOC_FAILED; /* only the fallible forms return NULL */
    d->buf = p;
    d->cap = new_cap;
    /* The old contents are [head, old_cap) then [0, wrap): move one run. */
    if (d->head + d->len > old_cap) {
        size_t front_run = old_cap - d->head;
        size_t wrap = d->len - front_run;
        if (wrap <= front_run) { /* the wrapped part goes right after old_cap */
            memcpy(slot(d, old_cap), slot(d, 0), wrap * d->elem_size);
        } else { /* the front part goes to the end of the new buffer */
            size_t new_head = new_cap - front_run;
            memcpy(slot(d, new_head), slot(d, d->head), front_run * d->elem_size);
            d->head = new_head;
        }
    }
    return COLL_OK;
}

static enum coll_error reserve(struct deque *d, size_t additional, bool fallible)
{
    if (additional <= d->cap - d->len) return COLL_OK;
    size_t need = d->len + additional;
    size_t cap = d->cap ? d->cap : VEC_MIN_CAP(d->elem_size);
    while (cap < need && cap <= SIZE_MAX / 2) cap *= 2;
    if (additional > SIZE_MAX - d->len || cap < need) {
        if (!fallible) panic("deque_reserve: len %zu + %zu overflows", d->len, additional);
        return COLL_CAPACITY_OVERFLOW;
    }
    return grow_to(d, cap, fallible);
}

struct deque deque_with_capacity(size_t elem_size, size_t elem_align, size_t cap)
{
    struct deque d = deque_new(elem_size, elem_align);
    reserve(&d, cap, false);
    return d;
}

void deque_reserve(struct deque *d, size_t additional)
{
    reserve(d, additional, false);
}

enum coll_error try_deque_reserve(struct deque *d, size_t additional)
{
    return reserve(d, additional, true);
}

static enum coll_error push(struct deque *d, const void *elem, bool back, bool fallible)
{
    if (d->len == d->cap) {
        enum coll_error e = reserve(d, 1, fallible);
        if (e != COLL_OK) return e;
    }
    if (back) {
        memcpy(slot(d, phys(d, d->len)), elem, d->elem_size);
    } else {
        d->head = phys(d, d->cap - 1); /* one step back, wrapping */
        memcpy(slot(d, d->head), elem, d->elem_size);
    }
    d->len++;
    return COLL_OK;
}

void deque_push_back(struct deque *d, const void *elem)
{
    push(d, elem, true, false);
}
void deque_push_front(struct deque *d, const void *elem)
{
    push(d, elem, false, false);
}

enum coll_error try_deque_push_back(struct deque *d, const void *elem)
{
    return push(d, elem, true, true);
}

enum coll_error try_deque_push_front(struct deque *d, const void *elem)
{
    return push(d, elem, false, true);
}

bool deque_pop_back(struct deque *d, void *out)
{
    if (d->len == 0) return false;
    d->len--;
    if (out) memcpy(out, slot(d, phys(d, d->len)), d->elem_size);
    return true;
}

bool deque_pop_front(struct deque *d, void *out)
{
    if (d->len == 0) return false;
    if (out) memcpy(out, slot(d, d->head), d->elem_size);
    d->head = phys(d, 1);
    d->len--;
    return true;
}

void *deque_get(const struct deque *d, size_t i)
{
    if (i >= d->len) panic("deque_get: index %zu out of bounds (len %zu)", i, d->len);
    return slot(d, phys(d, i));
}

void *deque_front(const struct deque *d)
{
    return d->len ? slot(d, d->head) : NULL;
}

void *deque_back(const struct deque *d)
{
    return d->len ? slot(d, phys(d, d->len - 1)) : NULL;
}

void deque_clear(struct deque *d)
{
    d->len = 0;
    d->head = 0;
}

void deque_free(struct deque *d)
{
    if (d->buf) heap_dealloc(d->buf, (struct layout){d->cap * d->elem_size, d->elem_align});
    d->buf = NULL;
    d->cap = 0;
    d->len = 0;
    d->head = 0;
}
