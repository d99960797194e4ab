/* HEAP_DEBUG: redzones, a freed-memory pattern and a quarantine over any
 * allocator. Contract and layout: include/kiln/heap_debug.h.
 *
 * Invariants, for every block b handed out or quarantined:
 *   header(b).check == seal(b, header(b).size, align_shift, state)
 *   redzone bytes == HEAP_DEBUG_REDZONE_BYTE
 *   quarantined: every byte of the block == HEAP_DEBUG_FREE_BYTE
 *   q_bytes == the sum of the quarantined blocks' sizes
 */
#include "kiln/heap_debug.h"

#include "kiln/panic.h"
#include "kiln/string.h"

#define SLOT_MIN    16u
#define LIVE        0x4c49u /* "LI" */
#define QUARANTINED 0x5155u /* "QU" */
#define SEAL_KEY    0x6b696c6e64626721ull

struct header {
    uint64_t size;
    uint16_t align_shift; /* log2 of the alignment the caller asked for */
    uint16_t state;
    uint32_t check;
};
_Static_assert(sizeof(struct header) == SLOT_MIN, "the header fills the smallest slot");

static uint32_t seal(uintptr_t p, uint64_t size, uint16_t align_shift, uint16_t state)
{
    uint64_t x = (p ^ SEAL_KEY) * 0x9e3779b97f4a7c15ull;
    x ^= (size + ((uint64_t)align_shift << 48 | (uint64_t)state << 32)) * 0xc2b2ae3d27d4eb4full;
    x ^= x >> 29;
    return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

static struct header *header_at(uintptr_t p)
{
    return (struct header *)p - 1;
}

static uint16_t log2_of(size_t pow2)
{
    uint16_t s = 0;
    while (((size_t)1 << s) != pow2) s++;
    return s;
}

static size_t slot_of(size_t align)
{
    return align < SLOT_MIN ? SLOT_MIN : align;
}

/* The inner layout of a block of size bytes at align. */
static struct layout inner_layout(size_t size, size_t align)
{
    size_t slot = slot_of(align);
    return (struct layout){slot + size + HEAP_DEBUG_REDZONE, slot};
}

static void set_header(uintptr_t p, uint64_t size, uint16_t align_shift, uint16_t state)
{
    struct header *h = header_at(p);
    h->size = size;
    h->align_shift = align_shift;
    h->state = state;
    h->check = seal(p, size, align_shift, state);
}

static bool header_sound(uintptr_t p)
{
    const struct header *h = header_at(p);
    return h->align_shift < sizeof(size_t) * 8 &&
           (p & (slot_of((size_t)1 << h->align_shift) - 1)) == 0 &&
           (h->state == LIVE || h->state == QUARANTINED) &&
           h->check == seal(p, h->size, h->align_shift, h->state);
}

/* The first byte in [p, p + n) that is not b, or NULL. */
static const uint8_t *first_not(const void *p, size_t n, uint8_t b)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        if (s[i] != b) return s + i;
    return NULL;
}

/* The header of p, after checking that p may have one: inside [lo, hi) (so
 * nothing outside the blocks this layer had is read), aligned, sealed. */
static struct header *checked_header(const struct heap_debug *d, void *ptr, const char *who)
{
    uintptr_t p = (uintptr_t)ptr;
    if ((p & (SLOT_MIN - 1)) != 0 || p < SLOT_MIN || p - SLOT_MIN < d->lo || p > d->hi ||
        !header_sound(p))
        panic("%s: invalid free of %p: no heap_debug block starts there (interior, never "
              "allocated, or its header was overwritten)",
              who, ptr);
    return header_at(p);
}

static void check_redzone(uintptr_t p, const struct header *h, const char *who)
{
    const uint8_t *bad =
        first_not((void *)(p + h->size), HEAP_DEBUG_REDZONE, HEAP_DEBUG_REDZONE_BYTE);
    if (bad)
        panic("%s: heap overflow: byte %zu past the end of the %llu-byte block %p was written", who,
              (size_t)(bad - (const uint8_t *)(p + h->size)), (unsigned long long)h->size,
              (void *)p);
}

/* Hand the oldest quarantined block back to the inner allocator, after
 * checking that nothing wrote to it while it was free. */
static void release_oldest(struct heap_debug *d)
{
    struct heap_debug_quarantined e = d->q[d->q_first];
    uintptr_t p = (uintptr_t)e.ptr;
    if (!header_sound(p) || header_at(p)->state != QUARANTINED)
        panic("use after free: the header of the freed block %p was overwritten", e.ptr);
    const uint8_t *bad = first_not(e.ptr, e.layout.size, HEAP_DEBUG_FREE_BYTE);
    if (bad)
        panic("use after free: byte %zu of the freed %zu-byte block %p was written",
              (size_t)(bad - (const uint8_t *)e.ptr), e.layout.size, e.ptr);
    check_redzone(p, header_at(p), "heap_debug");
    d->q_first = (d->q_first + 1) % HEAP_DEBUG_QUARANTINE;
    d->q_count--;
    d->q_bytes -= e.layout.size;
    size_t slot = slot_of(e.layout.align);
    allocator_dealloc(&d->inner, (void *)(p - slot), inner_layout(e.layout.size, e.layout.align));
}

