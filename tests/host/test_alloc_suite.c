/* The shared allocator suite: every case runs against every design in the
 * registry (alloc_designs[]), through the design's own ops, with the design's
 * check() == 0 after every operation.
 *
 * What a design cannot do is written down in expectations[] below and
 * asserted as written: a design listed as not coalescing must really fail to
 * serve the coalesced request, so the table cannot drift from the code. A
 * design missing from the table (a new one, e.g. `default`) is held to every
 * case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/alloc_designs.h"

#define REGION   (4u << 20)
#define MAX_SIZE 512

static _Alignas(4096) unsigned char region[REGION];
static _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char state_buf[64 * 1024];

/* ---- what each design is known not to do ------------------------------- */

struct expectations {
    const char *design;
    bool coalesces;                /* adjacent freed blocks serve one larger block */
    bool serves_large_after_small; /* 16-byte fill, free all, then 1 KiB fits */
    bool detects_double_free;      /* a second free while other blocks are live */
    bool detects_interior;         /* a misaligned pointer into a live block */
    const char *why;
};

static const struct expectations expectations[] = {
    {"bump", false, true, true, true,
     "the post's bump allocator reuses nothing until every block is freed (kiln's sealed block "
     "header, kiln/block_seal.h, catches a double free or an interior pointer)"},
    {"linked_list", true, true, true, true, ""},
    {"fixed_block", false, false, true, true,
     "the post's fixed-size block allocator never returns a block to the fallback: freed blocks "
     "stay on their size's list and do not merge (the post's known weakness)"},
};

static const struct expectations strict = {NULL, true, true, true, true, ""};

static const struct expectations *expect_of(const struct alloc_design *d)
{
    for (size_t i = 0; i < sizeof expectations / sizeof expectations[0]; i++)
        if (strcmp(expectations[i].design, d->name) == 0) return &expectations[i];
    return &strict;
}

/* ---- a design under test ------------------------------------------------- */

static const struct alloc_design *D;
static struct allocator A;

static void setup_region(void *start, size_t size)
{
    if (D->state_size > sizeof state_buf)
        fail_msg("%s: state of %zu bytes > the suite's %zu", D->name, D->state_size,
                 sizeof state_buf);
    D->init(state_buf, start, size);
    A = D->allocator(state_buf);
}

#define CHECK()                                                                                    \
    do {                                                                                           \
        size_t broken_ = D->check(state_buf);                                                      \
        struct alloc_stats s_ = D->stats(state_buf);                                               \
        if (broken_ || s_.free + s_.used != s_.size)                                               \
            fail_msg("%s:%d: %s: check() == %zu, free %zu + used %zu != size %zu", __FILE__,       \
                     __LINE__, D->name, broken_, s_.free, s_.used, s_.size);                       \
    } while (0)

static uint8_t pattern(size_t i, size_t tag)
{
    return (uint8_t)(i * 131 + tag * 7 + 1);
}

static void fill(void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++) ((uint8_t *)p)[i] = pattern(i, tag);
}

static void expect_filled(const void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++)
        if (((const uint8_t *)p)[i] != pattern(i, tag))
            fail_msg("%s: block %p (tag %zu) byte %zu was overwritten", D->name, p, tag, i);
}

/* alloc through the design's ops; NULL allowed. A block must be aligned and
 * inside the region. */
static void *try_alloc(size_t size, size_t align)
{
    void *p = A.ops->alloc(A.state, (struct layout){size, align});
    CHECK();
    if (p == NULL) return NULL;
    uintptr_t a = (uintptr_t)p;
    if (a % align != 0) fail_msg("%s: {%zu, %zu} at %p: misaligned", D->name, size, align, p);
    if (a < (uintptr_t)region || a + size > (uintptr_t)region + REGION)
        fail_msg("%s: {%zu, %zu} at %p: outside the region", D->name, size, align, p);
    return p;
}

static void *alloc_ok(size_t size, size_t align)
{
    void *p = try_alloc(size, align);
    if (p == NULL) fail_msg("%s: alloc {%zu, %zu} failed", D->name, size, align);
    return p;
}

static void dealloc(void *p, size_t size, size_t align)
{
    A.ops->dealloc(A.state, p, (struct layout){size, align});
    CHECK();
}

static void expect_all_free(void)
{
    struct alloc_stats s = D->stats(state_buf);
    if (s.used != 0 || s.free != s.size)
        fail_msg("%s: everything freed, but used %zu, free %zu of %zu", D->name, s.used, s.free,
                 s.size);
    CHECK();
}

