/* rc: a reference-counted value. The contract is in kiln/rc.h.
 *
 * Block: [padding][struct rc_header][value], with the header ending where
 * the value starts: value == block + offset, offset == round_up(sizeof
 * header, align), and header == value - sizeof header.
 */
#include "kiln/rc.h"

#include <stdint.h>

#include "kiln/panic.h"
#include "kiln/string.h"

#define RC_MAGIC 0x726320616c697665ull /* "rc alive" */

struct rc_header {
    uint64_t magic;
    size_t strong;
    rc_drop_fn drop;
    size_t offset;       /* from the block to the value */
    struct layout block; /* the layout the block was allocated with */
};

static void *make(const void *value, struct layout l, rc_drop_fn drop, bool fallible)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("rc_new: invalid layout {%zu, %zu}: %s", l.size, l.align, layout_error_name(e));
    }
    size_t hsize = sizeof(struct rc_header);
    size_t offset = (hsize + l.align - 1) & ~(l.align - 1);
    size_t align = l.align > _Alignof(struct rc_header) ? l.align : _Alignof(struct rc_header);
    struct layout block;
    if (l.size > PTRDIFF_MAX - offset || layout_new(offset + l.size, align, &block) != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("rc_new: a %zu-byte value with its header overflows a layout", l.size);
    }
    char *p = fallible ? try_kalloc(block) : kalloc(block);
    if (p == NULL) return NULL;
    struct rc_header *h = (struct rc_header *)(p + offset) - 1;
    *h = (struct rc_header){RC_MAGIC, 1, drop, offset, block};
    memcpy(p + offset, value, l.size);
    return p + offset;
}

void *rc_new(const void *value, struct layout l, rc_drop_fn drop)
{
    return make(value, l, drop, false);
}

void *try_rc_new(const void *value, struct layout l, rc_drop_fn drop)
{
    return make(value, l, drop, true);
}

static struct rc_header *header(const void *value, const char *who)
{
    if (value == NULL) panic("%s: NULL is not an rc value", who);
    struct rc_header *h = (struct rc_header *)value - 1;
    if (h->magic != RC_MAGIC || h->strong == 0) panic("%s: %p is not a live rc value", who, value);
    return h;
}

void *rc_clone(void *value)
{
    struct rc_header *h = header(value, "rc_clone");
    if (h->strong == SIZE_MAX) panic("rc_clone: reference count overflow at %p", value);
    h->strong++;
    return value;
}

size_t rc_strong_count(const void *value)
{
    return header(value, "rc_strong_count")->strong;
}

bool rc_drop(void *value)
{
    struct rc_header *h = header(value, "rc_drop");
    if (--h->strong > 0) return false;
    if (h->drop) h->drop(value);
    h->magic = 0; /* a later use of this handle panics while the memory is not reused */
    kdealloc((char *)value - h->offset, h->block);
    return true;
}
