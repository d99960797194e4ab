/* The block behind an rc or arc handle (lib/counted.c): the value, with a
 * header right below it that holds the count. Shared by lib/rc.c (plain
 * count) and lib/arc.c (atomic count); not for direct use.
 *
 *   block: [padding][struct counted_header][value]
 *   value == block + offset,  offset == round_up(sizeof header, align),
 *   header == (struct counted_header *)value - 1
 */
#ifndef KILN_COUNTED_H
#define KILN_COUNTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

struct counted_header {
    uint64_t magic; /* the owner's: tells live rc and arc values apart */
    size_t strong;  /* arc: only through __atomic builtins */
    void (*drop)(void *value);
    size_t offset;       /* from the block to the value */
    struct layout block; /* the layout the block was allocated with */
};

/* Copy value (layout l) into a new block with strong == 1. On an invalid
 * layout, a size that overflows with the header, or no memory: NULL when
 * fallible, else a panic naming who (out of memory: alloc_error). */
void *counted_new(const void *value, struct layout l, void (*drop)(void *), uint64_t magic,
                  bool fallible, const char *who);

/* The header of a value made with magic; panics naming who and kind ("rc")
 * when value is NULL or its header does not carry magic (not such a value,
 * or freed). */
struct counted_header *counted_header(const void *value, uint64_t magic, const char *kind,
                                      const char *who);

/* The last handle is gone: run drop, poison the magic (a later use of the
 * handle panics while the memory is not reused), free the block. */
void counted_free(void *value);

#endif