void heap_debug_flush(struct heap_debug *d)
{
    while (d->q_count > 0) release_oldest(d);
}

static void *debug_alloc(void *state, struct layout l)
{
    struct heap_debug *d = state;
    size_t slot = slot_of(l.align);
    if (l.size > SIZE_MAX - slot - HEAP_DEBUG_REDZONE) return NULL;
    struct layout in = inner_layout(l.size, l.align);
    void *base = allocator_alloc(&d->inner, in);
    if (base == NULL && d->q_count > 0) { /* the quarantine's memory is the caller's first */
        heap_debug_flush(d);
        base = allocator_alloc(&d->inner, in);
    }
    if (base == NULL) return NULL;
    uintptr_t p = (uintptr_t)base + slot;
    set_header(p, l.size, log2_of(l.align), LIVE);
    memset((void *)(p + l.size), HEAP_DEBUG_REDZONE_BYTE, HEAP_DEBUG_REDZONE);
    if ((uintptr_t)base < d->lo) d->lo = (uintptr_t)base;
    if ((uintptr_t)base + in.size > d->hi) d->hi = (uintptr_t)base + in.size;
    d->live++;
    return (void *)p;
}

static void debug_dealloc(void *state, void *ptr, struct layout l)
{
    struct heap_debug *d = state;
    struct header *h = checked_header(d, ptr, "heap_debug dealloc");
    if (h->state == QUARANTINED)
        panic("double free of %p: freed already and still in the quarantine (Layout { size: "
              "%zu, align: %zu })",
              ptr, l.size, l.align);
    if (h->size != l.size || h->align_shift != log2_of(l.align))
        panic("size mismatch: free of %p with Layout { size: %zu, align: %zu }, but it was "
              "allocated with Layout { size: %llu, align: %zu }",
              ptr, l.size, l.align, (unsigned long long)h->size, (size_t)1 << h->align_shift);
    check_redzone((uintptr_t)ptr, h, "heap_debug dealloc");
    memset(ptr, HEAP_DEBUG_FREE_BYTE, l.size);
    set_header((uintptr_t)ptr, l.size, h->align_shift, QUARANTINED);
    d->live--;
    if (d->q_count == HEAP_DEBUG_QUARANTINE) release_oldest(d);
    size_t tail = (d->q_first + d->q_count) % HEAP_DEBUG_QUARANTINE;
    d->q[tail] = (struct heap_debug_quarantined){ptr, l};
    d->q_count++;
    d->q_bytes += l.size;
    /* Keep the newest block even when it alone is over the byte budget. */
    while (d->q_count > 1 && d->q_bytes > HEAP_DEBUG_QUARANTINE_BYTES) release_oldest(d);
}

static void *debug_alloc_zeroed(void *state, struct layout l)
{
    void *p = debug_alloc(state, l);
    if (p) memset(p, 0, l.size);
    return p;
}

/* Always moves, so the old block goes through the quarantine. */
static void *debug_realloc(void *state, void *ptr, struct layout l, size_t new_size)
{
    struct heap_debug *d = state;
    struct header *h = checked_header(d, ptr, "heap_debug realloc");
    if (h->state == QUARANTINED) panic("heap_debug realloc: use after free of %p", ptr);
    void *q = debug_alloc(state, (struct layout){new_size, l.align});
    if (q == NULL) return NULL;
    memcpy(q, ptr, l.size < new_size ? l.size : new_size);
    debug_dealloc(state, ptr, l);
    return q;
}

static const struct alloc_ops debug_ops = {
    .alloc = debug_alloc,
    .dealloc = debug_dealloc,
    .alloc_zeroed = debug_alloc_zeroed,
    .realloc = debug_realloc,
};

void heap_debug_init(struct heap_debug *d, struct allocator inner)
{
    memset(d, 0, sizeof *d);
    d->inner = inner;
    d->lo = UINTPTR_MAX;
}

struct allocator heap_debug_allocator(struct heap_debug *d)
{
    return (struct allocator){.ops = &debug_ops, .state = d};
}

size_t heap_debug_check(const struct heap_debug *d)
{
    size_t broken = 0;
    for (size_t i = 0; i < d->q_count; i++) {
        const struct heap_debug_quarantined *e = &d->q[(d->q_first + i) % HEAP_DEBUG_QUARANTINE];
        uintptr_t p = (uintptr_t)e->ptr;
        if (!header_sound(p) || header_at(p)->state != QUARANTINED ||
            header_at(p)->size != e->layout.size ||
            first_not(e->ptr, e->layout.size, HEAP_DEBUG_FREE_BYTE) ||
            first_not((void *)(p + e->layout.size), HEAP_DEBUG_REDZONE, HEAP_DEBUG_REDZONE_BYTE))
            broken++;
    }
    return broken;
}
