/* rc: a reference-counted value, single-threaded (Rust's Rc<T>), lib/rc.c.
 * For values shared across CPUs or with interrupt handlers, see kiln/arc.h.
 *
 * As every kiln collection (see kiln/vec.h), the core takes the value as
 * bytes with a layout, and macros in CAPITALS add the type. A handle is a
 * pointer to the value itself, so it reads as a T * (Rc<T> derefs to T):
 *   struct point *p = RC_NEW(struct point, point_drop, {1, 2});
 *   struct point *q = rc_clone(p);            // p == q, count 2
 *   rc_drop(q);                               // count 1
 *   rc_drop(p);                               // point_drop(p), then freed
 * One block holds a header (the count, the destructor, the block's layout)
 * right below the value. Invariant: strong >= 1 while the value is alive;
 * the destructor runs exactly once, when strong goes from 1 to 0, and the
 * block is freed right after it. There are no weak references.
 */
#ifndef KILN_RC_H
#define KILN_RC_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc.h"

/* Called with the value when the last reference is dropped, before the block
 * is freed: it releases what the value owns, not the value itself. */
typedef void (*rc_drop_fn)(void *value);

/* A new value with count 1, a copy of the l.size bytes at value, aligned to
 * l.align. drop may be NULL. Returns the value's address. Panics on an invalid
 * layout and through alloc_error. */
void *rc_new(const void *value, struct layout l, rc_drop_fn drop);

/* As rc_new, but NULL on allocation failure or an invalid layout. */
void *try_rc_new(const void *value, struct layout l, rc_drop_fn drop);

/* One more reference: count + 1. Returns value. Panics when value is not a
 * live rc value (as far as a magic number can tell) and on count overflow. */
void *rc_clone(void *value);

/* The number of references (Rc::strong_count). Panics as rc_clone. */
size_t rc_strong_count(const void *value);

/* Drop one reference: count - 1. At 0, runs the destructor and frees the
 * block; returns true then (value is gone), false otherwise. Panics as
 * rc_clone. */
bool rc_drop(void *value);

/* Typed form: T is the type, drop an rc_drop_fn (or NULL), the rest the
 * initializer: an expression of type T or a braced list. */
#define RC_NEW(T, drop, ...)                                                                       \
    ({                                                                                             \
        T rc_v_ = __VA_ARGS__;                                                                     \
        (T *)rc_new(&rc_v_, layout_for(T), (drop));                                                \
    })
#define TRY_RC_NEW(T, drop, ...)                                                                   \
    ({                                                                                             \
        T rc_v_ = __VA_ARGS__;                                                                     \
        (T *)try_rc_new(&rc_v_, layout_for(T), (drop));                                            \
    })

#endif
