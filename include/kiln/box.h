/* box: one value on the heap (Rust's Box<T>), lib/box.c.
 *
 * As every kiln collection (see kiln/vec.h), the core moves bytes through
 * void pointers with an explicit layout, and macros in CAPITALS add the type:
 *   struct point *p = BOX_NEW(struct point, {1, 2});
 *   BOX_FREE(p);
 * BOX_NEW allocates layout_for(T) through heap_alloc and panics through
 * alloc_error on failure; TRY_BOX_NEW returns NULL instead. BOX_FREE gives the
 * block back with the layout recomputed from the pointer's type, so a box is
 * freed through a pointer of the type it was made with.
 */
#ifndef KILN_BOX_H
#define KILN_BOX_H

#include <stddef.h>

#include "kiln/alloc.h"

/* A new block of layout l holding a copy of the l.size bytes at value.
 * Panics through alloc_error on failure (and on an invalid layout). */
void *box_new(const void *value, struct layout l);

/* As box_new, but NULL on failure or an invalid layout. */
void *try_box_new(const void *value, struct layout l);

/* Free a block made by box_new with the same layout l. NULL does nothing,
 * as dropping an Option<Box<T>> that is None. */
void box_free(void *ptr, struct layout l);

/* Typed forms: T is the type; the rest is its initializer, an expression of
 * type T or a braced list ({1, 2}). BOX_FREE takes a T *. */
#define BOX_NEW(T, ...)                                                                            \
    ({                                                                                             \
        T box_v_ = __VA_ARGS__;                                                                    \
        (T *)box_new(&box_v_, layout_for(T));                                                      \
    })
#define TRY_BOX_NEW(T, ...)                                                                        \
    ({                                                                                             \
        T box_v_ = __VA_ARGS__;                                                                    \
        (T *)try_box_new(&box_v_, layout_for(T));                                                  \
    })
#define BOX_FREE(ptr) box_free((ptr), layout_for(__typeof__(*(ptr))))

#endif
