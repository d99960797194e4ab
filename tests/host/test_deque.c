/* deque: growth that keeps the order across the wrap (both ways of moving),
 * bounds, OOM, and random operations against a reference sequence. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/deque.h"

static void expect_run(struct deque *d, int first, int count)
{
    assert_int_equal(deque_len(d), count);
    for (int i = 0; i < count; i++) assert_int_equal(DEQUE_AT(d, int, i), first + i);
}

static void test_empty(void **state)
{
    (void)state;
    host_alloc_install();
    struct deque d = DEQUE_NEW(int);
    int out = 3;
    assert_false(deque_pop_back(&d, &out));
    assert_false(deque_pop_front(&d, &out));
    assert_int_equal(out, 3);
    assert_null(deque_front(&d));
    assert_null(deque_back(&d));
    assert_true(deque_is_empty(&d));
    EXPECT_PANIC(deque_get(&d, 0), "deque_get: index 0 out of bounds (len 0)");
    EXPECT_PANIC(deque_new(0, 1), "deque_new: element size 0");
    EXPECT_PANIC(deque_new(8, 6), "deque_new: alignment 6 is not a power of two");
    EXPECT_PANIC(deque_new(4, 8), "deque_new: element size 4 is not a multiple of its alignment 8");
    NO_LEAKS();
    deque_free(&d);
    struct deque c = deque_with_capacity(sizeof(int), _Alignof(int), 5);
    assert_int_equal(deque_capacity(&c), 8); /* rounded up to a power of two */
    deque_free(&c);
    NO_LEAKS();
}

/* Fill a capacity-8 deque so that its head sits at slot head, full, then
 * grow it by one push and check the order survives. */
static void grow_from_head(size_t head, bool at_front)
{
    struct deque d = DEQUE_NEW(int);
    deque_reserve(&d, 8);
    assert_int_equal(deque_capacity(&d), 8);
    for (size_t i = 0; i < head; i++) DEQUE_PUSH_BACK(&d, int, -1);
    for (size_t i = 0; i < head; i++) deque_pop_front(&d, NULL);
    for (int i = 0; i < 8; i++) DEQUE_PUSH_BACK(&d, int, 100 + i);
    assert_int_equal(d.head, head);
    assert_int_equal(deque_capacity(&d), 8);
    if (at_front) {
        DEQUE_PUSH_FRONT(&d, int, 99);
        expect_run(&d, 99, 9);
    } else {
        DEQUE_PUSH_BACK(&d, int, 108);
        expect_run(&d, 100, 9);
    }
    assert_int_equal(deque_capacity(&d), 16);
    for (int i = at_front ? 108 : 109; i < 140; i++) DEQUE_PUSH_BACK(&d, int, i); /* and again */
    assert_int_equal(deque_capacity(&d), 64);
    expect_run(&d, at_front ? 99 : 100, at_front ? 41 : 40);
    deque_free(&d);
}

static void test_growth_keeps_order_across_the_wrap(void **state)
{
    (void)state;
    host_alloc_install();
    for (size_t head = 0; head < 8; head++) { /* 6: the front run moves; 2: the wrapped run */
        grow_from_head(head, false);
        grow_from_head(head, true);
    }
    NO_LEAKS();
}

