/* Internals shared by the default allocator's files (default_heap.c: slabs
 * and the entry points; default_heap_pool.c, default_heap_aligned.c and
 * default_heap_pool.h: the pool; default_heap_check.c: the walker and the
 * statistics). Not a public interface. */
#ifndef KILN_DEFAULT_HEAP_IMPL_H
#define KILN_DEFAULT_HEAP_IMPL_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "kiln/default_heap.h"
#include "kiln/panic.h"

/* The attribute of a function that only panics: out of line and cold, so
 * that the fast paths stay small. bench/hardening_off.h (panic() made
 * unreachable, to measure what the checks cost) defines KILN_HARDENING_OFF:
 * then these inline, and the compiler deletes every check that leads to one. */
#ifdef KILN_HARDENING_OFF
#define DH_FAILS __attribute__((always_inline)) static inline
#else
#define DH_FAILS __attribute__((noinline, cold, unused)) static
#endif

#define DH_GRAIN     16u /* pool granularity and header size */
#define DH_MIN_BLOCK 32u /* header + the two free-list links */
#define DH_PAGE      DEFAULT_HEAP_PAGE

/* head: bits 0..3 flags, 4..47 size, 48..53 log2(alignment class), 56..63 checksum */
#define DH_FREE      1ull /* this block is a hole */
#define DH_SLAB      4ull /* this block is a slab page */
#define DH_SIZE_MASK 0x0000fffffffffff0ull
#define DH_FLAG_MASK 0xfull
#define DH_MAX_BLOCK (1ull << 47)

struct default_heap_block {
    size_t prev_size; /* the size of the block below while it is a hole, else 0 */
    uint64_t head;
    /* While free: the links of its list. */
    struct default_heap_block *next_free, *prev_free;
};
typedef struct default_heap_block dh_block;

/* A slab page: a DH_PAGE-byte pool block, header on a DH_PAGE boundary. Its
 * slots are found through a bitmap in the header, never through links kept
 * in the slots: a write to a freed slot cannot mislead the allocator. */
struct default_heap_slab {
    size_t prev_size; /* the pool header */
    uint64_t head;
    uintptr_t check; /* page ^ key ^ class while a slab (dh_slab_check) */
    /* Bit i of the 128 clear: a live slot starts at offset 16 i (so
     * bits off the class's slot starts, dh_slot_starts, stay set). Free
     * slots are the starts whose bit is set: one AND finds them. */
    uint64_t vacant[DH_PAGE / DH_GRAIN / 64];
    struct default_heap_slab *next, *prev; /* h->avail[cls] while listed */
    /* DH_SLAB | DH_FREE: the low byte of what a pool free of the first slot
     * would read as that block's head, so it is never taken for a live pool
     * block's header. */
    uint8_t tag;
    uint8_t cls;
    uint8_t kept; /* 1 while this page is h->empty[cls] (byte 58: host tests poke it) */
    uint8_t unused;
    /* The frees the fast path may take before the page needs the slow
     * path: live slots - 1, or live slots while kept (the kept page
     * emptying again needs nothing), + DH_SLAB_UNLISTED while full and off
     * its list. A free that takes it below 0 goes slow (one sub and js). */
    int32_t quota;
};
typedef struct default_heap_slab dh_slab;
#define DH_SLAB_HEADER   sizeof(dh_slab)
#define DH_SLAB_UNLISTED (-0x4000) /* in quota: the page is full, off its avail list */
_Static_assert(sizeof(dh_slab) % DH_GRAIN == 0, "slots stay 16-aligned");
_Static_assert(__builtin_offsetof(dh_slab, kept) == 58, "tests/host/test_default_heap_misuse.c");
_Static_assert(__builtin_offsetof(dh_slab, tag) == DH_SLAB_HEADER - DH_GRAIN + 8,
               "the head of the block a first slot would be");

/* dh_slot_starts[w][c]: bit i set when a slot of class c starts at offset
 * 16 (64 w + i). Word-major, so that the alloc fast path indexes word 0 by
 * the class as it indexes h->avail. */
extern const uint64_t dh_slot_starts[DH_PAGE / DH_GRAIN / 64][DEFAULT_HEAP_CLASSES];

static inline uintptr_t dh_addr(const void *p)
{
    return (uintptr_t)p;
}

static inline size_t dh_size(const dh_block *b)
{
    return b->head & DH_SIZE_MASK;
}

static inline unsigned dh_align_log(const dh_block *b)
{
    return (unsigned)(b->head >> 48) & 63;
}

/* The product's top byte, whose bits each depend on bits 0..55 of
 * head ^ at ^ key (the shift drops the checksum byte itself). Bits 56..63
 * hold the checksum; the rest of the value is noise that dh_set_head and
 * dh_head_ok discard. */
