/* Every collection of lib/ on the real kernel heap: values, order, growth
 * across capacity boundaries, destructors run exactly once, every block
 * inside [HEAP_START, HEAP_START + HEAP_SIZE), and each test gives back all
 * it took (heap_stats().used as before, heap_check() == 0). The random
 * workloads run against plain reference arrays, with fixed seeds. The
 * B-tree map and set are in collections_btree.c. With bump (make
 * ALLOCATOR=bump), where a case frees while other blocks live, it asserts
 * that nothing is reused instead (tests/kernel/bump_test.h). */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/arc.h"
#include "kiln/binheap.h"
#include "kiln/block_seal.h"
#include "kiln/box.h"
#include "kiln/btree.h"
#include "kiln/deque.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/list.h"
#include "kiln/rc.h"
#include "kiln/str.h"
#include "kiln/string.h"
#include "kiln/timer.h"
#include "kiln/vec.h"

#include "bump_test.h"
#include "collections_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    heap_set_max(HEAP_SIZE); /* the post's fixed 100 KiB heap: no growth */
    ktest_main();
}

/* That the heap holds what was just allocated on top of used0: with the
 * linked-list allocator exactly ll_bytes (its blocks rounded up to 16
 * bytes) and a 16-byte sealed header per block (kiln/block_seal.h); with
 * another design at least the payload and at most a size
 * class's rounding (2 * payload + 128 per block), since each design counts
 * its own way. The layers above the design (make HEAP_DEBUG=1) add
 * HEAP_BLOCK_OVERHEAD per block, a multiple of 16. */
static void expect_used(size_t used0, size_t ll_bytes, size_t payload, size_t blocks)
{
    size_t used = heap_used(), layers = blocks * HEAP_BLOCK_OVERHEAD;
    if (strcmp(heap_design(), "linked_list") == 0) {
        kassert_eq(used, used0 + ll_bytes + blocks * BLOCK_HEADER_SIZE + layers);
    } else {
        kassert(used >= used0 + payload + layers);
        kassert(used <= used0 + 2 * (payload + layers) + 128 * blocks);
    }
}

/* After a push: when the capacity changed, it doubled (or is the first),
 * the buffer lies in the heap, and the heap holds exactly that buffer; with
 * bump, which reuses nothing while the buffer lives, every buffer of the
 * doubling chain first, 2 first, ..., new_cap. */
static void check_growth(size_t *cap, size_t new_cap, size_t first, const void *buf,
                         size_t elem_size, size_t used0)
{
    if (new_cap == *cap) return;
    kassert_eq(new_cap, *cap ? 2 * *cap : first);
    *cap = new_cap;
    kassert(in_heap(buf, new_cap * elem_size));
    if (heap_is_bump()) {
        size_t chain = 0, buffers = 0;
        for (size_t c = first; c <= new_cap; c *= 2) chain += c * elem_size, buffers++;
        kassert(heap_used() >= used0 + chain);
        kassert(heap_used() <= used0 + chain + buffers * BUMP_BLOCK_SLACK);
        return;
    }
    expect_used(used0, (new_cap * elem_size + 15) / 16 * 16, new_cap * elem_size, 1);
}

struct point {
    int x, y;
};

struct aligned64 {
    _Alignas(64) uint64_t v[3];
};

/* A value that owns a box; its destructor counts, and panics when an id is
 * dropped twice. */
#define TRACKED_IDS 256
struct tracked {
    uint64_t id;
    struct point *owned;
};
static unsigned tracked_drops;
static bool tracked_dropped[TRACKED_IDS];

static struct tracked tracked_make(uint64_t id)
{
    kassert(id < TRACKED_IDS);
    return (struct tracked){id, BOX_NEW(struct point, {(int)id, -(int)id})};
}

