/* binheap: a priority queue, a max-heap by a comparator (Rust's
 * BinaryHeap<T>), lib/binheap.c.
 *
 * As every kiln collection (see kiln/vec.h), elements are bytes of a fixed
 * size; the heap is a struct vec in heap order plus the comparator. For a
 * min-heap, pass a comparator with its arguments swapped (Rust's Reverse).
 * The plain operations panic through alloc_error when the allocator fails;
 * try_binheap_push returns a coll_error and leaves the heap as it was.
 *
 * Invariant (heap order): for every i > 0,
 *   cmp(elem[(i - 1) / 2], elem[i]) >= 0,
 * so elem[0] is a greatest element. Elements that compare equal come out in
 * an unspecified order.
 */
#ifndef KILN_BINHEAP_H
#define KILN_BINHEAP_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/vec.h"

/* < 0, 0, > 0 as a is less than, equal to, greater than b (as qsort's). */
typedef int (*binheap_cmp_fn)(const void *a, const void *b);

struct binheap {
    struct vec v;
    binheap_cmp_fn cmp;
};

/* An empty heap (it does not allocate). Panics as vec_new, or when cmp is
 * NULL. */
struct binheap binheap_new(size_t elem_size, size_t elem_align, binheap_cmp_fn cmp);

/* A heap holding the elements of v, which it takes over (do not use or free
 * v afterwards): heapified in place in O(n) (Rust's From<Vec<T>>). */
struct binheap binheap_from_vec(struct vec v, binheap_cmp_fn cmp);

/* Add a copy of elem: O(log n). */
void binheap_push(struct binheap *h, const void *elem);
enum coll_error try_binheap_push(struct binheap *h, const void *elem);

/* Remove a greatest element, copying it to out unless out is NULL: O(log n).
 * Returns false (and changes nothing) when the heap is empty. */
bool binheap_pop(struct binheap *h, void *out);

/* A greatest element, or NULL when the heap is empty. Valid until the heap
 * next changes; do not change it through this pointer. */
const void *binheap_peek(const struct binheap *h);

static inline size_t binheap_len(const struct binheap *h)
{
    return h->v.len;
}
static inline bool binheap_is_empty(const struct binheap *h)
{
    return h->v.len == 0;
}

/* The elements in ascending order (a heap sort in place, O(n log n)); the
 * heap is left empty and the caller owns the vec (free it with vec_free). */
struct vec binheap_into_sorted_vec(struct binheap *h);

/* len = 0; the capacity is kept. */
void binheap_clear(struct binheap *h);

/* Free the storage; h is left empty, ready for reuse. */
void binheap_free(struct binheap *h);

/* The number of places where heap order is broken: 0 for a valid heap. */
size_t binheap_check(const struct binheap *h);

#define BINHEAP_NEW(T, cmp) binheap_new(sizeof(T), _Alignof(T), (cmp))
#define BINHEAP_PUSH(h, T, ...)                                                                    \
    ({                                                                                             \
        T bh_x_ = __VA_ARGS__;                                                                     \
        vec_of_size(&(h)->v, sizeof(T));                                                           \
        binheap_push((h), &bh_x_);                                                                 \
    })
#define BINHEAP_PEEK(h, T)                                                                         \
    ({                                                                                             \
        vec_of_size(&(h)->v, sizeof(T));                                                           \
        (const T *)binheap_peek(h);                                                                \
    })

#endif
