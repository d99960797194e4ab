/* The Dummy allocator (mm/alloc/dummy.c): the blog's first global allocator.
 *
 * It has no region: every alloc returns NULL, so every infallible front end
 * reaches alloc_error. Nothing can come from it, so a dealloc into it panics
 * with "dealloc should be never called".
 */
#ifndef KILN_ALLOC_DUMMY_H
#define KILN_ALLOC_DUMMY_H

#include "kiln/alloc.h"

/* The Dummy as an allocator; it has no state. */
struct allocator dummy_allocator(void);

#endif