static void tracked_drop(void *value)
{
    struct tracked *t = value;
    kassert(t->id < TRACKED_IDS && !tracked_dropped[t->id]);
    kassert_eq(t->owned->x, t->id);
    tracked_dropped[t->id] = true;
    __atomic_add_fetch(&tracked_drops, 1, __ATOMIC_RELEASE);
    BOX_FREE(t->owned);
}

#define tracked_reset() (tracked_drops = 0, memset(tracked_dropped, 0, sizeof tracked_dropped))

static uint8_t big_pattern[48 * 1024];

KTEST(box_values_alignment_and_reuse)
{
    size_t used0 = heap_used();
    struct point *p = BOX_NEW(struct point, {1, 2});
    struct aligned64 *a = BOX_NEW(struct aligned64, {{7, 8, 9}});
    kassert(in_heap(p, sizeof *p) && in_heap(a, sizeof *a) && (uintptr_t)a % 64 == 0);
    kassert((char *)p + sizeof *p <= (char *)a || (char *)a + sizeof *a <= (char *)p);
    kassert(p->x == 1 && p->y == 2 && a->v[0] == 7 && a->v[2] == 9);
    BOX_FREE(a);
    BOX_FREE(p);
    BOX_FREE((struct point *)NULL); /* dropping None */
    assert_heap_back_to(used0);

    /* The blog's many_boxes_long_lived: freed memory is reused, so 10000
     * boxes fit while one box lives throughout. bump reuses nothing while
     * long_lived lives: each box lands one step (8 bytes and what bump adds
     * to a block) above the last, for the 1000 boxes that surely fit. */
    uint64_t *long_lived = BOX_NEW(uint64_t, 1);
    size_t steady = 0; /* used with long_lived and one x live: the same every round */
    size_t step = 0, boxes = heap_is_bump() ? 1000 : 10000;
    for (uint64_t i = 0; i < boxes; i++) {
        uint64_t *x = BOX_NEW(uint64_t, i);
        kassert(in_heap(x, sizeof *x) && *x == i);
        if (i == 0) steady = heap_used();
        if (i == 1 && heap_is_bump()) step = heap_used() - steady;
        if (i % 100 == 0) kassert_eq(heap_used(), steady + i * step);
        BOX_FREE(x);
    }
    if (heap_is_bump()) kassert(step >= sizeof(uint64_t) && step <= 8 + BUMP_BLOCK_SLACK);
    /* two small blocks */
    kassert(steady > used0 && steady <= used0 + 2 * (64 + HEAP_BLOCK_OVERHEAD));
    kassert_eq(*long_lived, 1);
    BOX_FREE(long_lived);

    /* Half the heap in one box; a box larger than the heap fails cleanly. */
    for (size_t i = 0; i < sizeof big_pattern; i++) big_pattern[i] = (uint8_t)(i * 7 + 3);
    struct layout bl = {sizeof big_pattern, 8};
    uint8_t *big = box_new(big_pattern, bl);
    kassert(in_heap(big, sizeof big_pattern));
    kassert_eq(memcmp(big, big_pattern, sizeof big_pattern), 0);
    kassert(try_box_new(big_pattern, (struct layout){HEAP_SIZE, 8}) == NULL);
    box_free(big, bl);
    assert_heap_back_to(used0);
}

