/* The registry's designs inside kiln: see bench/kernel_designs.h. */
#include "bench/kernel_designs.h"

#include "kiln/memory.h"
#include "kiln/panic.h"
#include "kiln/paging.h"
#include "kiln/vmem.h"

static _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state[64 * 1024];
static const struct alloc_design *cur_design;
static struct allocator cur;
static void *region;

void *bench_region_map(size_t bytes)
{
    if (region) panic("bench_region_map: the region is mapped already");
    struct frame_source frames = memory_frame_source();
    for (size_t off = 0; off < bytes; off += PAGE_SIZE) {
        struct frame f;
        if (!frame_source_alloc(frames, &f))
            panic("bench_region_map: out of frames at %zu of %zu bytes", off, bytes);
        enum map_error e =
            paging_map_to(page_containing(BENCH_REGION_START + off), f, PTE_WRITABLE, frames);
        if (e != MAP_OK) panic("bench_region_map: %s at offset %zu", map_error_name(e), off);
    }
    return region = (void *)(uintptr_t)BENCH_REGION_START;
}

void bench_design_use(const struct alloc_design *d, size_t bytes)
{
    if (d->state_size > sizeof state)
        panic("bench_design_use: %s needs %zu bytes of state, the bench has %zu", d->name,
              d->state_size, sizeof state);
    if (d != &bench_null_design && !region) panic("bench_design_use: no region mapped");
    cur_design = d;
    d->init(state, region, bytes);
    cur = d->allocator(state);
}

size_t bench_design_check(void)
{
    return cur_design->check(state);
}

const void *bench_design_state(void)
{
    return state;
}

static void *design_alloc(size_t size, size_t align)
{
    return cur.ops->alloc(cur.state, (struct layout){size, align});
}
static void design_dealloc(void *p, size_t size, size_t align)
{
    cur.ops->dealloc(cur.state, p, (struct layout){size, align});
}
static void *design_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    struct layout l = {size, align};
    if (cur.ops->realloc) return cur.ops->realloc(cur.state, p, l, new_size);
    return allocator_realloc(&cur, p, l, new_size);
}
const struct bench_allocator bench_design = {"design", design_alloc, design_dealloc,
                                             design_realloc};

/* ---- the null design ---------------------------------------------------- */
static _Alignas(4096) unsigned char scratch[2][8192];
static unsigned scratch_next;

static void *null_alloc(void *s, struct layout l)
{
    (void)s, (void)l;
    return scratch[scratch_next++ & 1];
}
static void null_dealloc(void *s, void *p, struct layout l)
{
    (void)s, (void)p, (void)l;
    __asm__ volatile("" ::: "memory");
}
static void *null_realloc(void *s, void *p, struct layout l, size_t new_size)
{
    (void)s, (void)l, (void)new_size;
    return p;
}
static const struct alloc_ops null_ops = {
    .alloc = null_alloc, .dealloc = null_dealloc, .realloc = null_realloc};
static void null_init(void *s, void *start, size_t size)
{
    (void)s, (void)start, (void)size;
}
static struct allocator null_allocator(void *s)
{
    return (struct allocator){&null_ops, s};
}
static size_t null_check(const void *s)
{
    (void)s;
    return 0;
}
const struct alloc_design bench_null_design = {
    .name = "null", .init = null_init, .allocator = null_allocator, .check = null_check};
