/* The benchmark workloads: contracts in bench/workloads.h. */
#include "workloads.h"

#include "kiln/panic.h"
#include "kiln/string.h"

/* ---- a1..a4: the blog's heap tests --------------------------------------- */
size_t bench_simple_allocation(const struct bench_allocator *a, unsigned reps)
{
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *x = a->alloc(8, 8), *y = a->alloc(8, 8);
        if (!x || !y) return 0;
        *x = 41, *y = 13;
        if (*x != 41 || *y != 13) panic("simple_allocation: %s: wrong values", a->name);
        a->dealloc(x, 8, 8);
        a->dealloc(y, 8, 8);
    }
    return 4 * (size_t)reps;
}

size_t bench_large_vec(const struct bench_allocator *a, unsigned reps)
{
    size_t ops = 0, n = 1000;
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *v = NULL;
        size_t len = 0, cap = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (len == cap) { /* as Rust's Vec: 4 first, then doubling */
                size_t grown = cap ? 2 * cap : 4;
                uint64_t *w = cap ? a->realloc(v, cap * 8, 8, grown * 8) : a->alloc(grown * 8, 8);
                if (!w) return 0;
                v = w, cap = grown, ops++;
            }
            v[len++] = i;
        }
        /* Only the first and last elements: the null allocator of the
         * benchmark's baseline hands out shared scratch memory. */
        if (v[0] != 0 || v[n - 1] != n - 1) panic("large_vec: %s: lost elements", a->name);
        a->dealloc(v, cap * 8, 8);
        ops++;
    }
    return ops;
}

static size_t boxes(const struct bench_allocator *a, unsigned reps, bool long_lived)
{
    size_t ops = 0;
    for (unsigned r = 0; r < reps; r++) {
        uint64_t *keep = NULL;
        if (long_lived) {
            if (!(keep = a->alloc(8, 8))) return 0;
            *keep = 1, ops++;
        }
        for (uint64_t i = 0; i < BENCH_BLOG_HEAP; i++) {
            uint64_t *x = a->alloc(8, 8);
            if (!x) return 0;
            *x = i;
            if (*x != i) panic("many_boxes: %s: wrong value", a->name);
            a->dealloc(x, 8, 8);
        }
        ops += 2 * (size_t)BENCH_BLOG_HEAP;
        if (long_lived) {
            a->dealloc(keep, 8, 8);
            ops++;
        }
    }
    return ops;
}

size_t bench_many_boxes(const struct bench_allocator *a, unsigned reps)
{
    return boxes(a, reps, false);
}

size_t bench_many_boxes_long_lived(const struct bench_allocator *a, unsigned reps)
{
    return boxes(a, reps, true);
}

/* ---- b: the mixed workload ----------------------------------------------- */

/* 2^e + [0, 2^e] with e uniform in lo..hi: log-uniform in 2^lo..2^(hi+1). */
static uint32_t log_uniform(uint64_t *rng, unsigned lo, unsigned hi)
{
    unsigned e = lo + (unsigned)(bench_rng(rng) % (hi - lo + 1));
    return (uint32_t)((1u << e) + bench_rng(rng) % ((1u << e) + 1));
}

/* 3 (align 8) for 31 requests in 32, else 16..4096. */
static uint8_t mixed_align_log(uint64_t *rng)
{
    return bench_rng(rng) % 32 == 0 ? (uint8_t)(4 + bench_rng(rng) % 9) : 3;
}

uint32_t mixed_slots_for(uint32_t live)
{
    return (uint32_t)(((uint64_t)live * 32 + 8) / 17);
}

void mixed_gen_init(struct mixed_gen *g, uint64_t seed, uint32_t slots, uint8_t *state)
{
    g->rng = seed ? seed : 1;
    g->slots = slots;
    g->next = 0;
    g->state = state;
    memset(state, 0, slots);
}

bool mixed_gen_prefill(struct mixed_gen *g, struct mixed_op *op)
{
    while (g->next < g->slots) {
        uint32_t s = g->next++;
        if (bench_rng(&g->rng) % 32 >= 17) continue;
        uint8_t al = mixed_align_log(&g->rng);
        *op = (struct mixed_op){log_uniform(&g->rng, 3, 11), s, MIXED_ALLOC, al};
        g->state[s] = (uint8_t)(al + 1);
        return true;
    }
    g->next = 0; /* the teardown starts over */
    return false;
}

void mixed_gen_steady(struct mixed_gen *g, struct mixed_op *op)
{
    uint32_t s = (uint32_t)(bench_rng(&g->rng) % g->slots);
    if (!g->state[s]) {
        uint8_t al = mixed_align_log(&g->rng);
        *op = (struct mixed_op){log_uniform(&g->rng, 3, 11), s, MIXED_ALLOC, al};
        g->state[s] = (uint8_t)(al + 1);
    } else if (bench_rng(&g->rng) % 17 < 2) {
        *op = (struct mixed_op){log_uniform(&g->rng, 3, 11), s, MIXED_REALLOC, 0};
    } else {
        *op = (struct mixed_op){0, s, MIXED_FREE, 0};
        g->state[s] = 0;
    }
}

