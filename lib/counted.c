#include "kiln/counted.h"

#include "kiln/panic.h"
#include "kiln/string.h"

void *counted_new(const void *value, struct layout l, void (*drop)(void *), uint64_t magic,
                  bool fallible, const char *who)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("%s: invalid layout {%zu, %zu}: %s", who, l.size, l.align, layout_error_name(e));
    }
    size_t hsize = sizeof(struct counted_header), halign = _Alignof(struct counted_header);
    size_t offset = (hsize + l.align - 1) & ~(l.align - 1);
    struct layout block;
    if (l.size > PTRDIFF_MAX - offset ||
        layout_new(offset + l.size, l.align > halign ? l.align : halign, &block) != LAYOUT_OK) {
        if (fallible) return NULL;
        panic("%s: a %zu-byte value with its header overflows a layout", who, l.size);
    }
    char *p = fallible ? try_heap_alloc(block) : heap_alloc(block);
    if (p == NULL) return NULL;
    struct counted_header *h = (struct counted_header *)(p + offset) - 1;
    *h = (struct counted_header){magic, 1, drop, offset, block};
    memcpy(p + offset, value, l.size);
    return p + offset;
}

struct counted_header *counted_header(const void *value, uint64_t magic, const char *kind,
                                      const char *who)
{
    if (value == NULL) panic("%s: NULL is not an %s value", who, kind);
    struct counted_header *h = (struct counted_header *)value - 1;
    if (h->magic != magic) panic("%s: %p is not a live %s value", who, value, kind);
    return h;
}

void counted_free(void *value)
{
    struct counted_header *h = (struct counted_header *)value - 1;
    if (h->drop) h->drop(value);
    h->magic = 0;
    heap_dealloc((char *)value - h->offset, h->block);
}
