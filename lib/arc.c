/* arc: an atomically reference-counted value. The contract is in kiln/arc.h;
 * the block layout in kiln/counted.h. Only strong is shared mutable state;
 * the other fields are written once, before the first handle exists. */
#include "kiln/arc.h"

#include <stdint.h>

#include "kiln/counted.h"
#include "kiln/panic.h"

#define ARC_MAGIC      0x61726320616c6976ull /* "arc aliv" */
#define ARC_MAX_STRONG (SIZE_MAX / 2)

void *arc_new(const void *value, struct layout l, arc_drop_fn drop)
{
    return counted_new(value, l, drop, ARC_MAGIC, false, "arc_new");
}

void *try_arc_new(const void *value, struct layout l, arc_drop_fn drop)
{
    return counted_new(value, l, drop, ARC_MAGIC, true, "try_arc_new");
}

static struct counted_header *header(const void *value, const char *who)
{
    return counted_header(value, ARC_MAGIC, "arc", who);
}

void *arc_clone(void *value)
{
    struct counted_header *h = header(value, "arc_clone");
    size_t old = __atomic_fetch_add(&h->strong, 1, __ATOMIC_RELAXED);
    if (old == 0 || old >= ARC_MAX_STRONG)
        panic("arc_clone: reference count %zu at %p (dropped, or leaked clones)", old, value);
    return value;
}

size_t arc_strong_count(const void *value)
{
    struct counted_header *h = header(value, "arc_strong_count");
    return __atomic_load_n(&h->strong, __ATOMIC_ACQUIRE);
}

bool arc_drop(void *value)
{
    struct counted_header *h = header(value, "arc_drop");
    size_t old = __atomic_fetch_sub(&h->strong, 1, __ATOMIC_RELEASE);
    if (old == 0) panic("arc_drop: %p dropped more often than cloned", value);
    if (old != 1) return false;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    counted_free(value);
    return true;
}
