/* arc: an atomically reference-counted value. The contract is in kiln/arc.h.
 *
 * Block: [padding][struct arc_header][value], as lib/rc.c: value == block +
 * offset, offset == round_up(sizeof header, align), header == value - 1.
 * Only strong is shared mutable state; the other fields are written once,
 * before the first handle exists.
 */
#include "kiln/arc.h"

#include <stdint.h>

#include "kiln/panic.h"
#include "kiln/string.h"

#define ARC_MAGIC      0x61726320616c6976ull /* "arc aliv" */
#define ARC_MAX_STRONG (SIZE_MAX / 2)

struct arc_header {
    uint64_t magic;
    size_t strong; /* only through __atomic builtins */
    arc_drop_fn drop;
    size_t offset;       /* from the block to the value */
    struct layout block; /* the layout the block was allocated with */
};

static void *make(const void *value, struct layout l, arc_drop_fn drop, bool fallible)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("arc_new: invalid layout {%zu, %zu}: %s", l.size, l.align, layout_error_name(e));
    }
    size_t hsize = sizeof(struct arc_header);
    size_t offset = (hsize + l.align - 1) & ~(l.align - 1);
    size_t align = l.align > _Alignof(struct arc_header) ? l.align : _Alignof(struct arc_header);
    struct layout block;
    if (l.size > PTRDIFF_MAX - offset || layout_new(offset + l.size, align, &block) != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("arc_new: a %zu-byte value with its header overflows a layout", l.size);
    }
    char *p = fallible ? try_kalloc(block) : kalloc(block);
    if (p == NULL) return NULL;
    struct arc_header *h = (struct arc_header *)(p + offset) - 1;
    *h = (struct arc_header){ARC_MAGIC, 1, drop, offset, block};
    memcpy(p + offset, value, l.size);
    return p + offset;
}

void *arc_new(const void *value, struct layout l, arc_drop_fn drop)
{
    return make(value, l, drop, false);
}

void *try_arc_new(const void *value, struct layout l, arc_drop_fn drop)
{
    return make(value, l, drop, true);
}

static struct arc_header *header(const void *value, const char *who)
{
    if (value == NULL) panic("%s: NULL is not an arc value", who);
    struct arc_header *h = (struct arc_header *)value - 1;
    if (h->magic != ARC_MAGIC) panic("%s: %p is not a live arc value", who, value);
    return h;
}

void *arc_clone(void *value)
{
    struct arc_header *h = header(value, "arc_clone");
    size_t old = __atomic_fetch_add(&h->strong, 1, __ATOMIC_RELAXED);
    if (old == 0 || old >= ARC_MAX_STRONG)
        panic("arc_clone: reference count %zu at %p (dropped, or leaked clones)", old, value);
    return value;
}

size_t arc_strong_count(const void *value)
{
    struct arc_header *h = header(value, "arc_strong_count");
    return __atomic_load_n(&h->strong, __ATOMIC_ACQUIRE);
}

bool arc_drop(void *value)
{
    struct arc_header *h = header(value, "arc_drop");
    size_t old = __atomic_fetch_sub(&h->strong, 1, __ATOMIC_RELEASE);
    if (old == 0) panic("arc_drop: %p dropped more often than cloned", value);
    if (old != 1) return false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (h->drop) h->drop(value);
    h->magic = 0; /* a later use of this handle panics while the memory is not reused */
    kdealloc((char *)value - h->offset, h->block);
    return true;
}
