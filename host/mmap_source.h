/* The host's page source (host/mmap_source.c): address space reserved with
 * mmap, backed page by page with mprotect as a heap grows. The kernel's
 * counterpart maps frames with paging_map_to (mm/heap.c); both meet at
 * struct page_source (kiln/page_source.h).
 */
#ifndef KILN_MMAP_SOURCE_H
#define KILN_MMAP_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/page_source.h"

/* Reserve bytes (a multiple of PAGE_SOURCE_PAGE) of address space, none of it
 * accessible or charged to the process yet. Its page-aligned start, or 0 when
 * mmap refuses. */
uintptr_t mmap_source_reserve(size_t bytes);

/* Give a reservation back (every page of it, backed or not). */
void mmap_source_release(uintptr_t base, size_t bytes);

/* The page source that backs ranges of a reservation with readable and
 * writable zero-filled memory. */
struct page_source mmap_source(void);

#endif