KTEST(vec_growth_values_and_errors)
{
    size_t used0 = heap_used(), cap = 0;
    struct vec v = VEC_NEW(uint64_t);
    kassert(v.data == NULL && heap_used() == used0); /* an empty vec does not allocate */
    for (uint64_t i = 0; i < 1000; i++) {
        VEC_PUSH(&v, uint64_t, i);
        check_growth(&cap, vec_capacity(&v), 4, v.data, 8, used0); /* 4, 8, ..., 1024 */
    }
    kassert_eq(cap, 1024);
    uint64_t sum = 0, out;
    vec_for_each (&v, uint64_t, x) sum += *x;
    kassert_eq(sum, 999 * 1000 / 2);
    for (size_t i = 0; i < 1000; i++) kassert_eq(VEC_AT(&v, uint64_t, i), i);
    VEC_INSERT(&v, uint64_t, 0, 12345);
    kassert(VEC_AT(&v, uint64_t, 0) == 12345 && VEC_AT(&v, uint64_t, 1000) == 999);
    vec_remove(&v, 0, &out);
    kassert(out == 12345 && VEC_AT(&v, uint64_t, 0) == 0);
    vec_swap_remove(&v, 10, &out); /* 999 moves into slot 10 */
    kassert(out == 10 && VEC_AT(&v, uint64_t, 10) == 999);
    kassert(vec_pop(&v, &out) && out == 998 && vec_len(&v) == 998);
    void *data = v.data; /* failures leave the vec exactly as it was */
    kassert_eq(try_vec_reserve(&v, SIZE_MAX), COLL_CAPACITY_OVERFLOW);
    kassert_eq(try_vec_reserve(&v, HEAP_SIZE / 8), COLL_ALLOC_FAILED);
    kassert(v.data == data && vec_len(&v) == 998 && vec_capacity(&v) == 1024);
    kassert_eq(VEC_AT(&v, uint64_t, 997), 997);
    vec_truncate(&v, 500);
    size_t held = heap_used();
    vec_shrink_to_fit(&v);
    kassert(vec_capacity(&v) == 500);
    if (heap_is_bump()) { /* the copy lands on top; the old buffer is not given back */
        kassert(heap_used() >= held + 500 * 8);
        kassert(heap_used() <= held + 500 * 8 + BUMP_BLOCK_SLACK);
    } else
        expect_used(used0, 500 * 8, 500 * 8, 1);
    kassert(VEC_AT(&v, uint64_t, 0) == 0 && VEC_AT(&v, uint64_t, 499) == 499);
    vec_clear(&v);
    kassert_eq(vec_capacity(&v), 500);
    vec_shrink_to_fit(&v); /* len 0: frees the buffer */
    kassert(v.data == NULL);
    assert_heap_back_to(used0);
}

KTEST(rc_counts_and_drops_once)
{
    size_t used0 = heap_used();
    tracked_reset();
    struct tracked *r = RC_NEW(struct tracked, tracked_drop, tracked_make(7));
    kassert(in_heap(r, sizeof *r) && r->id == 7 && r->owned->y == -7);
    kassert_eq(rc_strong_count(r), 1);
    struct tracked *clones[10];
    for (int i = 0; i < 10; i++) kassert((clones[i] = rc_clone(r)) == r);
    kassert_eq(rc_strong_count(r), 11);
    for (int i = 0; i < 10; i++) kassert(!rc_drop(clones[i]) && rc_strong_count(r) == 10u - i);
    kassert_eq(tracked_drops, 0);
    kassert(rc_drop(r));
    kassert(tracked_drops == 1 && tracked_dropped[7]);
    assert_heap_back_to(used0);
    struct aligned64 *a = RC_NEW(struct aligned64, NULL, {{1, 2, 3}});
    kassert(in_heap(a, sizeof *a) && (uintptr_t)a % 64 == 0);
    kassert_eq(a->v[0] + a->v[1] + a->v[2], 6);
    kassert(rc_drop(a));
    kassert(try_rc_new(big_pattern, (struct layout){HEAP_SIZE, 8}, NULL) == NULL);
    assert_heap_back_to(used0);
}

/* The timer hook takes the handle left in the mailbox and drops it, so
 * clones and drops race with the interrupt handler; at the end the last
 * drop, the destructor and the free all run inside the handler. */
static void *volatile arc_mailbox;
static volatile unsigned arc_irq_drops;

static void arc_tick(uint64_t tick)
{
    (void)tick;
    void *p = __atomic_exchange_n(&arc_mailbox, NULL, __ATOMIC_ACQ_REL);
    if (p) arc_drop(p), arc_irq_drops++;
}