/* ---- every size x every alignment x four free orders ---------------------- */

static void case_every_size_align_order(void)
{
    static void *blocks[MAX_SIZE + 1];
    static size_t idx[MAX_SIZE];
    rng_state = 0x9e3779b97f4a7c15ull;
    for (size_t align = 1; align <= 4096; align *= 2) {
        setup_region(region, REGION);
        for (enum free_order o = FORWARD; o <= RANDOM; o++) {
            for (size_t size = 1; size <= MAX_SIZE; size++) {
                blocks[size] = alloc_ok(size, align);
                fill(blocks[size], size, size);
            }
            free_order(o, idx, MAX_SIZE);
            for (size_t i = 0; i < MAX_SIZE; i++) {
                size_t size = idx[i] + 1;
                expect_filled(blocks[size], size, size);
                dealloc(blocks[size], size, align);
            }
            expect_all_free();
        }
    }
}

/* ---- random work: alloc, realloc, free; no two live blocks overlap -------- */

static void random_workload(uint64_t seed, size_t heap_bytes)
{
    enum { SLOTS = 128, OPS = 6000 };
    static struct {
        unsigned char *p;
        size_t size, align, tag;
    } slot[SLOTS];
    memset(slot, 0, sizeof slot);
    rng_state = seed;
    setup_region(region, heap_bytes);
    for (size_t op = 0; op < OPS; op++) {
        size_t i = rnd() % SLOTS;
        uint64_t r = rnd();
        if (slot[i].p == NULL) {
            size_t size = (size_t)1 << (r % 13);
            size_t align = (r >> 8) % 8 ? 8 : (size_t)1 << (r >> 12) % 13;
            size = size + (r >> 20) % size;
            unsigned char *p = try_alloc(size, align);
            if (p == NULL) continue;
            for (size_t j = 0; j < SLOTS; j++)
                if (slot[j].p && p < slot[j].p + slot[j].size && slot[j].p < p + size)
                    fail_msg("%s: {%zu, %zu} at %p overlaps the live block %p of %zu", D->name,
                             size, align, (void *)p, (void *)slot[j].p, slot[j].size);
            slot[i].p = p, slot[i].size = size, slot[i].align = align, slot[i].tag = op;
            fill(p, size, op);
        } else if (r % 3 == 0) {
            size_t new_size = 1 + (r >> 4) % 6000;
            struct layout l = {slot[i].size, slot[i].align};
            void *q = allocator_realloc(&A, slot[i].p, l, new_size);
            CHECK();
            if (q == NULL) {
                expect_filled(slot[i].p, slot[i].size, slot[i].tag);
                continue;
            }
            assert_int_equal((uintptr_t)q % slot[i].align, 0);
            expect_filled(q, slot[i].size < new_size ? slot[i].size : new_size, slot[i].tag);
            slot[i].p = q, slot[i].size = new_size, slot[i].tag = op;
            fill(q, new_size, op);
        } else {
            expect_filled(slot[i].p, slot[i].size, slot[i].tag);
            dealloc(slot[i].p, slot[i].size, slot[i].align);
            slot[i].p = NULL;
        }
    }
    for (size_t i = 0; i < SLOTS; i++) {
        if (slot[i].p == NULL) continue;
        expect_filled(slot[i].p, slot[i].size, slot[i].tag);
        dealloc(slot[i].p, slot[i].size, slot[i].align);
    }
    expect_all_free();
}

static void case_random_workload(void)
{
    random_workload(42, 1u << 20);
    random_workload(0xdeadbeef, 256u << 10); /* tight: OOM is common */
}

/* ---- out of memory ---------------------------------------------------------- */

