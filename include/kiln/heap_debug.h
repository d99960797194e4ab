/* HEAP_DEBUG: a checking layer over any allocator (mm/alloc/heap_debug.c).
 *
 * It wraps a struct allocator, so every design gets the same checks:
 *
 *   inner block:  | header slot (H) | the caller's size bytes | redzone (R) |
 *                                   ^ ptr handed out, aligned to H
 *   H = max(16, align); the header (16 bytes, just below ptr) records size,
 *   align and a state (live / quarantined) under a checksum of all of them
 *   and of ptr; the R = HEAP_DEBUG_REDZONE bytes after the block hold a
 *   pattern.
 *
 * What it catches, each as a panic naming the pointer:
 *   - "double free of 0x...":  a free of a block in the quarantine. Freed
 *     blocks wait there (filled with HEAP_DEBUG_FREE_BYTE) before they go
 *     back to the inner allocator, HEAP_DEBUG_QUARANTINE blocks or
 *     HEAP_DEBUG_QUARANTINE_BYTES bytes at most, so a double free within
 *     that window is caught with certainty, after other allocations too;
 *   - "size mismatch: ...":   a dealloc whose layout differs from the
 *     allocation's (size or alignment, larger or smaller);
 *   - "heap overflow: ...":   a redzone byte changed, checked at free (and by
 *     heap_debug_check);
 *   - "use after free: ...":  a byte of a quarantined block changed, checked
 *     when it leaves the quarantine, before its memory can be handed out again;
 *   - "invalid free of 0x...": a pointer with no valid header (interior,
 *     never allocated, or outside every block this layer had; the last is
 *     refused before anything is read).
 * Reads after free and writes that skip the redzone are not caught.
 * realloc always moves (the old block enters the quarantine).
 *
 * Cost: H + R bytes per block, the fill and check of every freed byte, and
 * the quarantine's memory. `make HEAP_DEBUG=1` puts it over the kernel heap.
 */
#ifndef KILN_HEAP_DEBUG_H
#define KILN_HEAP_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

#define HEAP_DEBUG_REDZONE          16
#define HEAP_DEBUG_QUARANTINE       64
#define HEAP_DEBUG_QUARANTINE_BYTES (16 * 1024)
#define HEAP_DEBUG_FREE_BYTE        0xdd
#define HEAP_DEBUG_REDZONE_BYTE     0xfd

struct heap_debug_quarantined {
    void *ptr;
    struct layout layout;
};

struct heap_debug {
    struct allocator inner;
    uintptr_t lo, hi; /* spans every block handed out: [lo, hi) */
    struct heap_debug_quarantined q[HEAP_DEBUG_QUARANTINE];
    size_t q_first, q_count, q_bytes;
    size_t live; /* blocks handed out and not freed */
};

/* Wrap inner (copied): d's allocator hands out blocks from inner, checked as
 * above. inner must outlive d. */
void heap_debug_init(struct heap_debug *d, struct allocator inner);

/* The checking allocator over d. */
struct allocator heap_debug_allocator(struct heap_debug *d);

/* Give every quarantined block back to the inner allocator, checking each
 * (panics as above on a changed byte). */
void heap_debug_flush(struct heap_debug *d);

/* The number of quarantined blocks whose header, fill or redzone changed:
 * 0 when sound. Never panics, never writes. */
size_t heap_debug_check(const struct heap_debug *d);

#endif
