/* deque: a growable ring buffer, a double-ended queue (Rust's VecDeque<T>),
 * lib/deque.c.
 *
 * As every kiln collection (see kiln/vec.h), the core moves elements as bytes
 * of a size and alignment fixed at deque_new; macros in CAPITALS add the type.
 * The plain operations panic through alloc_error when the allocator fails; the
 * try_ forms return a coll_error and leave the deque as it was.
 *
 * Invariants of struct deque:
 *   cap == 0 (buf == NULL) or cap is a power of two (buf holds cap elements,
 *   allocated with the layout {cap * elem_size, elem_align});
 *   len <= cap;  head < cap when cap > 0;
 *   logical element i (0 <= i < len) lives in slot (head + i) & (cap - 1).
 * Growth doubles cap (from 4, or VEC_MIN_CAP) and keeps the logical order,
 * moving the shorter of the two wrapped runs.
 */
#ifndef KILN_DEQUE_H
#define KILN_DEQUE_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/panic.h"
#include "kiln/vec.h" /* enum coll_error, VEC_MIN_CAP */

struct deque {
    void *buf;
    size_t head;
    size_t len;
    size_t cap;
    size_t elem_size;
    size_t elem_align;
};

/* An empty deque (it does not allocate). Panics unless elem_size > 0,
 * elem_align is a power of two and elem_size is a multiple of elem_align. */
struct deque deque_new(size_t elem_size, size_t elem_align);

/* An empty deque with room for at least cap elements (cap rounded up to a
 * power of two). Panics through alloc_error. */
struct deque deque_with_capacity(size_t elem_size, size_t elem_align, size_t cap);

/* Make room for additional more elements: cap >= len + additional. */
void deque_reserve(struct deque *d, size_t additional);
enum coll_error try_deque_reserve(struct deque *d, size_t additional);

/* Add a copy of elem at the back / at the front. */
void deque_push_back(struct deque *d, const void *elem);
void deque_push_front(struct deque *d, const void *elem);
enum coll_error try_deque_push_back(struct deque *d, const void *elem);
enum coll_error try_deque_push_front(struct deque *d, const void *elem);

/* Remove the back / front element, copying it to out unless out is NULL.
 * Return false (and change nothing) when d is empty. */
bool deque_pop_back(struct deque *d, void *out);
bool deque_pop_front(struct deque *d, void *out);

/* The address of logical element i (0 is the front). Panics
 * "deque_get: index I out of bounds (len N)" when i >= len. */
void *deque_get(const struct deque *d, size_t i);

/* The front / back element, or NULL when d is empty. */
void *deque_front(const struct deque *d);
void *deque_back(const struct deque *d);

/* len = 0; cap is kept. */
void deque_clear(struct deque *d);

/* Free the buffer; d is left empty with cap == 0, ready for reuse. */
void deque_free(struct deque *d);

static inline size_t deque_len(const struct deque *d)
{
    return d->len;
}
static inline size_t deque_capacity(const struct deque *d)
{
    return d->cap;
}
static inline bool deque_is_empty(const struct deque *d)
{
    return d->len == 0;
}

/* d itself, after panicking unless its elements are elem_size bytes. */
static inline struct deque *deque_of_size(struct deque *d, size_t elem_size)
{
    if (d->elem_size != elem_size)
        panic("deque: a %zu-byte type used on a deque of %zu-byte elements", elem_size,
              d->elem_size);
    return d;
}

/* Typed wrappers: T is the element type, the trailing argument an expression
 * of type T or a braced list. */
#define DEQUE_NEW(T)      deque_new(sizeof(T), _Alignof(T))
#define DEQUE_AT(d, T, i) (*(T *)deque_get(deque_of_size((d), sizeof(T)), (i)))
#define DEQUE_PUSH_BACK(d, T, ...)                                                                 \
    ({                                                                                             \
        T dq_x_ = __VA_ARGS__;                                                                     \
        deque_push_back(deque_of_size((d), sizeof(T)), &dq_x_);                                    \
    })
#define DEQUE_PUSH_FRONT(d, T, ...)                                                                \
    ({                                                                                             \
        T dq_x_ = __VA_ARGS__;                                                                     \
        deque_push_front(deque_of_size((d), sizeof(T)), &dq_x_);                                   \
    })

#endif
