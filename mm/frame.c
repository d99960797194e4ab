/* The physical frame allocator: bump cursor, free stack, ownership bitmap.
 * The design, its costs and its invariants are in include/kiln/frame.h. */
#include "kiln/enum_name.h"
#include "kiln/frame.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define FRAME_MASK (FRAME_SIZE - 1)

const char *frame_error_name(enum frame_error e)
{
    static const char *const names[] = {
        ENUM_NAME(FRAME_OK),
        ENUM_NAME(FRAME_NO_USABLE_MEMORY),
        ENUM_NAME(FRAME_NO_ROOM_FOR_BITMAP),
        ENUM_NAME(FRAME_TOO_MANY_RANGES),
        ENUM_NAME(FRAME_MAP_UNSORTED),
        ENUM_NAME(FRAME_BAD_RANGE),
        ENUM_NAME(FRAME_MISALIGNED),
        ENUM_NAME(FRAME_OUTSIDE_USABLE),
        ENUM_NAME(FRAME_NOT_ALLOCATED),
        ENUM_NAME(FRAME_FREE_STACK_CORRUPT),
    };
    return enum_name(names, e, "FRAME_UNKNOWN_ERROR");
}

static uint64_t align_down(uint64_t x)
{
    return x & ~FRAME_MASK;
}

/* Saturates at the highest frame address instead of wrapping to 0. */
static uint64_t align_up(uint64_t x)
{
    return x > UINT64_MAX - FRAME_MASK ? align_down(UINT64_MAX) : align_down(x + FRAME_MASK);
}

static uint64_t *frame_link(const struct frame_allocator *fa, uint64_t frame)
{
    return (uint64_t *)(uintptr_t)(frame + fa->phys_offset);
}

static bool bit_get(const struct frame_allocator *fa, uint64_t frame)
{
    uint64_t n = frame / FRAME_SIZE;
    return frame < fa->limit && (fa->bitmap[n / 64] >> (n % 64) & 1);
}

static void bit_set(struct frame_allocator *fa, uint64_t frame, bool on)
{
    uint64_t n = frame / FRAME_SIZE, mask = 1ull << (n % 64);
    fa->bitmap[n / 64] = on ? fa->bitmap[n / 64] | mask : fa->bitmap[n / 64] & ~mask;
}

