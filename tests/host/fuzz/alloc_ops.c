/* The differential allocator harness. Rules: alloc_ops.h. */
#include "alloc_ops.h"

#include <sanitizer/asan_interface.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCKS     128
#define EXTEND_MAX     (16u * 1024)
#define FAIL(fmt, ...) alloc_ops_fail("[%s] " fmt, design_name, ##__VA_ARGS__)

static const char *design_name; /* for the messages */

/* After every block is freed, the one block a region of n bytes must still
 * give, by the design's own rules (kiln/<design>.h):
 *   bump         n - 23: the region is [start, start + n) exactly, and it
 *                resets when its last block is freed; the block's 16-byte
 *                header and up to 7 bytes to align it to 8 come off;
 *   linked_list  n - 2 * (U - 1) - 16: the start rounds up and the end down
 *                to U = 16; all holes have merged into one; the block's
 *                16-byte header comes off;
 *   default      n - 94: the start rounds up to 16 (15), the end waits for
 *                extends of at least DH_MIN_BLOCK past the last 16-byte
 *                boundary (47), the 16-byte end marker and the block's own
 *                16-byte header (kept slab pages go back to the pool when it
 *                runs short);
 *   fixed_block  the post's known weakness: freed blocks stay on their lists,
 *                so only the fallback's largest hole H is one block: all of
 *                it above FIXED_BLOCK_MAX, else the largest class c that
 *                fits in it (a class block takes its 16-byte header and
 *                max(16, c) bytes, aligned to 16; largest_hole is H less a
 *                header already).
 * Any other design: a block of its largest hole. */
static size_t whole_block(const char *name, size_t n, struct alloc_stats s)
{
    if (strcmp(name, "bump") == 0) return n > 23 ? n - 23 : 0;
    if (strcmp(name, "linked_list") == 0) return n > 46 ? n - 46 : 0;
    if (strcmp(name, "default") == 0) return n > 94 ? n - 94 : 0;
    if (strcmp(name, "fixed_block") == 0) {
        if (s.largest_hole > 2048) return s.largest_hole;
        size_t c = 8;
        while (2 * c <= s.largest_hole && 2 * c <= 2048) c *= 2;
        return (c < 16 ? 16 : c) <= s.largest_hole ? c : 0;
    }
    return s.largest_hole;
}

struct block {
    uint8_t *p;
    size_t size, align;
    uint8_t seed;
};

struct run {
    const struct alloc_design *d;
    struct allocator a;
    void *state;
    uint8_t *region; /* the design's bytes: [region, region + len) */
    size_t len;      /* grows with extend, up to len + EXTEND_MAX */
    uint8_t *owner;  /* per region byte: 1 + index of the block there, or 0 */
    struct block b[MAX_BLOCKS];
    size_t live;
    uint8_t seed;
    const uint8_t *in;
    size_t left;
};

static uint8_t next(struct run *r)
{
    if (r->left == 0) return 0;
    r->left--;
    return *r->in++;
}

/* Block i's byte k holds noise[seed + k]: random bytes, so a block copied
 * from the wrong place or shifted does not match; compared with memcmp, so
 * checking every live block after every op stays cheap. */
#define REGION_MAX (64 + 191 * 128 + EXTEND_MAX)
static uint8_t noise[256 + REGION_MAX];

static void make_noise(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        noise[i] = (uint8_t)x;
    }
}

static void fill(const struct block *b, size_t from)
{
    if (b->size > from) memcpy(b->p + from, noise + b->seed + from, b->size - from);
}

static void expect_pattern(const struct block *b, size_t upto, const char *when)
{
    if (upto == 0 || memcmp(b->p, noise + b->seed, upto) == 0) return;
    for (size_t k = 0; k < upto; k++)
        if (b->p[k] != noise[b->seed + k])
            FAIL("%s: block %p (size %zu, align %zu) byte %zu is 0x%02x, not 0x%02x", when,
                 (void *)b->p, b->size, b->align, k, b->p[k], noise[b->seed + k]);
}

