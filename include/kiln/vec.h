/* vec: a growable array (Rust's Vec<T>), lib/vec.c.
 *
 * How kiln's collections are generic. C has no generics, so every collection
 * (vec, deque, binheap, list, btree) has one untyped core that knows only the
 * element's size and alignment and moves elements as bytes through void
 * pointers; thin macros in CAPITALS add the type on top (VEC_NEW(T),
 * VEC_PUSH(v, T, x), VEC_AT(v, T, i)) and check that sizeof(T) matches the
 * size the collection was made with. The other way, macros that stamp out one
 * copy of the code per type, was rejected: it puts whole functions inside
 * macros (hard to read, to debug and to test), and multiplies the code in the
 * kernel image for every element type. The price of the byte cores, an
 * indirect memcpy per element, does not matter at kiln's sizes.
 *
 * Memory. Every collection allocates through the global allocator's front ends
 * (heap_alloc/heap_realloc/heap_dealloc, kiln/alloc.h). The plain operations are infallible:
 * on allocation failure they panic through alloc_error, like Rust's
 * handle_alloc_error. The try_ forms return a coll_error instead and leave the
 * collection exactly as it was.
 *
 * Invariants of struct vec:
 *   len <= cap;  cap == 0  <=>  data == NULL;
 *   cap * elem_size <= PTRDIFF_MAX (as Rust's RawVec);
 *   data holds cap * elem_size bytes, allocated with the layout
 *   {cap * elem_size, elem_align};  elem_size % elem_align == 0.
 * Growth doubles the capacity, starting at VEC_MIN_CAP(elem_size) (as Rust's
 * RawVec: 8 for bytes, 4 up to 1 KiB, then 1), so each growth may move the
 * buffer to a new address. Pointers into a vec are invalidated by any call
 * that may grow or shrink it.
 */
#ifndef KILN_VEC_H
#define KILN_VEC_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/panic.h"

/* Why a try_ form of any collection failed. */
enum coll_error {
    COLL_OK = 0,
    COLL_CAPACITY_OVERFLOW, /* the new size does not fit a layout (Rust: CapacityOverflow) */
    COLL_ALLOC_FAILED,      /* the allocator returned NULL (Rust: AllocError) */
};

/* "COLL_ALLOC_FAILED", ...: the name of an error, for messages. */
const char *coll_error_name(enum coll_error e);

struct vec {
    void *data;
    size_t len;
    size_t cap;
    size_t elem_size;
    size_t elem_align;
};

#define VEC_MIN_CAP(elem_size) ((elem_size) == 1 ? 8 : (elem_size) <= 1024 ? 4 : 1)

/* An empty vec of elements of elem_size bytes aligned to elem_align. It does
 * not allocate. Panics unless elem_size > 0, elem_align is a power of two and
 * elem_size is a multiple of elem_align. */
struct vec vec_new(size_t elem_size, size_t elem_align);

/* An empty vec with room for at least cap elements (exactly cap; no
 * allocation when cap == 0). Panics as vec_new, and through alloc_error. */
struct vec vec_with_capacity(size_t elem_size, size_t elem_align, size_t cap);

/* Make room for at least additional more elements: afterwards
 * cap >= len + additional. Grows to max(2 * cap, len + additional, the
 * minimum capacity). Panics on overflow and through alloc_error. */
void vec_reserve(struct vec *v, size_t additional);
/* As vec_reserve; on failure returns the error and leaves v unchanged. */
enum coll_error try_vec_reserve(struct vec *v, size_t additional);

/* Append a copy of the elem_size bytes at elem. Panics as vec_reserve. */
void vec_push(struct vec *v, const void *elem);
/* As vec_push; on failure returns the error and leaves v unchanged. */
enum coll_error try_vec_push(struct vec *v, const void *elem);

/* Remove the last element, copying it to out unless out is NULL. Returns
 * false (and changes nothing) when v is empty. Never shrinks the buffer. */
bool vec_pop(struct vec *v, void *out);

