/* The kernel heap (mm/heap.c): the blog's allocator.rs.
 *
 * HEAP_SIZE bytes of virtual memory at HEAP_START, backed page by page by
 * frames, managed by the global allocator that heap_init installs. This is
 * the one place that chooses the kernel's allocator: kiln's linked-list
 * allocator (mm/alloc/linked_list.c), wrapped in an interrupt-safe spinlock
 * so that interrupt handlers may allocate too (the blog forbids that; kiln
 * allows it, and tests/kernel/heap_interrupts.c proves it).
 */
#ifndef KILN_HEAP_H
#define KILN_HEAP_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc.h"
#include "kiln/frame.h"
#include "kiln/paging.h"

#define HEAP_START 0x0000444444440000ull
#define HEAP_SIZE  (100 * 1024)

/* Map every page of [HEAP_START, HEAP_START + HEAP_SIZE) PRESENT | WRITABLE
 * to a frame from frames, then initialise the allocator over the region and
 * make it the global allocator. On a map error, undo the pages mapped so far
 * (their frames go back to frames), leave the global allocator as it was and
 * return the error; the caller panics with "heap initialization failed: ...". */
enum map_error heap_init(struct frame_source frames);

/* Whether heap_init has succeeded. */
bool heap_ready(void);

/* The heap's statistics and its consistency walk (0: sound), under the lock. */
struct alloc_stats heap_stats(void);
size_t heap_check(void);

#endif