bool mixed_gen_teardown(struct mixed_gen *g, struct mixed_op *op)
{
    while (g->next < g->slots) {
        uint32_t s = g->next++;
        if (!g->state[s]) continue;
        *op = (struct mixed_op){0, s, MIXED_FREE, 0};
        g->state[s] = 0;
        return true;
    }
    return false;
}

size_t mixed_run(const struct bench_allocator *a, struct mixed_slot *slots,
                 const struct mixed_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct mixed_op *op = &ops[i];
        struct mixed_slot *s = &slots[op->slot];
        if (op->kind == MIXED_ALLOC) {
            char *p = a->alloc(op->size, (size_t)1 << op->align_log);
            if (!p) return i;
            *s = (struct mixed_slot){p, op->size, op->align_log};
            p[0] = 1, p[op->size - 1] = 2;
        } else if (op->kind == MIXED_REALLOC) {
            char *p = a->realloc(s->p, s->size, (size_t)1 << s->align_log, op->size);
            if (!p) return i;
            s->p = p, s->size = op->size;
            p[op->size - 1] = 3;
        } else {
            a->dealloc(s->p, s->size, (size_t)1 << s->align_log);
            s->p = NULL;
        }
    }
    return n;
}

/* ---- c1: the fragmentation ramp ------------------------------------------ */
struct ramp_state {
    uint32_t live[RAMP_SLOTS]; /* the live slots, in no order */
    uint32_t n_live;
    uint32_t free_slots[RAMP_SLOTS]; /* a stack of the others */
    uint32_t n_free;
    size_t live_bytes; /* the script's view: as if every allocation succeeded */
};

static struct ramp_state ramp;

static void ramp_alloc(const struct bench_allocator *a, struct mixed_slot *slots, uint64_t *rng,
                       size_t *actual_live, struct ramp_result *r)
{
    if (ramp.n_free == 0) panic("fragmentation ramp: more than %d blocks live", RAMP_SLOTS);
    uint32_t s = ramp.free_slots[--ramp.n_free];
    uint32_t size = log_uniform(rng, 4, 10);
    ramp.live[ramp.n_live++] = s;
    ramp.live_bytes += size;
    r->allocs++;
    char *p = a->alloc(size, 8);
    slots[s] = (struct mixed_slot){p, size, 3};
    if (!p) {
        if (r->failures++ == 0) r->first_failure_live = *actual_live;
        return;
    }
    p[0] = 1, p[size - 1] = 2;
    *actual_live += size;
    if (*actual_live > r->peak_live) r->peak_live = *actual_live;
}

static void ramp_free(const struct bench_allocator *a, struct mixed_slot *slots, uint32_t at,
                      size_t *actual_live)
{
    uint32_t s = ramp.live[at];
    ramp.live[at] = ramp.live[--ramp.n_live];
    ramp.free_slots[ramp.n_free++] = s;
    ramp.live_bytes -= slots[s].size;
    if (slots[s].p) {
        a->dealloc(slots[s].p, slots[s].size, 8);
        *actual_live -= slots[s].size;
    }
    slots[s].p = NULL;
}

struct ramp_result bench_fragmentation_ramp(const struct bench_allocator *a, size_t region,
                                            uint64_t seed, struct mixed_slot *slots)
{
    struct ramp_result r = {.region = region};
    uint64_t rng = seed ? seed : 1;
    size_t actual_live = 0;
    ramp.n_live = 0, ramp.n_free = 0, ramp.live_bytes = 0;
    for (uint32_t s = RAMP_SLOTS; s-- > 0;) ramp.free_slots[ramp.n_free++] = s;
    while (ramp.live_bytes < region / 2) ramp_alloc(a, slots, &rng, &actual_live, &r);
    for (size_t i = 0; i < RAMP_STEPS; i++) {
        size_t target = region / 2 + (size_t)((uint64_t)region * 6 * i / (10 * RAMP_STEPS));
        if (ramp.live_bytes < target)
            ramp_alloc(a, slots, &rng, &actual_live, &r);
        else
            ramp_free(a, slots, (uint32_t)(bench_rng(&rng) % ramp.n_live), &actual_live);
    }
    while (ramp.n_live) ramp_free(a, slots, ramp.n_live - 1, &actual_live);
    return r;
}

/* ---- c2: the phase change ------------------------------------------------ */

/* Allocate size-byte blocks until one fails, chained through their first
 * bytes; the head of the chain in *head. */
static size_t fill(const struct bench_allocator *a, size_t size, void **head)
{
    size_t n = 0;
    *head = NULL;
    for (void **p; (p = a->alloc(size, 8)) != NULL; n++) {
        *p = *head;
        *head = p;
    }
    return n;
}

static void free_chain(const struct bench_allocator *a, size_t size, void *head)
{
    while (head) {
        void *next = *(void **)head;
        a->dealloc(head, size, 8);
        head = next;
    }
}

struct phase_result bench_phase_change(const struct bench_allocator *a)
{
    struct phase_result r;
    void *head;
    r.small1 = fill(a, 16, &head);
    free_chain(a, 16, head);
    r.large = fill(a, 1024, &head);
    free_chain(a, 1024, head);
    r.small2 = fill(a, 16, &head);
    free_chain(a, 16, head);
    return r;
}
