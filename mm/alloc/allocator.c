/* Dispatch through an allocator's ops table, with the defaults filled in.
 *
 * Every entry point checks its layout here, once, so the designs behind the
 * ops may assume a valid layout (they still check on their own public entry
 * points, which callers may use directly).
 */
#include "kiln/alloc.h"
#include "kiln/panic.h"
#include "kiln/string.h"

/* a's alloc on a valid layout; NULL for an invalid one or when a fails. */
void *allocator_alloc(const struct allocator *a, struct layout layout)
{
    if (layout_check(layout) != LAYOUT_OK) return NULL;
    return a->ops->alloc(a->state, layout);
}

/* Return ptr, allocated from a with layout, to a. NULL does nothing. An
 * invalid layout panics with the error's name: the caller's bookkeeping is
 * broken and the block cannot be returned safely. */
void allocator_dealloc(const struct allocator *a, void *ptr, struct layout layout)
{
    if (ptr == NULL) return;
    enum layout_error e = layout_check(layout);
    if (e != LAYOUT_OK)
        panic("allocator_dealloc: %s: Layout { size: %zu, align: %zu } for %p",
              layout_error_name(e), layout.size, layout.align, ptr);
    a->ops->dealloc(a->state, ptr, layout);
}

/* As allocator_alloc, with the block's layout.size bytes set to zero. The
 * default costs a memset over the whole block. */
void *allocator_alloc_zeroed(const struct allocator *a, struct layout layout)
{
    if (layout_check(layout) != LAYOUT_OK) return NULL;
    if (a->ops->alloc_zeroed) return a->ops->alloc_zeroed(a->state, layout);
    void *p = a->ops->alloc(a->state, layout);
    if (p) memset(p, 0, layout.size);
    return p;
}

/* Resize ptr (allocated with layout) to new_size bytes at the same alignment,
 * keeping min(layout.size, new_size) bytes. Returns the block, which may have
 * moved; NULL when layout or {new_size, layout.align} is invalid or memory
 * runs out, and then ptr stays valid and untouched. A NULL ptr is an alloc of
 * {new_size, layout.align}. The default costs a copy of min(old, new) bytes. */
void *allocator_realloc(const struct allocator *a, void *ptr, struct layout layout, size_t new_size)
{
    struct layout grown = {new_size, layout.align};
    if (layout_check(layout) != LAYOUT_OK || layout_check(grown) != LAYOUT_OK) return NULL;
    if (ptr == NULL) return a->ops->alloc(a->state, grown);
    if (a->ops->realloc) return a->ops->realloc(a->state, ptr, layout, new_size);
    if (a->ops->resize_in_place && a->ops->resize_in_place(a->state, ptr, layout, new_size))
        return ptr;
    void *q = a->ops->alloc(a->state, grown);
    if (q == NULL) return NULL;
    memcpy(q, ptr, layout.size < new_size ? layout.size : new_size);
    a->ops->dealloc(a->state, ptr, layout);
    return q;
}