static void case_oom_leaves_heap_intact(void)
{
    enum { N = 8192 };
    static void *blocks[N];
    /* 64 KiB just past a 1 MiB boundary: no address in it is 1 MiB-aligned */
    uintptr_t mib = ((uintptr_t)region + (1u << 20) - 1) & ~(uintptr_t)((1u << 20) - 1);
    setup_region((void *)(mib + 4096), 64 * 1024);
    const struct layout invalid[] = {{8, 0}, {8, 24}, {SIZE_MAX, 16}, {SIZE_MAX - 3, 4}};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        assert_null(allocator_alloc(&A, invalid[i]));
    assert_null(try_alloc(64 * 1024 + 1, 1));
    assert_null(try_alloc(1u << 20, 8));
    assert_null(try_alloc(1, 1u << 20));
    size_t n = 0;
    while ((blocks[n] = try_alloc(64, 8)) != NULL) {
        fill(blocks[n], 64, n);
        if (++n == N) fail_msg("%s: more than %d blocks of 64 bytes in 64 KiB", D->name, N);
    }
    if (n < 64 * 1024 / 64 / 2) fail_msg("%s: only %zu blocks of 64 bytes in 64 KiB", D->name, n);
    for (int k = 0; k < 3; k++) assert_null(try_alloc(64, 8));
    for (size_t i = 0; i < n; i++) expect_filled(blocks[i], 64, i);
    for (size_t i = 0; i < n; i++) dealloc(blocks[i], 64, 8);
    expect_all_free();
    /* after freeing everything, the same blocks fit again */
    for (size_t i = 0; i < n; i++) blocks[i] = alloc_ok(64, 8);
    for (size_t i = 0; i < n; i++) dealloc(blocks[i], 64, 8);
    expect_all_free();
}

/* ---- coalescing and the phase change ---------------------------------------- */

/* 1 KiB blocks fill a 4 KiB region (four without block headers, three with
 * them); two adjacent ones are freed: a 2 KiB block fits only where freed
 * neighbours merge. */
static void case_coalescing(void)
{
    const struct expectations *e = expect_of(D);
    setup_region(region, 4096);
    void *b[4];
    size_t n = 0;
    while (n < 4 && (b[n] = try_alloc(1024, 8)) != NULL) n++;
    if (n < 3) fail_msg("%s: only %zu blocks of 1 KiB in 4 KiB", D->name, n);
    assert_null(try_alloc(2048, 8)); /* no hole fits 2 KiB before the frees */
    dealloc(b[2], 1024, 8);
    dealloc(b[1], 1024, 8);
    void *big = try_alloc(2048, 8);
    if (e->coalesces) {
        if (big == NULL) fail_msg("%s: two adjacent 1 KiB holes do not serve 2 KiB", D->name);
        dealloc(big, 2048, 8);
    } else if (big != NULL) {
        fail_msg("%s: the expectations say it does not coalesce, but it served 2 KiB: update "
                 "expectations[]",
                 D->name);
    }
    dealloc(b[0], 1024, 8);
    if (n == 4) dealloc(b[3], 1024, 8);
    expect_all_free();
}

/* The post's phase change: 16-byte blocks until the region is full, free
 * them all, then one 1 KiB block. */
static void case_large_after_small(void)
{
    enum { N = 16 * 1024 / 16 };
    static void *blocks[N];
    const struct expectations *e = expect_of(D);
    setup_region(region, 16 * 1024);
    size_t n = 0;
    while (n < N && (blocks[n] = try_alloc(16, 8)) != NULL) n++;
    assert_null(try_alloc(16, 8));
    for (size_t i = 0; i < n; i++) dealloc(blocks[i], 16, 8);
    expect_all_free();
    void *big = try_alloc(1024, 8);
    if (e->serves_large_after_small) {
        if (big == NULL)
            fail_msg("%s: 1 KiB does not fit after 16-byte blocks were freed", D->name);
        dealloc(big, 1024, 8);
    } else if (big != NULL) {
        fail_msg("%s: the expectations say 1 KiB cannot fit here, but it did: update "
                 "expectations[]",
                 D->name);
    }
}

/* ---- realloc keeps the data -------------------------------------------------- */

static void case_realloc_keeps_data(void)
{
    static const size_t sizes[] = {1, 16, 17, 100, 1000, 4000, 20000, 3000, 200, 15, 1};
    static const size_t aligns[] = {1, 8, 64, 4096};
    for (size_t a = 0; a < sizeof aligns / sizeof aligns[0]; a++) {
        setup_region(region, 1u << 20);
        size_t align = aligns[a], size = sizes[0];
        unsigned char *p = alloc_ok(size, align);
        void *other = alloc_ok(48, 8); /* a neighbour, so some resizes must move */
        fill(p, size, 1);
        for (size_t i = 1; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t n = sizes[i];
            unsigned char *q = allocator_realloc(&A, p, (struct layout){size, align}, n);
            CHECK();
            if (q == NULL) fail_msg("%s: realloc %zu -> %zu failed", D->name, size, n);
            assert_int_equal((uintptr_t)q % align, 0);
            expect_filled(q, size < n ? size : n, i);
            fill(q, n, i + 1);
            p = q, size = n;
        }
        /* a realloc that cannot fit leaves the block as it was */
        assert_null(allocator_realloc(&A, p, (struct layout){size, align}, 8u << 20));
        CHECK();
        expect_filled(p, size, sizeof sizes / sizeof sizes[0]);
        /* alloc_zeroed is zero, also over memory that was dirty */
        dealloc(p, size, align);
        unsigned char *z = allocator_alloc_zeroed(&A, (struct layout){3000, align});
        CHECK();
        assert_non_null(z);
        for (size_t i = 0; i < 3000; i++) assert_int_equal(z[i], 0);
        dealloc(z, 3000, align);
        dealloc(other, 48, 8);
        expect_all_free();
    }
}

