/* The misuse guard's bitmaps. Contracts: malloc_guard.h. */
#include "malloc_guard.h"

#include <string.h>
#include <sys/mman.h>

#include "die.h"

#define G    MALLOC_GUARD_GRANULE
#define PAGE PAGE_SOURCE_PAGE

/* The bytes of one bitmap covering reserve bytes of heap, page-rounded. */
static size_t bitmap_bytes(size_t reserve)
{
    size_t n = reserve / G / 8;
    return (n + PAGE - 1) & ~(size_t)(PAGE - 1);
}

bool malloc_guard_init(struct malloc_guard *g, uintptr_t base, size_t reserve,
                       struct page_source heap_pages)
{
    size_t n = bitmap_bytes(reserve);
    void *m = mmap(NULL, 2 * n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return false;
    *g = (struct malloc_guard){.base = base,
                               .limit = base + reserve,
                               .live = m,
                               .freed = (uint64_t *)((char *)m + n),
                               .heap_pages = heap_pages};
    return true;
}

/* Back the bitmap bytes of both maps that cover heap bytes [at, at + bytes). */
static bool map_bits(struct malloc_guard *g, uintptr_t at, size_t bytes)
{
    size_t lo = (at - g->base) / G / 8, hi = (at + bytes - g->base + G * 8 - 1) / G / 8;
    lo &= ~(size_t)(PAGE - 1);
    hi = (hi + PAGE - 1) & ~(size_t)(PAGE - 1);
    int rw = PROT_READ | PROT_WRITE;
    return mprotect((char *)g->live + lo, hi - lo, rw) == 0 &&
           mprotect((char *)g->freed + lo, hi - lo, rw) == 0;
}

static bool guard_map(void *ctx, uintptr_t at, size_t bytes)
{
    struct malloc_guard *g = ctx;
    return map_bits(g, at, bytes) && g->heap_pages.map(g->heap_pages.ctx, at, bytes);
}

struct page_source malloc_guard_pages(struct malloc_guard *g)
{
    return (struct page_source){.ctx = g, .map = guard_map};
}

static inline size_t granule(const struct malloc_guard *g, uintptr_t p)
{
    return (p - g->base) / G;
}

/* Every bit operation is atomic: the thread caches of host/malloc.c set and
 * clear bits outside the heap lock, beside other threads' updates of the
 * same words. */
static inline bool bit(const uint64_t *map, size_t i)
{
    return (__atomic_load_n(&map[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1;
}

static inline void set_bit(uint64_t *map, size_t i)
{
    __atomic_fetch_or(&map[i / 64], 1ull << (i % 64), __ATOMIC_RELAXED);
}

/* Clear bit i; whether it was set. */
static inline bool take_bit(uint64_t *map, size_t i)
{
    return (__atomic_fetch_and(&map[i / 64], ~(1ull << (i % 64)), __ATOMIC_RELAXED) >> (i % 64)) &
           1;
}

/* Clear bits [lo, hi) of map: one atomic AND for each partial word at
 * the ends; the whole words in between belong to one new block's span,
 * which nothing else touches. */
static void clear_range(uint64_t *map, size_t lo, size_t hi)
{
    if (lo >= hi) return;
    size_t first = lo / 64, last = (hi - 1) / 64;
    uint64_t head = ~0ull << (lo % 64), tail = ~0ull >> (63 - (hi - 1) % 64);
    if (first == last) {
        __atomic_fetch_and(&map[first], ~(head & tail), __ATOMIC_RELAXED);
        return;
    }
    __atomic_fetch_and(&map[first], ~head, __ATOMIC_RELAXED);
    if (last > first + 1) memset(&map[first + 1], 0, (last - first - 1) * 8);
    __atomic_fetch_and(&map[last], ~tail, __ATOMIC_RELAXED);
}

void malloc_guard_clear_span(struct malloc_guard *g, uintptr_t lo, uintptr_t hi)
{
    clear_range(g->freed, granule(g, lo), granule(g, hi + G - 1));
}

void malloc_guard_on_alloc(struct malloc_guard *g, uintptr_t p, uintptr_t lo, uintptr_t hi)
{
    malloc_guard_clear_span(g, lo, hi);
    set_bit(g->live, granule(g, p));
}

void malloc_guard_reuse(struct malloc_guard *g, uintptr_t p)
{
    take_bit(g->freed, granule(g, p));
    set_bit(g->live, granule(g, p));
}

static inline bool inside(const struct malloc_guard *g, uintptr_t p)
{
    return p - g->base < g->limit - g->base && p % G == 0;
}

bool malloc_guard_live(const struct malloc_guard *g, uintptr_t p)
{
    return inside(g, p) && bit(g->live, granule(g, p));
}

static noreturn void misuse(const struct malloc_guard *g, uintptr_t p, const char *who)
{
    bool freed = inside(g, p) && bit(g->freed, granule(g, p));
    if (freed && who[0] == 'f' && who[1] == 'r')
        kiln_die("double free of 0x%lx (%s)", (unsigned long)p, who);
    if (freed) kiln_die("%s of a freed block 0x%lx", who, (unsigned long)p);
    kiln_die("invalid %s of 0x%lx: not a block from this heap (foreign, interior or misaligned)",
             who, (unsigned long)p);
}

void malloc_guard_expect_live(const struct malloc_guard *g, uintptr_t p, const char *who)
{
    if (!malloc_guard_live(g, p)) misuse(g, p, who);
}

void malloc_guard_on_free(struct malloc_guard *g, uintptr_t p)
{
    size_t i = granule(g, p);
    take_bit(g->live, i);
    set_bit(g->freed, i);
}

void malloc_guard_take(struct malloc_guard *g, uintptr_t p, const char *who)
{
    if (!inside(g, p) || !take_bit(g->live, granule(g, p))) misuse(g, p, who);
    set_bit(g->freed, granule(g, p));
}