/* Whether frame lies in a managed range: a binary search, for error paths. */
static bool is_managed(const struct frame_allocator *fa, uint64_t frame)
{
    size_t lo = 0, hi = fa->range_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (frame < fa->ranges[mid].start)
            hi = mid;
        else if (frame >= fa->ranges[mid].end)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

static void range_remove(struct frame_allocator *fa, size_t i)
{
    memmove(&fa->ranges[i], &fa->ranges[i + 1], (fa->range_count - i - 1) * sizeof fa->ranges[0]);
    fa->range_count--;
}

static enum frame_error range_insert(struct frame_allocator *fa, size_t i, struct frame_range r)
{
    if (fa->range_count == FRAME_MAX_RANGES) return FRAME_TOO_MANY_RANGES;
    memmove(&fa->ranges[i + 1], &fa->ranges[i], (fa->range_count - i) * sizeof fa->ranges[0]);
    fa->ranges[i] = r;
    fa->range_count++;
    return FRAME_OK;
}

/* Cut the frame-aligned [s, e) out of the managed ranges, keeping them sorted. */
static enum frame_error ranges_subtract(struct frame_allocator *fa, uint64_t s, uint64_t e)
{
    size_t i = 0;
    while (i < fa->range_count && fa->ranges[i].start < e) {
        struct frame_range *r = &fa->ranges[i];
        if (r->end <= s) {
            i++;
        } else if (s <= r->start && r->end <= e) {
            range_remove(fa, i);
        } else if (r->start < s && e < r->end) {
            struct frame_range upper = {e, r->end};
            r->end = s;
            return range_insert(fa, i + 1, upper);
        } else if (s <= r->start) {
            r->start = e;
            i++;
        } else {
            r->end = s;
            i++;
        }
    }
    return FRAME_OK;
}

/* Put the bitmap in the lowest managed range that holds it below reach_limit,
 * and stop managing its frames. */
static enum frame_error bitmap_place(struct frame_allocator *fa, uint64_t reach_limit)
{
    uint64_t n = fa->limit / FRAME_SIZE;
    uint64_t size = align_up((n + 63) / 64 * 8);
    for (size_t i = 0; i < fa->range_count; i++) {
        struct frame_range *r = &fa->ranges[i];
        if (r->start >= reach_limit) break;
        if (r->end - r->start < size || size > reach_limit - r->start) continue;
        fa->bitmap_range = (struct frame_range){r->start, r->start + size};
        fa->bitmap = frame_link(fa, r->start);
        r->start += size;
        if (r->start == r->end) range_remove(fa, i);
        memset(fa->bitmap, 0, size);
        return FRAME_OK;
    }
    return FRAME_NO_ROOM_FOR_BITMAP;
}

static enum frame_error build(struct frame_allocator *fa, const struct mem_region *regions,
                              size_t region_count, const struct frame_range *reserved,
                              size_t reserved_count, uint64_t reach_limit)
{
    uint64_t prev_end = 0;
    for (size_t i = 0; i < region_count; i++) {
        const struct mem_region *m = &regions[i];
        if (m->end < m->start) return FRAME_BAD_RANGE;
        if (m->start < prev_end) return FRAME_MAP_UNSORTED;
        prev_end = m->end;
        if (m->type != MEM_USABLE) continue;
        uint64_t s = align_up(m->start), e = align_down(m->end);
        if (s < FRAME_LOW_LIMIT) s = FRAME_LOW_LIMIT;
        if (s >= e) continue;
        enum frame_error err = range_insert(fa, fa->range_count, (struct frame_range){s, e});
        if (err != FRAME_OK) return err;
    }
    for (size_t i = 0; i < reserved_count; i++) {
        if (reserved[i].end < reserved[i].start) return FRAME_BAD_RANGE;
        if (reserved[i].end == reserved[i].start) continue;
        enum frame_error err =
            ranges_subtract(fa, align_down(reserved[i].start), align_up(reserved[i].end));
        if (err != FRAME_OK) return err;
    }
    if (fa->range_count == 0) return FRAME_NO_USABLE_MEMORY;
    fa->limit = fa->ranges[fa->range_count - 1].end;
    enum frame_error err = bitmap_place(fa, reach_limit);
    if (err != FRAME_OK) return err;
    if (fa->range_count == 0) return FRAME_NO_USABLE_MEMORY;
    for (size_t i = 0; i < fa->range_count; i++)
        fa->total += (fa->ranges[i].end - fa->ranges[i].start) / FRAME_SIZE;
    fa->cursor = fa->ranges[0].start;
    return FRAME_OK;
}

enum frame_error frame_allocator_init(struct frame_allocator *fa, const struct mem_region *regions,
                                      size_t region_count, const struct frame_range *reserved,
                                      size_t reserved_count, uintptr_t phys_offset,
                                      uint64_t reach_limit)
{
    if (!fa || (!regions && region_count) || (!reserved && reserved_count))
        panic("frame_allocator_init: NULL argument");
    *fa = (struct frame_allocator){.phys_offset = phys_offset};
    enum frame_error err = build(fa, regions, region_count, reserved, reserved_count, reach_limit);
    if (err != FRAME_OK) *fa = (struct frame_allocator){.phys_offset = phys_offset};
    return err;
}

bool frame_from_start(uint64_t addr, struct frame *out)
{
    if (addr & FRAME_MASK || addr > FRAME_ADDR_MAX) return false;
    out->start = addr;
    return true;
}

struct frame frame_containing(uint64_t addr)
{
    return (struct frame){align_down(addr)};
}

bool frame_alloc(struct frame_allocator *fa, struct frame *frame)
{
    uint64_t f;
    if (fa->free_top != 0) {
        f = fa->free_top;
        uint64_t next = *frame_link(fa, f);
        if (next != 0 && ((next & FRAME_MASK) || next >= fa->limit || bit_get(fa, next)))
            panic("frame_alloc: %s link 0x%llx in frame 0x%llx",
                  frame_error_name(FRAME_FREE_STACK_CORRUPT), (unsigned long long)next,
                  (unsigned long long)f);
        fa->free_top = next;
    } else {
        while (fa->cursor == fa->ranges[fa->cursor_range].end) {
            if (fa->cursor_range + 1 >= fa->range_count) return false;
            fa->cursor_range++;
            fa->cursor = fa->ranges[fa->cursor_range].start;
        }
        f = fa->cursor;
        fa->cursor += FRAME_SIZE;
    }
    bit_set(fa, f, true);
    fa->used++;
    frame->start = f;
    return true;
}

void frame_free(struct frame_allocator *fa, struct frame fr)
{
    uint64_t frame = fr.start;
    enum frame_error why = FRAME_OK;
    if (frame & FRAME_MASK)
        why = FRAME_MISALIGNED;
    else if (!bit_get(fa, frame))
        why = is_managed(fa, frame) ? FRAME_NOT_ALLOCATED : FRAME_OUTSIDE_USABLE;
    if (why != FRAME_OK)
        panic("frame_free: %s 0x%llx", frame_error_name(why), (unsigned long long)frame);
    bit_set(fa, frame, false);
    *frame_link(fa, frame) = fa->free_top;
    fa->free_top = frame;
    fa->used--;
}

bool frame_is_allocated(const struct frame_allocator *fa, struct frame frame)
{
    return (frame.start & FRAME_MASK) == 0 && bit_get(fa, frame.start);
}

struct frame_stats frame_stats(const struct frame_allocator *fa)
{
    return (struct frame_stats){.total = fa->total, .free = fa->total - fa->used, .used = fa->used};
}

struct frame_range frame_bitmap_range(const struct frame_allocator *fa)
{
    return fa->bitmap_range;
}

static bool frame_source_op_alloc(void *ctx, struct frame *frame)
{
    return frame_alloc(ctx, frame);
}

static void frame_source_op_free(void *ctx, struct frame frame)
{
    frame_free(ctx, frame);
}

struct frame_source frame_source_of(struct frame_allocator *fa)
{
    return (struct frame_source){
        .alloc = frame_source_op_alloc, .free = frame_source_op_free, .ctx = fa};
}

static bool empty_alloc(void *ctx, struct frame *frame)
{
    (void)ctx;
    (void)frame;
    return false;
}

const struct frame_source frame_source_empty = {.alloc = empty_alloc, .free = NULL, .ctx = NULL};
