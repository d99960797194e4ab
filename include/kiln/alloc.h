/* The allocator interface, after Rust's GlobalAlloc, and a map of the heap.
 *
 * Glossary (see ../docs/heap.md):
 *   region  the bytes an allocator manages, handed to it by its caller;
 *   block   one allocation;  hole  a free block;
 *   layout  {size, align}: the argument of every allocation.
 *
 * Which file implements which part:
 *   struct layout, layout_*          mm/alloc/layout.c
 *   struct allocator, allocator_*    mm/alloc/allocator.c (dispatch + defaults)
 *   global_*, heap_*, try_heap_*,
 *   alloc_error                      mm/alloc/global.c (the global slot)
 *   kmalloc, kfree & co.             mm/alloc/kmalloc.c (header in front)
 *   the designs                      mm/alloc/{bump,linked_list,fixed_block,
 *                                    default_heap}.c, picked by name through
 *                                    kiln/alloc_designs.h (mm/alloc/designs.c)
 *   growth on demand                 mm/alloc/heap_grow.c (kiln/heap_grow.h)
 *   the kernel heap                  mm/heap.c (kiln/heap.h): maps the pages,
 *                                    locks, installs the global allocator
 *
 * Which free goes with which alloc (never mix the families):
 *   heap_alloc, heap_alloc_zeroed,
 *   heap_realloc, try_heap_*         ->  heap_dealloc(ptr, the same layout)
 *   kmalloc, kmalloc_aligned, kcalloc,
 *   krealloc, try_k*                 ->  kfree(ptr)
 *   a design's own *_alloc           ->  that design's *_dealloc (same layout)
 * heap_* take a layout and store nothing per block; k* store a 16-byte header
 * so that kfree needs no size. A kmalloc pointer passed to heap_dealloc (or a
 * heap_alloc pointer to kfree) is a bug that kfree's header check catches
 * only in one direction.
 *
 * A layout is valid when align is a power of two (so never 0) and
 * size + (align - 1) does not overflow. layout_new() checks both; every entry
 * point below checks again, because in C nothing else does.
 *
 * An allocator is an ops table over its own state. alloc returns NULL on
 * failure, never garbage; dealloc receives the layout the block was allocated
 * with. alloc_zeroed, realloc and resize_in_place may be left NULL: the
 * defaults are alloc + memset and alloc + copy + dealloc.
 *
 * This header and mm/alloc/ are pure C: they also build for the host.
 */
#ifndef KILN_ALLOC_H
#define KILN_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct layout {
    size_t size;
    size_t align;
};

enum layout_error {
    LAYOUT_OK = 0,
    LAYOUT_ALIGN_ZERO,
    LAYOUT_ALIGN_NOT_POWER_OF_TWO,
    LAYOUT_SIZE_OVERFLOW,
};

/* The layout of one T, and of n T's (the latter checked: see layout_array). */
#define layout_for(T) ((struct layout){sizeof(T), _Alignof(T)})

/* "LAYOUT_ALIGN_ZERO", ...: the name of an error, for messages. */
const char *layout_error_name(enum layout_error e);

/* Why l is not a valid layout, or LAYOUT_OK: the first rule it breaks, in
 * the order align zero, align not a power of two, size overflow. Inline,
 * because every allocation path asks it (mm/alloc/layout.c has the rest). */
static inline enum layout_error layout_check(struct layout l)
{
    if (l.align == 0) return LAYOUT_ALIGN_ZERO;
    if (l.align & (l.align - 1)) return LAYOUT_ALIGN_NOT_POWER_OF_TWO;
    if (l.size > SIZE_MAX - (l.align - 1)) return LAYOUT_SIZE_OVERFLOW;
    return LAYOUT_OK;
}

/* The checked constructor: fills *out only when {size, align} is valid. */
enum layout_error layout_new(size_t size, size_t align, struct layout *out);

/* The layout of n elements of elem_size bytes: LAYOUT_SIZE_OVERFLOW when
 * n * elem_size overflows, otherwise as layout_new. */
enum layout_error layout_array(size_t elem_size, size_t align, size_t n, struct layout *out);