/* A size: small, medium, near the region's size, or the largest hole. */
static size_t pick_size(struct run *r)
{
    uint8_t s = next(r);
    switch (s >> 6) {
    case 0:
        return s & 63;
    case 1:
        return (size_t)(s & 63) * 16 + (next(r) & 15);
    case 2: {
        size_t hi = next(r);
        return (hi << 8 | next(r)) % (r->len + 64);
    }
    default: {
        size_t hole = r->d->stats(r->state).largest_hole, off = s & 15;
        return hole > off ? hole - off : 0;
    }
    }
}

/* The block must lie in the region, be aligned, and overlap no live block. */
static void claim(struct run *r, size_t i, const char *when)
{
    struct block *b = &r->b[i];
    uintptr_t p = (uintptr_t)b->p, lo = (uintptr_t)r->region;
    if (p % b->align != 0) FAIL("%s: block %p is not aligned to %zu", when, (void *)b->p, b->align);
    if (p < lo || p - lo > r->len || b->size > r->len - (p - lo))
        FAIL("%s: block %p of %zu bytes is outside the region [%p, +%zu)", when, (void *)b->p,
             b->size, (void *)r->region, r->len);
    static const uint8_t nobody[REGION_MAX];
    uint8_t *o = &r->owner[p - lo];
    if (memcmp(o, nobody, b->size) != 0)
        for (size_t k = 0; k < b->size; k++)
            if (o[k])
                FAIL("%s: block %p of %zu bytes overlaps block %p of %zu bytes", when, (void *)b->p,
                     b->size, (void *)r->b[o[k] - 1].p, r->b[o[k] - 1].size);
    memset(o, (int)(i + 1), b->size);
}

static void unclaim(struct run *r, const struct block *b)
{
    memset(r->owner + (b->p - r->region), 0, b->size);
}

static void consistent(struct run *r, const char *when)
{
    size_t broken = r->d->check(r->state);
    if (broken) FAIL("%s: check() reports %zu broken invariants", when, broken);
    struct alloc_stats s = r->d->stats(r->state);
    size_t bytes = 0;
    for (size_t i = 0; i < r->live; i++) bytes += r->b[i].size;
    if (s.free + s.used != s.size || s.largest_hole > s.free || s.size > r->len || s.used < bytes)
        FAIL("%s: stats size %zu used %zu free %zu largest %zu; region %zu, live bytes %zu", when,
             s.size, s.used, s.free, s.largest_hole, r->len, bytes);
    for (size_t i = 0; i < r->live; i++) expect_pattern(&r->b[i], r->b[i].size, when);
}

static void add(struct run *r, uint8_t *p, size_t size, size_t align, bool zeroed)
{
    struct block *b = &r->b[r->live];
    *b = (struct block){.p = p, .size = size, .align = align, .seed = r->seed++};
    if (zeroed)
        for (size_t k = 0; k < size; k++)
            if (p[k]) FAIL("alloc_zeroed: block %p byte %zu is 0x%02x", (void *)p, k, p[k]);
    claim(r, r->live, zeroed ? "alloc_zeroed" : "alloc");
    fill(b, 0);
    r->live++;
}

static void drop(struct run *r, size_t i)
{
    struct block *b = &r->b[i];
    unclaim(r, b);
    allocator_dealloc(&r->a, b->p, (struct layout){b->size, b->align});
    r->b[i] = r->b[--r->live];
    if (i < r->live) memset(r->owner + (r->b[i].p - r->region), (int)(i + 1), r->b[i].size);
}

static void op_realloc(struct run *r)
{
    if (r->live == 0) return;
    size_t i = next(r) % r->live, to = pick_size(r);
    struct block *b = &r->b[i], old = *b;
    uint8_t *q = allocator_realloc(&r->a, b->p, (struct layout){b->size, b->align}, to);
    if (q == NULL) return; /* the old block stays: the sweep checks it */
    unclaim(r, &old);
    b->p = q;
    b->size = to;
    expect_pattern(b, old.size < to ? old.size : to, "realloc (the kept prefix)");
    claim(r, i, "realloc");
    fill(b, old.size < to ? old.size : to);
}