static inline uint64_t dh_checksum_raw(const struct default_heap *h, const void *at, uint64_t head)
{
    return ((head ^ dh_addr(at) ^ h->key) << 8) * 0x9e3779b97f4a7c15ull;
}

static inline uint64_t dh_checksum(const struct default_heap *h, const void *at, uint64_t head)
{
    return dh_checksum_raw(h, at, head) >> 56 << 56;
}

/* Write b's head: size, flags, alignment class, checksum. */
static inline void dh_set_head(const struct default_heap *h, dh_block *b, size_t size,
                               uint64_t flags, unsigned align_log)
{
    uint64_t head = size | flags | ((uint64_t)align_log << 48);
    b->head = head | dh_checksum(h, b, head);
}

/* head, read from the header at address at, carries its checksum. */
static inline bool dh_head_value_ok(const struct default_heap *h, uintptr_t at, uint64_t head)
{
    return ((head ^ dh_checksum_raw(h, (const void *)at, head)) >> 56) == 0;
}

static inline bool dh_head_ok(const struct default_heap *h, const dh_block *b)
{
    return dh_head_value_ok(h, dh_addr(b), b->head);
}

/* The end marker: a used block of size 0 at end - 16. */
static inline dh_block *dh_end_marker(const struct default_heap *h)
{
    return (dh_block *)(h->end - DH_GRAIN);
}

/* True when the region holds blocks (it is not too small). */
static inline bool dh_has_blocks(const struct default_heap *h)
{
    return h->end > h->start;
}

/* The pool block bytes for a payload of size: header + size rounded to 16. */
static inline size_t dh_need(size_t size)
{
    size_t n = ((size + DH_GRAIN - 1) & ~(size_t)(DH_GRAIN - 1)) + DH_GRAIN;
    return n < DH_MIN_BLOCK ? DH_MIN_BLOCK : n;
}

static inline unsigned dh_log2(size_t pow2)
{
    return (unsigned)__builtin_ctzll(pow2);
}

/* ---- the pool (default_heap_pool.c) ---- */
void dh_pool_init(struct default_heap *h);
void dh_pool_extend(struct default_heap *h, uintptr_t new_end);
/* A block of at least need bytes whose (address + off) is a multiple of
 * align (a power of two >= 16; off 0 or 16), in use, flags | its alignment
 * class recorded; NULL when none fits. */
dh_block *dh_pool_take(struct default_heap *h, size_t need, size_t align, size_t off,
                       uint64_t flags, unsigned align_log);
/* Return used block b to the pool, coalescing with its neighbours. */
void dh_pool_give(struct default_heap *h, dh_block *b);
/* A pool block for valid layout l (any alignment) or NULL. */
void *dh_pool_alloc(struct default_heap *h, struct layout l);
/* The same, at the bottom of its hole, so realloc may grow it in place. */
void *dh_pool_alloc_low(struct default_heap *h, struct layout l);
/* Free the pool block at payload p, checked as a dealloc with valid layout l
 * (a p that is no pool block goes to dh_free_not_pool). */
void dh_pool_free(struct default_heap *h, uintptr_t p, struct layout l);
/* The panic of a free of p that is no live pool block ("invalid free" or
 * "double free", naming who). */
noreturn void dh_pool_bad_pointer(const struct default_heap *h, uintptr_t p, const char *who);
/* dh_pool_free's way out for p that is no live pool block: a slab slot
 * freed with another class's layout, NULL (nothing), or the panic. */
void dh_free_not_pool(struct default_heap *h, uintptr_t p, struct layout l);
/* The panic of a dealloc whose layout is not the block's (an invalid layout
 * is named as such). */
DH_FAILS noreturn void dh_size_mismatch(uintptr_t p, struct layout l, size_t real,
                                        size_t real_align)
{
    enum layout_error e = layout_check(l);
    if (e != LAYOUT_OK)
        panic("default_heap_dealloc: %s: Layout { size: %zu, align: %zu } for 0x%lx",
              layout_error_name(e), l.size, l.align, (unsigned long)p);
    panic("size mismatch: free of 0x%lx with Layout { size: %zu, align: %zu }, but the block "
          "holds %zu bytes at align %zu",
          (unsigned long)p, l.size, l.align, real, real_align);
}
/* What dh_pool_resize did. */
enum dh_resize {
    DH_RESIZED,   /* the block now holds new_size bytes, in place */
    DH_MUST_MOVE, /* nothing changed: the block cannot hold new_size bytes in place */
    DH_NOT_POOL,  /* p is no live pool block (only its header was read) */
};
/* Resize the live pool block at payload p, checked against valid layout l
 * as dh_pool_free checks it (a mismatch panics), to new_size bytes in place:
 * shrunk, or grown into the hole above. *block: the block, unless
 * DH_NOT_POOL (then the caller looks for a slab slot, or panics). */
