/* The bump allocator: one pointer moving up, reset when all blocks are free.
 * An alloc costs an align-up, a compare and the header's two stores; a
 * dealloc, the header's check and a decrement. The header (kiln/block_seal.h)
 * is kiln's addition to the post's design: see include/kiln/bump.h. */
#include "kiln/bump.h"
#include "kiln/block_seal.h"
#include "kiln/panic.h"

#define H BLOCK_HEADER_SIZE
#define A 8 /* the least alignment of a block, so that its header's words are aligned */

void bump_init(struct bump_heap *b, void *start, size_t size)
{
    uintptr_t s = (uintptr_t)start;
    if (s + size < s) panic("bump_init: region at %p of %zu bytes wraps", start, size);
    *b = (struct bump_heap){
        .start = s, .end = s + size, .next = s, .allocations = 0, .key = block_seal_key(b, s)};
}

void *bump_alloc(struct bump_heap *b, struct layout layout)
{
    if (layout_check(layout) != LAYOUT_OK) return NULL;
    size_t align = layout.align < A ? A : layout.align, room = b->end - b->next;
    if (room < H) return NULL;
    size_t pad = (0 - (b->next + H)) & (align - 1);
    if (pad > room - H || layout.size > room - H - pad) return NULL;
    uintptr_t p = b->next + H + pad;
    b->next = p + layout.size;
    b->allocations++;
    struct block_header *hd = block_header_of(p);
    hd->bytes = H + layout.size;
    hd->seal = block_seal(b->key, p, H + layout.size);
    return (void *)p;
}

/* A dealloc whose header is not the live seal for (ptr, its layout): which
 * misuse, from what the header holds. */
__attribute__((cold, noinline)) static noreturn void bad_seal(const struct bump_heap *b, void *ptr,
                                                              struct layout layout)
{
    uintptr_t p = (uintptr_t)ptr;
    const struct block_header *hd = block_header_of(p);
    if (hd->seal == block_seal(b->key, p, hd->bytes))
        panic("bump_dealloc: size mismatch: %p is a block of %zu bytes, freed with Layout { "
              "size: %zu, align: %zu }",
              ptr, hd->bytes - H, layout.size, layout.align);
    if (hd->seal == block_seal_freed(b->key, p, hd->bytes))
        panic("bump_dealloc: double free of %p, Layout { size: %zu, align: %zu }: freed already "
              "(or moved by realloc)",
              ptr, layout.size, layout.align);
    if (block_seal_overflowed(hd->seal, b->key, p, H + layout.size))
        panic("heap corrupted: bump_dealloc: the header of the block %p was overwritten (a write "
              "past the end of the block below it?)",
              ptr);
    panic("bump_dealloc: invalid free of %p, Layout { size: %zu, align: %zu }: no block header "
          "below it (an interior pointer, a pointer this heap never gave out, or an overwritten "
          "header)",
          ptr, layout.size, layout.align);
}

void bump_dealloc(struct bump_heap *b, void *ptr, struct layout layout)
{
    if (ptr == NULL) return;
    enum layout_error e = layout_check(layout);
    uintptr_t p = (uintptr_t)ptr;
    if (e != LAYOUT_OK)
        panic("bump_dealloc: %s: Layout { size: %zu, align: %zu } for %p", layout_error_name(e),
              layout.size, layout.align, ptr);
    /* the address first, so that the header read stays inside [start, next) */
    if (b->allocations == 0 || p - b->start < H || p - b->start > b->next - b->start ||
        layout.size > b->next - p || (p & ((layout.align - 1) | (A - 1))) != 0)
        panic("bump_dealloc: invalid free of %p, Layout { size: %zu, align: %zu }: not a live "
              "block of [%p, %p) with %zu live",
              ptr, layout.size, layout.align, (void *)b->start, (void *)b->next, b->allocations);
    struct block_header *hd = block_header_of(p);
    if (hd->seal != block_seal(b->key, p, H + layout.size)) bad_seal(b, ptr, layout);
    hd->seal = block_seal_freed(b->key, p, H + layout.size);
    if (--b->allocations == 0) b->next = b->start;
}

struct alloc_stats bump_stats(const struct bump_heap *b)
{
    /* the largest block a caller can get: past a header, aligned to A */
    size_t room = b->end - b->next, pad = (0 - (b->next + H)) & (A - 1);
    return (struct alloc_stats){.size = b->end - b->start,
                                .used = b->next - b->start,
                                .free = room,
                                .largest_hole = room >= H + pad ? room - H - pad : 0};
}

size_t bump_check(const struct bump_heap *b)
{
    size_t broken = 0;
    broken += b->start > b->end;
    broken += b->next < b->start || b->next > b->end;
    broken += b->allocations == 0 && b->next != b->start;
    struct alloc_stats s = bump_stats(b);
    broken += s.free + s.used != s.size;
    return broken;
}

static void *bump_op_alloc(void *state, struct layout layout)
{
    return bump_alloc(state, layout);
}

static void bump_op_dealloc(void *state, void *ptr, struct layout layout)
{
    bump_dealloc(state, ptr, layout);
}

static const struct alloc_ops bump_ops = {.alloc = bump_op_alloc, .dealloc = bump_op_dealloc};

struct allocator bump_allocator(struct bump_heap *b)
{
    return (struct allocator){.ops = &bump_ops, .state = b};
}
