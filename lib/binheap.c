/* binheap: a max-heap over a vec. The contract is in kiln/binheap.h. */
#include "kiln/binheap.h"

#include "kiln/panic.h"
#include "kiln/string.h"

static char *at(const struct binheap *h, size_t i)
{
    return (char *)h->v.data + i * h->v.elem_size;
}

static void swap(struct binheap *h, size_t i, size_t j)
{
    if (i == j) return; /* memcpy must not copy a block onto itself */
    char tmp[64];
    char *a = at(h, i), *b = at(h, j);
    for (size_t left = h->v.elem_size; left > 0;) {
        size_t n = left < sizeof tmp ? left : sizeof tmp;
        memcpy(tmp, a, n);
        memcpy(a, b, n);
        memcpy(b, tmp, n);
        a += n, b += n, left -= n;
    }
}

/* Restore heap order for element i, which may be greater than its parent. */
static void sift_up(struct binheap *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->cmp(at(h, parent), at(h, i)) >= 0) return;
        swap(h, parent, i);
        i = parent;
    }
}

/* Restore heap order for element i among the first n, where i may be less
 * than a child. */
static void sift_down(struct binheap *h, size_t i, size_t n)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && h->cmp(at(h, l), at(h, big)) > 0) big = l;
        if (r < n && h->cmp(at(h, r), at(h, big)) > 0) big = r;
        if (big == i) return;
        swap(h, i, big);
        i = big;
    }
}

struct binheap binheap_new(size_t elem_size, size_t elem_align, binheap_cmp_fn cmp)
{
    if (cmp == NULL) panic("binheap_new: NULL comparator");
    return (struct binheap){vec_new(elem_size, elem_align), cmp};
}

struct binheap binheap_from_vec(struct vec v, binheap_cmp_fn cmp)
{
    if (cmp == NULL) panic("binheap_from_vec: NULL comparator");
    struct binheap h = {v, cmp};
    for (size_t i = v.len / 2; i-- > 0;) sift_down(&h, i, v.len);
    return h;
}

void binheap_push(struct binheap *h, const void *elem)
{
    vec_push(&h->v, elem);
    sift_up(h, h->v.len - 1);
}

enum coll_error try_binheap_push(struct binheap *h, const void *elem)
{
    enum coll_error e = try_vec_push(&h->v, elem);
    if (e == COLL_OK) sift_up(h, h->v.len - 1);
    return e;
}

bool binheap_pop(struct binheap *h, void *out)
{
    size_t n = h->v.len;
    if (n == 0) return false;
    swap(h, 0, n - 1);
    vec_pop(&h->v, out);
    sift_down(h, 0, n - 1);
    return true;
}

const void *binheap_peek(const struct binheap *h)
{
    return h->v.len ? h->v.data : NULL;
}

struct vec binheap_into_sorted_vec(struct binheap *h)
{
    for (size_t n = h->v.len; n > 1; n--) {
        swap(h, 0, n - 1); /* the greatest of the first n goes last */
        sift_down(h, 0, n - 1);
    }
    struct vec sorted = h->v;
    h->v = vec_new(sorted.elem_size, sorted.elem_align);
    return sorted;
}

void binheap_clear(struct binheap *h)
{
    vec_clear(&h->v);
}

void binheap_free(struct binheap *h)
{
    vec_free(&h->v);
}

size_t binheap_check(const struct binheap *h)
{
    size_t broken = 0;
    for (size_t i = 1; i < h->v.len; i++)
        if (h->cmp(at(h, (i - 1) / 2), at(h, i)) < 0) broken++;
    return broken;
}