enum dh_resize dh_pool_resize(struct default_heap *h, uintptr_t p, struct layout l, size_t new_size,
                              dh_block **block);
/* Realloc ptr, of valid layout l, to new_size bytes ({new_size, l.align}
 * valid): a live pool block (checked as dh_pool_free checks it) resized in
 * place, or moved by dh_realloc_move; anything else goes to
 * dh_realloc_not_pool. */
void *dh_pool_realloc(struct default_heap *h, void *ptr, struct layout l, size_t new_size);
/* Move the live block at ptr, of layout l and already checked (pool block
 * b, or a slab slot when b is NULL), to a new block of new_size bytes, and
 * free it (default_heap.c). NULL (ptr untouched) when none can be had. */
void *dh_realloc_move(struct default_heap *h, void *ptr, struct layout l, size_t new_size,
                      dh_block *b);
/* dh_pool_realloc's way out for a ptr that is no live pool block: a slab
 * slot, or the panic (default_heap.c). */
void *dh_realloc_not_pool(struct default_heap *h, void *ptr, struct layout l, size_t new_size);
/* The pool block whose payload is ptr, validated (in the region, checksum,
 * in use, not a slab); panics "invalid free" / "double free" naming who. */
dh_block *dh_pool_block_of(const struct default_heap *h, uintptr_t ptr, const char *who);

/* ---- slabs (default_heap.c) ---- */
/* The check word of a slab page of class cls at page: a pointer's page
 * whose header holds it is a slab page of that class (a block's own data
 * would have to forge a keyed word to pass). */
static inline uintptr_t dh_slab_check(const struct default_heap *h, uintptr_t page, uintptr_t cls)
{
    return page ^ h->key ^ cls;
}

/* The page p would belong to if it were a slab slot, or NULL when that page
 * lies outside the slab range (reading its header is then not safe). */
static inline dh_slab *dh_slab_page(const struct default_heap *h, uintptr_t p)
{
    uintptr_t page = p & ~(uintptr_t)(DH_PAGE - 1);
    return (page - h->slab_lo) / DH_GRAIN < h->slab_grains ? (dh_slab *)page : NULL;
}

/* p's offset in the slab range in grains, rotated right by 4 bits: below
 * h->slab_grains exactly when p is 16-aligned (its low bits land on top)
 * and its page lies in the slab range. Its low 7 bits are then the grain of
 * p in its page (slab_lo is a multiple of DH_PAGE): the index of p's bit in
 * the page's vacant bitmap. One test for two checks of the free fast path. */
static inline uintptr_t dh_slab_grain(const struct default_heap *h, uintptr_t p)
{
    uintptr_t off = p - h->slab_lo;
    return off >> 4 | off << (sizeof off * 8 - 4);
}

/* The check word of page s as read: while s is no slab page, these bytes
 * may lie inside another live block, which its owner writes without the
 * heap lock (tests/host/tsan.supp names this function). The word is
 * compared, never trusted. */
static inline uintptr_t dh_slab_word(const dh_slab *s)
{
    return s->check;
}

/* The slab page holding p, or NULL when p is not in one. */
static inline dh_slab *dh_slab_of(const struct default_heap *h, uintptr_t p)
{
    dh_slab *s = dh_slab_page(h, p);
    if (!s) return NULL;
    unsigned cls = s->cls; /* read as the check word is (tests/host/tsan.supp) */
    return cls < DEFAULT_HEAP_CLASSES && dh_slab_word(s) == dh_slab_check(h, dh_addr(s), cls)
               ? s
               : NULL;
}

/* p is a live slot of s: 16-aligned, and its vacant bit is clear. */
static inline bool dh_slot_live(const dh_slab *s, uintptr_t p)
{
    size_t i = (p >> 4) & (DH_PAGE / DH_GRAIN - 1);
    return !(p & (DH_GRAIN - 1)) && !(s->vacant[i >> 6] >> (i & 63) & 1);
}

/* What h->avail[c] holds while no page of class c is listed: a page header
 * with no vacant bit, so the alloc fast path finds it full with no test for
 * NULL. Read-only: never linked, written or freed. */
extern const dh_slab dh_no_page;
#define DH_NO_PAGE ((dh_slab *)&dh_no_page)

/* The first page on class c's avail list, or NULL. */
static inline dh_slab *dh_avail_first(const struct default_heap *h, unsigned c)
{
    return h->avail[c] == DH_NO_PAGE ? NULL : h->avail[c];
}

/* Release every kept empty slab page to the pool; true when any went. */
bool dh_slab_flush(struct default_heap *h);

/* Size classes. */
extern const uint8_t dh_class_of[DEFAULT_HEAP_SMALL_MAX / DH_GRAIN + 1];
extern const uint16_t dh_class_size[DEFAULT_HEAP_CLASSES];

#endif
