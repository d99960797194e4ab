/* The kernel heap: a design from the registry, picked by name once (below),
 * over [HEAP_START, HEAP_START + size), growing on demand up to heap_max
 * through the pure growth logic (kiln/heap_grow.h) with frames +
 * paging_map_to as its page source, under an interrupt-safe lock. */
#include "kiln/heap.h"

#include "arch/x86_64/cpu.h"
#include "kiln/cmdline.h"
#include "kiln/console.h"
#include "kiln/heap_grow.h"
#ifdef HEAP_DEBUG
#include "kiln/heap_debug.h"
#endif
#include "kiln/panic.h"
#include "kiln/spinlock.h"
#include "kiln/string.h"
#include "kiln/vmem.h"

/* The design the kernel allocates from: `make ALLOCATOR=NAME`, or alloc=NAME
 * on the command line (heap_set_cmdline). */
#ifndef KILN_ALLOCATOR
#define KILN_ALLOCATOR "linked_list"
#endif

#define STATE_BYTES (64 * 1024)
static _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state[STATE_BYTES];
static struct heap_grow grow;
static struct frame_source heap_frames;
static struct spinlock heap_lock = SPINLOCK_INIT;
static bool ready;
static char design_name[32] = KILN_ALLOCATOR;
static size_t heap_max = HEAP_MAX;
#ifdef HEAP_DEBUG
/* make HEAP_DEBUG=1: the checking layer (include/kiln/heap_debug.h) between
 * the growth logic and the design, inside the lock. */
static struct heap_debug debug_layer;
#endif

/* ---- the lock, and how long it keeps interrupts off ---------------------- */

static uint64_t locked_at; /* rdtsc when the lock was taken with interrupts on */
static uint64_t irq_off_max;

static uint64_t heap_lock_take(void)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    locked_at = rdtsc();
    return flags;
}

static void heap_lock_give(uint64_t flags)
{
    /* Only a span that the heap itself started counts: with interrupts off
     * already (a handler, a caller's own lock) the heap adds nothing. */
    if (flags & RFLAGS_IF) {
        uint64_t span = rdtsc() - locked_at;
        if (span > irq_off_max) irq_off_max = span;
    }
    spin_unlock_irqrestore(&heap_lock, flags);
}

/* ---- the global allocator's ops ------------------------------------------- */

static void *heap_op_alloc(void *unused, struct layout l)
{
    (void)unused;
    uint64_t flags = heap_lock_take();
    void *p = heap_grow_alloc(&grow, l);
    heap_lock_give(flags);
    return p;
}

static void heap_op_dealloc(void *unused, void *ptr, struct layout l)
{
    (void)unused;
    uint64_t flags = heap_lock_take();
    heap_grow_dealloc(&grow, ptr, l);
    heap_lock_give(flags);
}

/* In place where the design can (under the lock: no copy); anything that
 * moves allocates under the lock, copies with interrupts as the caller had
 * them, and frees under the lock: a long copy never runs with them off. */
static void *heap_op_realloc(void *unused, void *ptr, struct layout l, size_t new_size)
{
    (void)unused;
    const struct alloc_ops *ops = grow.a.ops;
    if (ops->resize_in_place) {
        uint64_t flags = heap_lock_take();
        bool done = ops->resize_in_place(grow.a.state, ptr, l, new_size);
        heap_lock_give(flags);
        if (done) return ptr;
    } else if (new_size <= l.size && ops->realloc) {
        uint64_t flags = heap_lock_take();
        void *p = ops->realloc(grow.a.state, ptr, l, new_size); /* a shrink copies little */
        heap_lock_give(flags);
        return p;
    }
    void *q = heap_op_alloc(NULL, (struct layout){new_size, l.align});
    if (q == NULL) return NULL;
    memcpy(q, ptr, l.size < new_size ? l.size : new_size);
    heap_op_dealloc(NULL, ptr, l);
    return q;
}

static const struct alloc_ops heap_ops = {
    .alloc = heap_op_alloc, .dealloc = heap_op_dealloc, .realloc = heap_op_realloc};

/* ---- the page source: frames + paging_map_to ------------------------------ */

/* Unmap the pages [at, at + n pages) and give their frames back. */
static void unmap_pages(uintptr_t at, size_t n, struct frame_source frames)
{
    for (size_t i = 0; i < n; i++) {
        struct frame f;
        if (paging_unmap(page_containing(at + i * PAGE_SIZE), &f) == MAP_OK && frames.free)
            frames.free(frames.ctx, f);
    }
}

/* Map [at, at + bytes) to fresh frames, writable. On an error, unmap what
 * this call mapped (its frames go back) and return the error: nothing is
 * left half-mapped. The page tables it made stay, like the blog's mapper. */
