/* libkiln_heap.a: kiln's allocator designs as a Linux library (host/kiln_heap.c).
 *
 * The same pure sources as the kernel (mm/alloc/, through the registry in
 * kiln/alloc_designs.h), built with -O2 and no sanitizers. A program picks a
 * design by name and hands it memory in one of two ways:
 *
 *   - a fixed region it owns:  kiln_heap_create("linked_list", buf, n);
 *     the heap's record (a few hundred bytes, kiln_heap_overhead()) sits at
 *     the start of buf, the design manages the rest, nothing ever grows;
 *   - a reserved address range that grows through a page source
 *     (kiln/page_source.h): kiln_heap_create_mmap("linked_list", 1 << 30)
 *     reserves 1 GiB of address space with mmap and maps pages as the heap
 *     needs them; kiln_heap_create_growable() takes any other page source.
 *     Growth is the kernel heap's own logic (kiln/heap_grow.h: a step of at
 *     least the request, preferably doubling up to 4 MiB, then one retry)
 *     and needs a design with extend (bump has none).
 *
 * Every call takes the layout the block was allocated with, as the kernel's
 * interface does (kiln/alloc.h): alloc returns NULL on failure, never
 * garbage; dealloc(NULL) does nothing; realloc keeps min(old, new) bytes and
 * leaves the block intact when it fails. Misuse (a double free, a foreign
 * pointer) panics where the design can tell: this library's panic_at prints
 * "kiln: panicked at FILE:LINE: ..." on stderr and aborts.
 *
 * No locking: one heap per thread, or the caller serialises
 * (libkiln_malloc.so adds a lock).
 *
 * Link: cc prog.c -Iinclude -Ihost build/host/libkiln_heap.a
 */
#ifndef KILN_HEAP_LIB_H
#define KILN_HEAP_LIB_H

#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/alloc_designs.h"
#include "kiln/page_source.h"

struct kiln_heap;

/* The bytes at the start of a fixed region that the heap's record takes for
 * design (alignment padding excluded: up to 15 more); 0 for an unknown name. */
size_t kiln_heap_overhead(const char *design);

/* A heap of the registered design called design over [region, region + size).
 * NULL when the name is unknown or the region cannot hold the record. */
struct kiln_heap *kiln_heap_create(const char *design, void *region, size_t size);

/* A growable heap of design over the address range [base, base + reserve),
 * of which nothing needs to be backed yet: pages are asked of src as the heap
 * grows (the first ones at once, for the record). base is page-aligned.
 * NULL when the design is unknown or cannot grow, or src fails at once. */
struct kiln_heap *kiln_heap_create_growable(const char *design, uintptr_t base, size_t reserve,
                                            struct page_source src);

/* As kiln_heap_create_growable over reserve bytes of address space reserved
 * with mmap (host/mmap_source.h); undo with kiln_heap_destroy_mmap. */
struct kiln_heap *kiln_heap_create_mmap(const char *design, size_t reserve);
void kiln_heap_destroy_mmap(struct kiln_heap *h);

/* The design behind h. */
const struct alloc_design *kiln_heap_design(const struct kiln_heap *h);

/* The heap as an allocator ops table (kiln/alloc.h): a growable heap grows on
 * a failed alloc or realloc and tries again. */
struct allocator kiln_heap_allocator(struct kiln_heap *h);

/* The layout calls, as allocator_alloc & co. (kiln/alloc.h). */
void *kiln_heap_alloc(struct kiln_heap *h, size_t size, size_t align);
void kiln_heap_dealloc(struct kiln_heap *h, void *ptr, size_t size, size_t align);
void *kiln_heap_alloc_zeroed(struct kiln_heap *h, size_t size, size_t align);
void *kiln_heap_realloc(struct kiln_heap *h, void *ptr, size_t size, size_t align, size_t new_size);

/* The layout to free ptr with, when the design can tell (layout_of); false
 * when it cannot (then the caller must remember the layout). */
int kiln_heap_layout_of(const struct kiln_heap *h, const void *ptr, struct layout *out);

/* The design's statistics (free + used == size) and consistency walk (the
 * number of broken invariants; 0 when sound). */
struct alloc_stats kiln_heap_stats(const struct kiln_heap *h);
size_t kiln_heap_check(const struct kiln_heap *h);

/* The bytes of address space the heap manages now, and may grow to. */
size_t kiln_heap_mapped(const struct kiln_heap *h);
size_t kiln_heap_reserve(const struct kiln_heap *h);

#endif
