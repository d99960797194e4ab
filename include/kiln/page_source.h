/* Where a growing heap gets its memory: the one boundary between the pure
 * growth logic (shared by the kernel heap and the hosted libraries) and the
 * machine. The kernel implements it with frames and paging_map_to
 * (mm/heap.c), the host with mmap (host/).
 */
#ifndef KILN_PAGE_SOURCE_H
#define KILN_PAGE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SOURCE_PAGE 4096u

struct page_source {
    void *ctx;
    /* Back [at, at + bytes) with writable memory; at and bytes are multiples
     * of PAGE_SOURCE_PAGE. True on success; on failure nothing of the range
     * stays backed (no half-mapped page is left behind). */
    bool (*map)(void *ctx, uintptr_t at, size_t bytes);
};

#endif
