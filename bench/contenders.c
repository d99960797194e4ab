/* The benchmark's contenders: see bench/contenders.h. */
#include "contenders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"

#define NOINLINE __attribute__((noinline))
#define PAGE     4096u

static _Alignas(PAGE) unsigned char region[CONTENDER_REGION_MAX];

struct contender contenders[16];
size_t contender_count;

/* The current design, what its wrappers call. */
static const struct alloc_design *cur_design;
static void *cur_state;
static struct allocator cur;

NOINLINE static void *bench_op_design_alloc(size_t size, size_t align)
{
    return cur.ops->alloc(cur.state, (struct layout){size, align});
}
NOINLINE static void bench_op_design_dealloc(void *p, size_t size, size_t align)
{
    cur.ops->dealloc(cur.state, p, (struct layout){size, align});
}
/* A design without its own realloc gets the default: alloc + copy + dealloc. */
NOINLINE static void *bench_op_design_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    struct layout l = {size, align};
    if (cur.ops->realloc) return cur.ops->realloc(cur.state, p, l, new_size);
    return allocator_realloc(&cur, p, l, new_size);
}

void contenders_init(void)
{
    static const struct bench_allocator *const peers[] = {&bench_glibc, &bench_jemalloc,
                                                          &bench_mimalloc};
    if (alloc_design_count + 3 > sizeof contenders / sizeof contenders[0]) {
        fprintf(stderr, "heap_bench: more designs than contenders[] holds\n");
        exit(1);
    }
    for (size_t i = 0; i < alloc_design_count; i++) {
        const struct alloc_design *d = alloc_designs[i];
        void *state =
            aligned_alloc(ALLOC_DESIGN_STATE_ALIGN, (d->state_size + ALLOC_DESIGN_STATE_ALIGN - 1) &
                                                        ~(size_t)(ALLOC_DESIGN_STATE_ALIGN - 1));
        if (!state) {
            fprintf(stderr, "heap_bench: no memory for %s's state\n", d->name);
            exit(1);
        }
        contenders[contender_count++] = (struct contender){
            d->name,
            d,
            {d->name, bench_op_design_alloc, bench_op_design_dealloc, bench_op_design_realloc},
            state};
    }
    for (size_t i = 0; i < 3; i++)
        contenders[contender_count++] = (struct contender){peers[i]->name, NULL, *peers[i], NULL};
}

struct contender *contender_find(const char *name)
{
    for (size_t i = 0; i < contender_count; i++)
        if (strcmp(contenders[i].name, name) == 0) return &contenders[i];
    return NULL;
}

/* ---- null_design: the wrappers' and the ops table's own cost ---------------- */
static _Alignas(PAGE) unsigned char scratch[2][8192];
static unsigned scratch_next;

static void *null_design_alloc(void *state, struct layout l)
{
    (void)state, (void)l;
    return scratch[scratch_next++ & 1]; /* two at a time are distinct */
}
static void null_design_dealloc(void *state, void *p, struct layout l)
{
    (void)state, (void)p, (void)l;
    __asm__ volatile("" ::: "memory");
}
static void *null_design_realloc(void *state, void *p, struct layout l, size_t new_size)
{
    (void)state, (void)l, (void)new_size;
    return p;
}
static const struct alloc_ops null_design_ops = {
    .alloc = null_design_alloc,
    .dealloc = null_design_dealloc,
    .realloc = null_design_realloc,
};

const struct bench_allocator *contender_or_null(const char *name)
{
    if (strcmp(name, "null") == 0) return &bench_null;
    if (strcmp(name, "null_design") == 0) {
        cur = (struct allocator){&null_design_ops, NULL};
        return &contenders[0].ops; /* the designs' wrappers, over null_design_ops */
    }
    struct contender *c = contender_find(name);
    return c ? &c->ops : NULL;
}

void contender_reset(struct contender *c, size_t region_bytes)
{
    if (!c->design) return;
    if (region_bytes > CONTENDER_REGION_MAX) region_bytes = CONTENDER_REGION_MAX;
    c->design->init(c->state, region, region_bytes);
    cur_design = c->design;
    cur_state = c->state;
    cur = c->design->allocator(c->state);
}

size_t contender_check(const struct contender *c)
{
    return c->design ? c->design->check(c->state) : 0;
}

struct alloc_stats contender_stats(const struct contender *c)
{
    return c->design->stats(c->state);
}

/* ---- growth --------------------------------------------------------------- */
static struct growth g;

void contender_growth_start(struct contender *c, size_t start_bytes)
{
    contender_reset(c, start_bytes);
    g = (struct growth){start_bytes, 0, 0};
}

struct growth contender_growth(void)
{
    return g;
}

/* Grow by need bytes rounded up to pages, then a page at a time, until
 * retry() succeeds or the region is at its maximum. */
static void *grow_until(size_t need, void *(*retry)(void *), void *arg)
{
    size_t step = (need + PAGE - 1) / PAGE * PAGE;
    for (;;) {
        if (g.region + step > CONTENDER_REGION_MAX) return NULL;
        cur_design->extend(cur_state, step);
        g.region += step;
        void *p = retry(arg);
        if (p) return p;
        step = PAGE;
    }
}

struct grow_args {
    void *p;
    size_t size, align, new_size;
};
static void *retry_alloc(void *arg)
{
    struct grow_args *a = arg;
    return bench_op_design_alloc(a->size, a->align);
}
static void *retry_realloc(void *arg)
{
    struct grow_args *a = arg;
    return bench_op_design_realloc(a->p, a->size, a->align, a->new_size);
}

static void live_changed(size_t plus, size_t minus)
{
    g.live += plus;
    g.live -= minus;
    if (g.live > g.peak_live) g.peak_live = g.live;
}

static void *growing_alloc(size_t size, size_t align)
{
    struct grow_args a = {NULL, size, align, 0};
    void *p = bench_op_design_alloc(size, align);
    if (!p) p = grow_until(size + align, retry_alloc, &a);
    if (p) live_changed(size, 0);
    return p;
}
static void growing_dealloc(void *p, size_t size, size_t align)
{
    bench_op_design_dealloc(p, size, align);
    live_changed(0, size);
}
static void *growing_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    struct grow_args a = {p, size, align, new_size};
    void *q = bench_op_design_realloc(p, size, align, new_size);
    if (!q) q = grow_until(new_size + align, retry_realloc, &a);
    if (q) live_changed(new_size, size);
    return q;
}

const struct bench_allocator contender_growing = {"growing", growing_alloc, growing_dealloc,
                                                  growing_realloc};