KTEST(arc_counts_and_drops_once_also_from_interrupts)
{
    size_t used0 = heap_used();
    tracked_reset();
    struct tracked *a = ARC_NEW(struct tracked, tracked_drop, tracked_make(9));
    kassert(in_heap(a, sizeof *a) && a->id == 9);
    kassert(arc_strong_count(a) == 1 && arc_clone(a) == a && arc_strong_count(a) == 2);
    kassert(!arc_drop(a) && arc_strong_count(a) == 1);
    kassert(try_arc_new(big_pattern, (struct layout){HEAP_SIZE, 8}, NULL) == NULL);
    arc_mailbox = NULL, arc_irq_drops = 0;
    timer_set_hook(arc_tick);
    while (arc_irq_drops < 5) {
        if (__atomic_load_n(&arc_mailbox, __ATOMIC_ACQUIRE) == NULL)
            __atomic_store_n(&arc_mailbox, arc_clone(a), __ATOMIC_RELEASE);
        void *c = arc_clone(a);
        kassert(arc_strong_count(a) >= 2 && !arc_drop(c));
    }
    while (__atomic_load_n(&arc_mailbox, __ATOMIC_ACQUIRE) != NULL) hlt();
    kassert(arc_strong_count(a) == 1 && tracked_drops == 0);
    __atomic_store_n(&arc_mailbox, a, __ATOMIC_RELEASE); /* the last reference */
    while (__atomic_load_n(&tracked_drops, __ATOMIC_ACQUIRE) == 0) hlt();
    timer_set_hook(NULL);
    kassert(tracked_drops == 1 && tracked_dropped[9] && arc_mailbox == NULL);
    assert_heap_back_to(used0);
}

KTEST(str_growth_utf8_and_errors)
{
    size_t used0 = heap_used(), cap = 0;
    struct str s = str_new();
    kassert(s.buf == NULL && strcmp(str_as_cstr(&s), "") == 0);
    str_push_str(&s, "kiln");
    check_growth(&cap, str_capacity(&s), 8, s.buf, 1, used0);
    for (size_t i = 4; i < 300; i++) {
        str_append(&s, &(char){(char)('a' + i % 26)}, 1);
        check_growth(&cap, str_capacity(&s), 8, s.buf, 1, used0); /* 8, 16, ..., 512 */
    }
    kassert(cap == 512 && str_len(&s) == 300 && s.buf[300] == 0);
    kassert_eq(memcmp(s.buf, "kiln", 4), 0);
    for (size_t i = 4; i < 300; i++) kassert_eq(s.buf[i], 'a' + i % 26);
    str_clear(&s);
    for (int i = 0; i < 4; i++) str_push_char(&s, (uint32_t[]){'A', 0xE9, 0x20AC, 0x1F600}[i]);
    kassert(str_len(&s) == 10 && str_capacity(&s) == 512);
    kassert_eq(memcmp(s.buf, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 11), 0);
    kassert_eq(str_utf8_valid_up_to(s.buf, s.len), 10);
    str_truncate(&s, 3);
    str_appendf(&s, "|%zu", (size_t)123);
    kassert_eq(strcmp(str_as_cstr(&s), "A\xC3\xA9|123"), 0);
    char *buf = s.buf; /* failures leave the string as it was */
    kassert_eq(try_str_reserve(&s, SIZE_MAX), COLL_CAPACITY_OVERFLOW);
    kassert_eq(try_str_reserve(&s, HEAP_SIZE), COLL_ALLOC_FAILED);
    kassert(s.buf == buf && str_capacity(&s) == 512 && str_len(&s) == 7);
    str_free(&s);
    kassert(s.buf == NULL);
    assert_heap_back_to(used0);
}

