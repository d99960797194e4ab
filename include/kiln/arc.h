/* arc: an atomically reference-counted value (Rust's Arc<T>), lib/arc.c.
 *
 * The same contract as kiln/rc.h, but the count is updated with atomic
 * read-modify-write operations, so handles to one value may be cloned and
 * dropped concurrently on several CPUs or in interrupt handlers. The value
 * itself is not protected: share only what is immutable or has its own lock.
 * Ordering: a clone is relaxed (it needs an existing reference); a drop
 * releases, and the dropper that takes the count to 0 acquires before it runs
 * the destructor, so every other dropper's writes to the value are visible to
 * the destructor. Invariant: strong >= 1 while the value is alive; the
 * destructor runs exactly once.
 */
#ifndef KILN_ARC_H
#define KILN_ARC_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc.h"

/* Called with the value when the last reference is dropped, before the block
 * is freed: it releases what the value owns, not the value itself. */
typedef void (*arc_drop_fn)(void *value);

/* A new value with count 1, a copy of the l.size bytes at value. drop may be
 * NULL. Returns the value's address. Panics on an invalid layout and through
 * alloc_error. */
void *arc_new(const void *value, struct layout l, arc_drop_fn drop);

/* As arc_new, but NULL on allocation failure or an invalid layout. */
void *try_arc_new(const void *value, struct layout l, arc_drop_fn drop);

/* One more reference (atomic count + 1). Returns value. Panics when value is
 * not a live arc value and when the count passes SIZE_MAX / 2 (which only a
 * leak of clones can reach, as Rust's isize::MAX abort). */
void *arc_clone(void *value);

/* The number of references at the time of the call (Arc::strong_count): only
 * a hint while other CPUs hold handles. Panics as arc_clone. */
size_t arc_strong_count(const void *value);

/* Drop one reference (atomic count - 1). The caller that takes it to 0 runs
 * the destructor, frees the block and gets true; the others get false.
 * Panics as arc_clone. */
bool arc_drop(void *value);

/* Typed form: T is the type, drop an arc_drop_fn (or NULL), the rest the
 * initializer: an expression of type T or a braced list. */
#define ARC_NEW(T, drop, ...)                                                                      \
    ({                                                                                             \
        T arc_v_ = __VA_ARGS__;                                                                    \
        (T *)arc_new(&arc_v_, layout_for(T), (drop));                                              \
    })
#define TRY_ARC_NEW(T, drop, ...)                                                                  \
    ({                                                                                             \
        T arc_v_ = __VA_ARGS__;                                                                    \
        (T *)try_arc_new(&arc_v_, layout_for(T), (drop));                                          \
    })

#endif
