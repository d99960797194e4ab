/* The kernel heap (mm/heap.c): the blog's allocator.rs, grown on demand.
 *
 * HEAP_SIZE bytes of virtual memory at HEAP_START, backed page by page by
 * frames, managed by one allocator design from the registry
 * (kiln/alloc_designs.h): `make ALLOCATOR=NAME` picks it at build time,
 * alloc=NAME on the command line at boot. heap_init wraps it in an
 * interrupt-safe spinlock (so interrupt handlers may allocate too; the blog
 * forbids that, tests/kernel/heap_interrupts.c proves kiln allows it) and
 * makes it the global allocator. This is the one place that names the
 * kernel's allocator.
 *
 * When an allocation fails and the design can extend (linked_list,
 * fixed_block, default), the heap maps more pages right after its region
 * and retries once (kiln/heap_grow.h), up to heap_max bytes (HEAP_MAX, or
 * heap_max=SIZE on the command line). At heap_max or out of frames the try_
 * forms get NULL and the infallible ones the allocation-error panic.
 */
#ifndef KILN_HEAP_H
#define KILN_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/frame.h"
#include "kiln/paging.h"

#define HEAP_START 0x0000444444440000ull
#define HEAP_SIZE  (100 * 1024)

/* Bytes the layers above the design add to every block (alignment up to 16):
 * 0, or under make HEAP_DEBUG=1 the debug layer's header slot and redzone.
 * Tests that bound heap_stats().used per block add it. */
#ifdef HEAP_DEBUG
#include "kiln/heap_debug.h"
#define HEAP_BLOCK_OVERHEAD (16 + HEAP_DEBUG_REDZONE)
#else
#define HEAP_BLOCK_OVERHEAD 0
#endif
#define HEAP_MAX       (64ull << 20) /* the default limit of growth */
#define HEAP_MAX_LIMIT (64ull << 30) /* the most heap_max= may ask for */

/* Read alloc=NAME and heap_max=SIZE (K, M, G suffixes) from the command
 * line; call before heap_init. An unknown design or a bad size panics with
 * the option's text. */
void heap_set_cmdline(const char *cmdline);

/* Map every page of [HEAP_START, HEAP_START + HEAP_SIZE) PRESENT | WRITABLE
 * to a frame from frames, then initialise the chosen design over the region
 * and make it the global allocator; later growth takes frames from the same
 * source. Prints "heap: NAME allocator, 100 KiB at 0x444444440000". On a map
 * error, undo the pages mapped so far (their frames go back to frames),
 * leave the global allocator as it was and return the error; the caller
 * panics with "heap initialization failed: ...". */
enum map_error heap_init(struct frame_source frames);

/* Whether heap_init has succeeded. */
bool heap_ready(void);

/* The name of the heap's design ("linked_list", ...). */
const char *heap_design(void);

/* The limit of growth in bytes, and a way for tests to lower it. */
size_t heap_max_bytes(void);
void heap_set_max(size_t bytes);

/* The heap's statistics and its consistency walk (0: sound), under the lock.
 * Before heap_init: all zero. */
struct alloc_stats heap_stats(void);
size_t heap_check(void);

struct heap_growth {
    size_t mapped;  /* bytes of the region backed so far */
    size_t max;     /* the limit */
    size_t grows;   /* successful growths */
    size_t refused; /* growths refused (at max, or out of frames) */
};
struct heap_growth heap_growth(void);

/* The longest span, in TSC cycles, that the heap kept interrupts off (from
 * a lock taken with interrupts on to its release). */
uint64_t heap_irq_off_max_cycles(void);
void heap_irq_off_reset(void);

#endif