static enum map_error map_pages(uintptr_t at, size_t bytes, struct frame_source frames)
{
    size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    for (size_t i = 0; i < pages; i++) {
        struct frame f;
        enum map_error e = MAP_FRAME_ALLOCATION_FAILED;
        if (frame_source_alloc(frames, &f)) {
            e = paging_map_to(page_containing(at + i * PAGE_SIZE), f, PTE_WRITABLE, frames);
            if (e != MAP_OK && frames.free) frames.free(frames.ctx, f);
        }
        if (e != MAP_OK) {
            unmap_pages(at, i, frames);
            return e;
        }
    }
    return MAP_OK;
}

static bool kernel_page_source_map(void *ctx, uintptr_t at, size_t bytes)
{
    return map_pages(at, bytes, *(struct frame_source *)ctx) == MAP_OK;
}

/* ---- setup ------------------------------------------------------------------ */

void heap_set_cmdline(const char *cmdline)
{
    char v[32];
    if (cmdline_get(cmdline, "alloc", v, sizeof v)) {
        if (alloc_design_find(v) == NULL) panic("heap: alloc=%s: no such allocator design", v);
        memcpy(design_name, v, sizeof v);
    }
    if (cmdline_get(cmdline, "heap_max", v, sizeof v)) {
        size_t max;
        if (!cmdline_size(v, &max) || max < HEAP_SIZE || max > HEAP_MAX_LIMIT)
            panic("heap: heap_max=%s: not a size from %u bytes to %llu bytes", v, HEAP_SIZE,
                  (unsigned long long)HEAP_MAX_LIMIT);
        heap_max = max;
    }
}

enum map_error heap_init(struct frame_source frames)
{
    const struct alloc_design *d = alloc_design_find(design_name);
    if (d == NULL) panic("heap: no allocator design called \"%s\"", design_name);
    if (d->state_size > STATE_BYTES)
        panic("heap: the %s design needs %zu bytes of state, heap.c has %u", d->name, d->state_size,
              STATE_BYTES);
    enum map_error e = map_pages(HEAP_START, HEAP_SIZE, frames);
    if (e != MAP_OK) return e;
    heap_frames = frames;
    struct page_source pages = {.ctx = &heap_frames, .map = kernel_page_source_map};
    heap_grow_init(&grow, d, state, (void *)(uintptr_t)HEAP_START, HEAP_SIZE, heap_max, pages);
#ifdef HEAP_DEBUG
    heap_debug_init(&debug_layer, grow.a);
    grow.a = heap_debug_allocator(&debug_layer);
#endif
    struct allocator a = {.ops = &heap_ops, .state = NULL};
    global_alloc_set(&a);
    ready = true;
    println("heap: %s allocator, %u KiB at 0x%llx", d->name, HEAP_SIZE / 1024,
            (unsigned long long)HEAP_START);
    return MAP_OK;
}

bool heap_ready(void)
{
    return ready;
}

const char *heap_design(void)
{
    return ready ? grow.design->name : design_name;
}

size_t heap_max_bytes(void)
{
    return heap_max;
}

void heap_set_max(size_t bytes)
{
    uint64_t flags = heap_lock_take();
    heap_max = bytes;
    if (ready) grow.max = bytes > grow.size ? bytes : grow.size;
    heap_lock_give(flags);
}

struct alloc_stats heap_stats(void)
{
    if (!ready) return (struct alloc_stats){0};
    uint64_t flags = heap_lock_take();
#ifdef HEAP_DEBUG
    heap_debug_flush(&debug_layer); /* so used returns to its value once all is freed */
#endif
    struct alloc_stats s = grow.design->stats(grow.state);
    heap_lock_give(flags);
    /* The largest block a caller can get: the layers' cost comes off. */
    s.largest_hole =
        s.largest_hole > HEAP_BLOCK_OVERHEAD ? s.largest_hole - HEAP_BLOCK_OVERHEAD : 0;
    return s;
}

size_t heap_check(void)
{
    if (!ready) return 0;
    uint64_t flags = heap_lock_take();
    size_t n = grow.design->check(grow.state);
#ifdef HEAP_DEBUG
    n += heap_debug_check(&debug_layer);
#endif
    heap_lock_give(flags);
    return n;
}

struct heap_growth heap_growth(void)
{
    uint64_t flags = heap_lock_take();
    struct heap_growth g = {
        .mapped = grow.size, .max = grow.max, .grows = grow.grows, .refused = grow.refused};
    heap_lock_give(flags);
    return g;
}

uint64_t heap_irq_off_max_cycles(void)
{
    return irq_off_max;
}

void heap_irq_off_reset(void)
{
    uint64_t flags = spin_lock_irqsave(&heap_lock);
    irq_off_max = 0;
    spin_unlock_irqrestore(&heap_lock, flags);
}