static void test_bounds_and_oom(void **state)
{
    (void)state;
    host_alloc_install();
    struct deque d = DEQUE_NEW(int);
    for (int i = 0; i < 4; i++) DEQUE_PUSH_FRONT(&d, int, 3 - i); /* 0 1 2 3, wrapped */
    EXPECT_PANIC(deque_get(&d, 4), "deque_get: index 4 out of bounds (len 4)");
    EXPECT_PANIC((void)DEQUE_AT(&d, char, 0), "a 1-byte type used on a deque of 4-byte");
    expect_run(&d, 0, 4);
    host_alloc_fail_after(0);
    int x = 9;
    assert_int_equal(try_deque_push_back(&d, &x), COLL_ALLOC_FAILED);
    assert_int_equal(try_deque_push_front(&d, &x), COLL_ALLOC_FAILED);
    assert_int_equal(try_deque_reserve(&d, 1), COLL_ALLOC_FAILED);
    EXPECT_PANIC(deque_push_back(&d, &x), "allocation error: Layout { size: 32, align: 4 }");
    assert_int_equal(deque_capacity(&d), 4);
    expect_run(&d, 0, 4);
    host_alloc_fail_after(SIZE_MAX);
    assert_int_equal(try_deque_reserve(&d, SIZE_MAX), COLL_CAPACITY_OVERFLOW);
    assert_int_equal(try_deque_reserve(&d, SIZE_MAX / 4), COLL_CAPACITY_OVERFLOW);
    EXPECT_PANIC(deque_reserve(&d, SIZE_MAX), "deque_reserve: len 4");
    assert_int_equal(try_deque_push_front(&d, &x), COLL_OK);
    assert_int_equal(*(int *)deque_front(&d), 9);
    assert_int_equal(*(int *)deque_back(&d), 3);
    deque_clear(&d);
    assert_int_equal(deque_len(&d), 0);
    assert_int_equal(deque_capacity(&d), 8);
    deque_free(&d);
    NO_LEAKS();
}

/* A 24-byte element; the reference is ref[lo..hi). */
struct elem {
    uint64_t a, b, c;
};
#define REF_CAP 40000
static struct elem ref[REF_CAP];

static void test_random_against_reference(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 0xdeadbeefcafe;
    size_t lo = REF_CAP / 2, hi = lo;
    struct deque d = DEQUE_NEW(struct elem);
    for (int step = 0; step < 30000; step++) {
        struct elem x = {rnd(), rnd(), (uint64_t)step}, out;
        unsigned op = (unsigned)(rnd() % 9);
        if (step <= 15000 && op == 4) op = 6;            /* the first half grows, */
        if (step > 15000) op = op < 3 ? 4 + op % 2 : op; /* the second half drains */
        switch (op) {
        case 0:
        case 6:
            deque_push_back(&d, &x);
            ref[hi++] = x;
            break;
        case 1:
        case 7:
            deque_push_front(&d, &x);
            ref[--lo] = x;
            break;
        case 2:
            if (rnd() % 50 == 0) deque_reserve(&d, rnd() % 100);
            break;
        case 3:
        case 4:
            assert_int_equal(deque_pop_back(&d, &out), hi > lo);
            if (hi > lo) assert_memory_equal(&out, &ref[--hi], sizeof out);
            break;
        case 5:
        case 8:
            assert_int_equal(deque_pop_front(&d, &out), hi > lo);
            if (hi > lo) assert_memory_equal(&out, &ref[lo++], sizeof out);
            break;
        }
        size_t n = hi - lo;
        assert_int_equal(deque_len(&d), n);
        size_t cap = deque_capacity(&d);
        assert_true(cap >= n);
        assert_int_equal(cap & (cap - 1), 0); /* 0 or a power of two */
        if (n) {
            assert_memory_equal(deque_front(&d), &ref[lo], sizeof(struct elem));
            assert_memory_equal(deque_back(&d), &ref[hi - 1], sizeof(struct elem));
            size_t i = (size_t)(rnd() % n);
            assert_memory_equal(deque_get(&d, i), &ref[lo + i], sizeof(struct elem));
        }
        if (step % 500 == 0)
            for (size_t i = 0; i < n; i++)
                assert_memory_equal(deque_get(&d, i), &ref[lo + i], sizeof(struct elem));
    }
    assert_int_equal(deque_len(&d), 0);
    assert_true(deque_capacity(&d) >= 2048); /* it grew through many doublings */
    deque_free(&d);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_growth_keeps_order_across_the_wrap),
        cmocka_unit_test(test_bounds_and_oom),
        cmocka_unit_test(test_random_against_reference),
    };
    return RUN_TESTS(tests);
}