KTEST(kformat_formats_into_a_new_string)
{
    size_t used0 = heap_used();
    struct str f = kformat("%d-%s", 42, "kiln");
    kassert(in_heap(f.buf, f.cap) && str_len(&f) == 7);
    kassert_eq(strcmp(str_as_cstr(&f), "42-kiln"), 0);
    str_free(&f);
    kassert_eq(heap_used(), used0);

    /* 504 bytes: the string grows several times inside one kformat. */
    f = kformat("%0500d|%s", -7, "end");
    kassert(str_len(&f) == 504 && in_heap(f.buf, f.cap) && f.buf[0] == '-');
    for (size_t i = 1; i < 499; i++) kassert_eq(f.buf[i], '0');
    kassert_eq(strcmp(f.buf + 499, "7|end"), 0);
    str_free(&f);
    assert_heap_back_to(used0);
}

KTEST(owned_list_order_and_drops)
{
    size_t used0 = heap_used();
    tracked_reset();
    struct owned_list l;
    OWNED_LIST_INIT(&l, struct tracked);
    kassert(owned_list_front(&l) == NULL && !owned_list_pop_back(&l, NULL));
    /* Front to back: ids 149 .. 100 (pushed at the front), then 0 .. 99. */
    for (uint64_t i = 0; i < 100; i++) OWNED_LIST_PUSH_BACK(&l, struct tracked, tracked_make(i));
    for (uint64_t i = 100; i < 150; i++) OWNED_LIST_PUSH_FRONT(&l, struct tracked, tracked_make(i));
    kassert_eq(owned_list_len(&l), 150);
    /* A node: {next, prev} and the 16-byte element, 32 bytes; a box: 16
     * (a struct point, rounded up to 16 by the linked list). */
    expect_used(used0, 150 * (32 + 16), 150 * (32 + sizeof(struct point)), 300);
    uint64_t n = 0;
    OWNED_LIST_FOR_EACH (&l, struct tracked, t) {
        kassert(in_heap(t, sizeof *t) && t->owned->x == (int)t->id);
        kassert_eq(t->id, n < 50 ? 149 - n : n - 50);
        n++;
    }
    kassert_eq(n, 150);
    n = 0;
    for (struct tracked *t = owned_list_back(&l); t; t = owned_list_prev(&l, t), n++)
        kassert_eq(t->id, n < 100 ? 99 - n : n);
    kassert_eq(n, 150);
    struct tracked out;
    kassert(owned_list_pop_front(&l, &out) && out.id == 149);
    tracked_drop(&out);
    kassert(owned_list_pop_back(&l, &out) && out.id == 99);
    tracked_drop(&out);
    kassert(owned_list_len(&l) == 148 && ((struct tracked *)owned_list_front(&l))->id == 148);
    kassert_eq(((struct tracked *)owned_list_back(&l))->id, 98);
    owned_list_free(&l, tracked_drop);
    kassert(tracked_drops == 150 && owned_list_len(&l) == 0 && owned_list_front(&l) == NULL);
    assert_heap_back_to(used0);
}

static int deque_ref[2048];