/* ---- growth ------------------------------------------------------------------- */

static void case_extend(void)
{
    if (D->extend == NULL) {
        /* written down: the design cannot grow; growth logic must see NULL */
        assert_string_equal(D->name, "bump");
        return;
    }
    setup_region(region, 4096);
    void *b[8];
    size_t n = 0;
    while (n < 8 && (b[n] = try_alloc(1024, 8)) != NULL) n++;
    assert_true(n <= 4);
    assert_null(try_alloc(4096, 8));
    size_t before = D->stats(state_buf).size;
    D->extend(state_buf, 8192);
    CHECK();
    assert_int_equal(D->stats(state_buf).size, before + 8192);
    void *big = alloc_ok(4096, 8);
    for (size_t i = 0; i < n; i++) dealloc(b[i], 1024, 8);
    dealloc(big, 4096, 8);
    expect_all_free();
}

/* ---- misuse the design detects ------------------------------------------------ */

static void case_misuse_panics(void)
{
    const struct expectations *e = expect_of(D);
    struct layout l = {64, 8};
    setup_region(region + 4096, 64 * 1024);
    unsigned char *a = alloc_ok(64, 8), *b = alloc_ok(64, 8);
    static char outside[64];
    EXPECT_PANIC(A.ops->dealloc(A.state, outside, l), "invalid free");
    EXPECT_PANIC(A.ops->dealloc(A.state, region, l), "invalid free"); /* below the region */
    EXPECT_PANIC(allocator_dealloc(&A, a, (struct layout){64, 3}), "LAYOUT_ALIGN_NOT_POWER_OF_TWO");
    EXPECT_PANIC(allocator_dealloc(&A, a, (struct layout){64, 0}), "LAYOUT_ALIGN_ZERO");
    CHECK();
    if (e->detects_interior) {
        EXPECT_PANIC(A.ops->dealloc(A.state, a + 1, l), "invalid free");
        CHECK();
    }
    dealloc(a, 64, 8);
    if (e->detects_double_free) {
        EXPECT_PANIC(A.ops->dealloc(A.state, a, l), "double free");
        CHECK();
    } else {
        /* written down in expectations[]: accepted silently */
        A.ops->dealloc(A.state, a, l);
        return; /* the heap's bookkeeping is now wrong: nothing more to test on it */
    }
    dealloc(b, 64, 8);
    expect_all_free();
}

/* ---- the runner: one cmocka case per design x case ----------------------------- */

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    {"every_size_align_order", case_every_size_align_order},
    {"random_workload", case_random_workload},
    {"oom_leaves_heap_intact", case_oom_leaves_heap_intact},
    {"coalescing", case_coalescing},
    {"large_after_small", case_large_after_small},
    {"realloc_keeps_data", case_realloc_keeps_data},
    {"extend", case_extend},
    {"misuse_panics", case_misuse_panics},
};
#define NCASES (sizeof cases / sizeof cases[0])

struct job {
    const struct alloc_design *design;
    size_t c;
};

static void run_job(void **state)
{
    const struct job *j = *state;
    D = j->design;
    cases[j->c].run();
}

int main(void)
{
    size_t n = alloc_design_count * NCASES;
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    struct job *jobs = calloc(n, sizeof *jobs);
    char(*names)[96] = calloc(n, sizeof *names);
    if (!tests || !jobs || !names) return 1;
    for (size_t d = 0, k = 0; d < alloc_design_count; d++)
        for (size_t c = 0; c < NCASES; c++, k++) {
            jobs[k] = (struct job){alloc_designs[d], c};
            snprintf(names[k], sizeof names[k], "%s/%s", alloc_designs[d]->name, cases[c].name);
            tests[k] = (struct CMUnitTest){
                .name = names[k], .test_func = run_job, .initial_state = &jobs[k]};
        }
    int failed = _cmocka_run_group_tests("alloc_suite", tests, n, NULL, NULL);
    free(tests);
    free(jobs);
    free(names);
    return failed;
}