/* The address of element i. Panics "vec_get: index I out of bounds (len N)"
 * when i >= len. Valid until v next grows or shrinks. */
void *vec_get(const struct vec *v, size_t i);

/* Overwrite element i with a copy of elem. Panics as vec_get when i >= len. */
void vec_set(struct vec *v, size_t i, const void *elem);

/* Insert a copy of elem at index i, shifting elements i.. one to the right.
 * Panics when i > len ("vec_insert: index I out of bounds (len N)"), and as
 * vec_push. */
void vec_insert(struct vec *v, size_t i, const void *elem);
/* As vec_insert; on allocation failure returns the error, v unchanged. */
enum coll_error try_vec_insert(struct vec *v, size_t i, const void *elem);

/* Remove element i, copying it to out unless out is NULL, and shift the
 * elements after it one to the left. Panics when i >= len. */
void vec_remove(struct vec *v, size_t i, void *out);

/* Remove element i by moving the last element into its place: O(1), order not
 * kept (Rust's swap_remove). Panics when i >= len. */
void vec_swap_remove(struct vec *v, size_t i, void *out);

/* Keep the first n elements (nothing happens when n >= len). */
void vec_truncate(struct vec *v, size_t n);

/* len = 0; the capacity is kept. */
void vec_clear(struct vec *v);

/* Make cap == len, moving the buffer to a smaller block (freeing it when
 * len == 0). Panics through alloc_error. */
void vec_shrink_to_fit(struct vec *v);

/* Free the buffer and leave v empty (cap == 0), ready for reuse. Elements are
 * plain bytes: to drop what they own, walk them with vec_for_each first. */
void vec_free(struct vec *v);

static inline size_t vec_len(const struct vec *v)
{
    return v->len;
}
static inline size_t vec_capacity(const struct vec *v)
{
    return v->cap;
}
static inline bool vec_is_empty(const struct vec *v)
{
    return v->len == 0;
}

/* v itself, after panicking unless its elements are elem_size bytes: the type
 * check behind the typed macros below. */
static inline struct vec *vec_of_size(struct vec *v, size_t elem_size)
{
    if (v->elem_size != elem_size)
        panic("vec: a %zu-byte type used on a vec of %zu-byte elements", elem_size, v->elem_size);
    return v;
}

/* Typed wrappers. T is the element type; the trailing argument of PUSH and
 * INSERT is the element: an expression of type T or a braced list. */
#define VEC_NEW(T)                vec_new(sizeof(T), _Alignof(T))
#define VEC_WITH_CAPACITY(T, cap) vec_with_capacity(sizeof(T), _Alignof(T), (cap))
#define VEC_AT(v, T, i)           (*(T *)vec_get(vec_of_size((v), sizeof(T)), (i)))
#define VEC_PUSH(v, T, ...)                                                                        \
    ({                                                                                             \
        T vec_x_ = __VA_ARGS__;                                                                    \
        vec_push(vec_of_size((v), sizeof(T)), &vec_x_);                                            \
    })
#define TRY_VEC_PUSH(v, T, ...)                                                                    \
    ({                                                                                             \
        T vec_x_ = __VA_ARGS__;                                                                    \
        try_vec_push(vec_of_size((v), sizeof(T)), &vec_x_);                                        \
    })
#define VEC_INSERT(v, T, i, ...)                                                                   \
    ({                                                                                             \
        T vec_x_ = __VA_ARGS__;                                                                    \
        vec_insert(vec_of_size((v), sizeof(T)), (i), &vec_x_);                                     \
    })
/* The elements as a T array (NULL when cap == 0), for slices and loops. */
#define VEC_DATA(v, T) ((T *)vec_of_size((v), sizeof(T))->data)

/* for (T *it over each element of v, in order). Do not grow or shrink v in
 * the body. */
#define vec_for_each(v, T, it)                                                                     \
    for (T *it = VEC_DATA((v), T), *it##_end_ = it ? it + (v)->len : NULL; it && it < it##_end_;   \
         it++)

#endif