KTEST(deque_wraps_grows_and_matches_a_reference)
{
    size_t used0 = heap_used();
    /* A full, wrapped ring grows from every head position, so both ways of
     * unwrapping (move the wrapped run, or move the front run) happen. */
    for (int h = 0; h < 8; h++) {
        struct deque d = deque_with_capacity(sizeof(int), _Alignof(int), 8);
        for (int i = 0; i < h; i++) DEQUE_PUSH_BACK(&d, int, -1);
        for (int i = 0; i < h; i++) kassert(deque_pop_front(&d, NULL));
        for (int i = 0; i < 8; i++) DEQUE_PUSH_BACK(&d, int, i);
        kassert_eq(deque_capacity(&d), 8);
        DEQUE_PUSH_BACK(&d, int, 8);
        DEQUE_PUSH_FRONT(&d, int, -1);
        kassert(deque_capacity(&d) == 16 && in_heap(d.buf, 16 * sizeof(int)));
        for (int i = 0; i < 10; i++) kassert_eq(DEQUE_AT(&d, int, i), i - 1);
        deque_free(&d);
    }
    assert_heap_back_to(used0);

    /* Random pushes and pops at both ends: mostly pushes, then mostly pops. */
    rng_state = 0xdeadbeef;
    struct deque d = DEQUE_NEW(int);
    size_t n = 0, cap = 0;
    for (int op = 0; op < 6000; op++) {
        uint32_t r = rng() % 100, push = op < 3000 ? 70 : 40;
        int x = (int)rng(), out = 0;
        if (r < push / 2) {
            DEQUE_PUSH_BACK(&d, int, x);
            deque_ref[n++] = x;
        } else if (r < push) {
            DEQUE_PUSH_FRONT(&d, int, x);
            memmove(deque_ref + 1, deque_ref, n++ * sizeof(int));
            deque_ref[0] = x;
        } else if (r % 2) {
            kassert_eq(deque_pop_back(&d, &out), n > 0);
            if (n) kassert_eq(out, deque_ref[--n]);
        } else {
            kassert_eq(deque_pop_front(&d, &out), n > 0);
            if (n) kassert_eq(out, deque_ref[0]);
            if (n) memmove(deque_ref, deque_ref + 1, --n * sizeof(int));
        }
        kassert(n < sizeof deque_ref / sizeof deque_ref[0] && deque_len(&d) == n);
        if (n == 0) kassert(deque_front(&d) == NULL && deque_back(&d) == NULL);
        if (n) kassert(*(int *)deque_front(&d) == deque_ref[0]);
        if (n) kassert(*(int *)deque_back(&d) == deque_ref[n - 1]);
        check_growth(&cap, deque_capacity(&d), 4, d.buf, sizeof(int), used0);
        if (op % 256 == 0 || op == 5999)
            for (size_t i = 0; i < n; i++) kassert_eq(DEQUE_AT(&d, int, i), deque_ref[i]);
    }
    kassert(cap >= 256); /* it grew across several boundaries */
    deque_clear(&d);
    kassert(deque_len(&d) == 0 && deque_capacity(&d) == cap);
    deque_free(&d);
    assert_heap_back_to(used0);
}

static unsigned counts[500];

KTEST(binheap_orders_and_keeps_every_element)
{
    size_t used0 = heap_used();
    rng_state = 42;
    memset(counts, 0, sizeof counts);
    struct binheap h = BINHEAP_NEW(int, cmp_int);
    int max = -1, prev = 500, x;
    for (int i = 0; i < 1000; i++) {
        x = (int)(rng() % 500);
        counts[x]++;
        max = x > max ? x : max;
        BINHEAP_PUSH(&h, int, x);
        kassert_eq(binheap_check(&h), 0);
        kassert_eq(*BINHEAP_PEEK(&h, int), max);
    }
    kassert(in_heap(h.v.data, h.v.cap * sizeof(int)));
    for (int i = 0; i < 1000; i++) { /* non-increasing, and the same multiset */
        kassert(binheap_pop(&h, &x) && x <= prev && counts[x] > 0);
        prev = x, counts[x]--;
        if (i % 64 == 0) kassert_eq(binheap_check(&h), 0);
    }
    kassert(!binheap_pop(&h, &x) && binheap_peek(&h) == NULL);
    binheap_free(&h);
    assert_heap_back_to(used0);
    struct vec v = VEC_NEW(int); /* heapify a vec in place, then heap-sort it */
    for (int i = 0; i < 300; i++) VEC_PUSH(&v, int, (int)(rng() % 500));
    h = binheap_from_vec(v, cmp_int);
    kassert(binheap_check(&h) == 0 && binheap_len(&h) == 300);
    struct vec sorted = binheap_into_sorted_vec(&h);
    kassert_eq(vec_len(&sorted), 300);
    for (size_t i = 1; i < 300; i++)
        kassert(VEC_AT(&sorted, int, i - 1) <= VEC_AT(&sorted, int, i));
    vec_free(&sorted);
    binheap_free(&h);
    assert_heap_back_to(used0);
}