struct alloc_ops {
    void *(*alloc)(void *state, struct layout layout);
    void (*dealloc)(void *state, void *ptr, struct layout layout);
    void *(*alloc_zeroed)(void *state, struct layout layout);
    void *(*realloc)(void *state, void *ptr, struct layout layout, size_t new_size);
    /* Make the block new_size bytes without moving it: true when done,
     * false (nothing changed) when it cannot. Lets a caller that must not
     * copy under its lock (mm/heap.c) keep in-place growth. */
    bool (*resize_in_place)(void *state, void *ptr, struct layout layout, size_t new_size);
};

struct allocator {
    const struct alloc_ops *ops;
    void *state;
};

/* What an allocator reports of its region. Invariant: free + used == size. */
struct alloc_stats {
    size_t size;
    size_t used;
    size_t free;
    size_t largest_hole;
};

/* Dispatch through an allocator's ops, filling in the defaults. An invalid
 * layout makes alloc, alloc_zeroed and realloc return NULL, and dealloc panic.
 * realloc keeps min(old, new) bytes; on failure (also when {new_size, align}
 * is not a valid layout) it returns NULL and the old block stays valid.
 * realloc(NULL, layout, n) allocates {n, layout.align}; dealloc(NULL, ...)
 * does nothing. The defaults cost a memset (alloc_zeroed) and a copy of
 * min(old, new) bytes (realloc). */
void *allocator_alloc(const struct allocator *a, struct layout layout);
void allocator_dealloc(const struct allocator *a, void *ptr, struct layout layout);
void *allocator_alloc_zeroed(const struct allocator *a, struct layout layout);
void *allocator_realloc(const struct allocator *a, void *ptr, struct layout layout,
                        size_t new_size);

/* The global allocator: the one slot that holds what everything in kiln
 * allocates from (Rust's #[global_allocator]); mm/heap.c fills it. Until one
 * is set, every allocation fails. The set copies *a. The front ends below
 * (heap_*, try_heap_*, kmalloc & co.) all go through it. */
void global_alloc_set(const struct allocator *a);
const struct allocator *global_allocator(void);

/* The allocation-error handler of the infallible front ends: panics with
 * "allocation error: Layout { size: N, align: M }". */
noreturn void alloc_error(struct layout layout);

/* Front ends with a layout, through the global allocator, with
 * allocator_alloc & co.'s contracts. heap_alloc, heap_alloc_zeroed and
 * heap_realloc panic through alloc_error on failure (heap_realloc with
 * {new_size, layout.align}); the try_ forms return NULL. */
void *heap_alloc(struct layout layout);
void *heap_alloc_zeroed(struct layout layout);
void *heap_realloc(void *ptr, struct layout layout, size_t new_size);
void heap_dealloc(void *ptr, struct layout layout);
void *try_heap_alloc(struct layout layout);
void *try_heap_alloc_zeroed(struct layout layout);
void *try_heap_realloc(void *ptr, struct layout layout, size_t new_size);

/* C-style front ends: kfree takes no size. Each block carries a 16-byte
 * header just below the pointer that records its size and alignment, so kfree
 * can rebuild the layout (mm/alloc/kmalloc.c). The cost is 16 bytes per block
 * for alignments up to 16, and align bytes for larger ones (the pointer stays
 * aligned, so the header takes a whole aligned slot).
 * kmalloc memory is aligned to 16; kmalloc_aligned to max(16, align).
 * kfree(NULL) and krealloc(NULL, n) behave as in C; kmalloc(0) returns a
 * unique pointer and krealloc(p, 0) a zero-size block (it does not free).
 * A kfree, krealloc or kmalloc_size of a pointer whose header fails its check
 * panics with "kfree: invalid pointer 0x..." (or krealloc:, kmalloc_size:),
 * without reading below the lowest block kmalloc ever had; a kfree of a block
 * freed (or moved away from by krealloc) before its memory is handed out
 * again panics with "kfree: double free of 0x..." (mm/alloc/kmalloc.c says
 * how; after reuse only HEAP_DEBUG=1's quarantine catches it). */
void *kmalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align);
void *kcalloc(size_t n, size_t size);
void *krealloc(void *ptr, size_t size);
void kfree(void *ptr);
void *try_kmalloc(size_t size);
void *try_kmalloc_aligned(size_t size, size_t align);
void *try_kcalloc(size_t n, size_t size);
void *try_krealloc(void *ptr, size_t size);
/* The usable size of a kmalloc block (the size it was asked for). */
size_t kmalloc_size(const void *ptr);

#endif