static void op_invalid(struct run *r)
{
    uint8_t s = next(r);
    struct layout l = {SIZE_MAX - (s & 31), (size_t)1 << (s >> 5)};
    if (s & 0x80) l = (struct layout){s & 15, (size_t[]){0, 3, 24, 48, 4095}[s % 5]};
    if (allocator_alloc(&r->a, l) != NULL)
        FAIL("alloc of an invalid layout {%zu, %zu} returned a block", l.size, l.align);
    if (r->live && allocator_realloc(&r->a, r->b[0].p, (struct layout){r->b[0].size, r->b[0].align},
                                     SIZE_MAX - (s & 31)) != NULL)
        FAIL("realloc to %zu bytes returned a block", SIZE_MAX - (s & 31));
}

/* Everything freed: nothing is used, and one block of (nearly) the whole
 * region fits (whole_block). */
static void whole_region(struct run *r, size_t region_len)
{
    struct alloc_stats s = r->d->stats(r->state);
    if (s.used != 0) FAIL("all blocks freed, yet used == %zu", s.used);
    size_t want = whole_block(r->d->name, region_len, s);
    if (want == 0) return;
    void *p = allocator_alloc(&r->a, (struct layout){want, 1});
    if (p == NULL)
        FAIL("all blocks freed: no block of %zu bytes fits a region of %zu (free %zu, largest hole "
             "%zu)",
             want, region_len, s.free, s.largest_hole);
    allocator_dealloc(&r->a, p, (struct layout){want, 1});
    consistent(r, "the whole region");
}

void alloc_ops_run(const struct alloc_design *d, const uint8_t *data, size_t size)
{
    if (noise[0] == 0 && noise[1] == 0) make_noise();
    design_name = d->name;
    struct run *r = calloc(1, sizeof *r);
    r->d = d;
    r->in = data;
    r->left = size;
    uint8_t s = next(r), off = next(r) & 15;
    r->len = s < 64 ? s : 64 + (size_t)(s - 64) * 128;
    size_t cap = off + r->len + EXTEND_MAX;
    uint8_t *buf = aligned_alloc(16, (cap + 15) & ~(size_t)15);
    r->state =
        aligned_alloc(ALLOC_DESIGN_STATE_ALIGN, (d->state_size + ALLOC_DESIGN_STATE_ALIGN - 1) &
                                                    ~(size_t)(ALLOC_DESIGN_STATE_ALIGN - 1));
    r->owner = calloc(cap, 1);
    r->region = buf + off;
    ASAN_POISON_MEMORY_REGION(buf, cap);
    ASAN_UNPOISON_MEMORY_REGION(r->region, r->len);
    d->init(r->state, r->region, r->len);
    r->a = d->allocator(r->state);
    consistent(r, "init");
    while (r->left) {
        uint8_t op = next(r) % 6;
        switch (op) {
        case 0:
        case 1: {
            if (r->live == MAX_BLOCKS) break;
            bool zero = op == 1;
            size_t n = pick_size(r), align = (size_t)1 << (next(r) % 13);
            struct layout l = {n, align};
            uint8_t *p = zero ? allocator_alloc_zeroed(&r->a, l) : allocator_alloc(&r->a, l);
            if (p) add(r, p, n, align, zero);
            break;
        }
        case 2:
            if (r->live) drop(r, next(r) % r->live);
            break;
        case 3:
            op_realloc(r);
            break;
        case 4: {
            size_t n = (size_t)next(r) << 4;
            n += next(r) & 15;
            if (d->extend == NULL || r->len + n > cap - off) break;
            ASAN_UNPOISON_MEMORY_REGION(r->region + r->len, n);
            r->len += n;
            d->extend(r->state, n);
            break;
        }
        default:
            op_invalid(r);
            break;
        }
        consistent(r, "after an op");
    }
    while (r->live) drop(r, r->live - 1);
    consistent(r, "all freed");
    whole_region(r, r->len);
    ASAN_UNPOISON_MEMORY_REGION(buf, cap);
    free(buf);
    free(r->state);
    free(r->owner);
    free(r);
}
