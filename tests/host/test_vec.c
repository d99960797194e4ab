/* vec: growth, bounds, the try_ forms under OOM, and random operations
 * against a plain array. host_alloc_live() == 0 at the end of every test. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/vec.h"

static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

static void test_new_does_not_allocate(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(int);
    assert_null(v.data);
    assert_int_equal(vec_len(&v), 0);
    assert_int_equal(vec_capacity(&v), 0);
    assert_true(vec_is_empty(&v));
    int out = 7;
    assert_false(vec_pop(&v, &out)); /* an empty pop changes nothing */
    assert_int_equal(out, 7);
    vec_for_each (&v, int, it) fail_msg("an empty vec has no element %d", *it);
    NO_LEAKS();
    vec_free(&v);
    struct vec w = VEC_WITH_CAPACITY(int, 0);
    assert_null(w.data);
    NO_LEAKS();
}

/* Capacity doubles from 4; every growth moves the buffer (the post's "vec at
 * 0x...": the host allocator has no in-place realloc). */
static void test_growth_doubles_and_moves(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(uint64_t);
    size_t expect_cap = 0, moves = 0;
    void *last = NULL;
    for (uint64_t i = 0; i < 1000; i++) {
        if (vec_len(&v) == expect_cap) expect_cap = expect_cap ? 2 * expect_cap : 4;
        VEC_PUSH(&v, uint64_t, i * 3);
        assert_int_equal(vec_capacity(&v), expect_cap);
        if (v.data != last) moves++, last = v.data;
        assert_int_equal((uintptr_t)v.data % _Alignof(uint64_t), 0);
        assert_int_equal(host_alloc_live(), 1);
    }
    assert_int_equal(moves, 9); /* 4, 8, ..., 1024 */
    uint64_t sum = 0, i = 0;
    vec_for_each (&v, uint64_t, it) {
        assert_int_equal(*it, 3 * i++);
        sum += *it;
    }
    assert_int_equal(i, 1000);
    assert_int_equal(sum, 3 * 999 * 1000 / 2); /* the blog's large_vec */
    assert_int_equal(VEC_AT(&v, uint64_t, 999), 2997);
    vec_free(&v);
    assert_null(v.data);
    assert_int_equal(vec_capacity(&v), 0);
    NO_LEAKS();
}

static void test_min_capacity_by_element_size(void **state)
{
    (void)state;
    host_alloc_install();
    struct big {
        char bytes[2000];
    };
    struct vec b = VEC_NEW(char), m = VEC_NEW(int), l = VEC_NEW(struct big);
    VEC_PUSH(&b, char, 'x');
    VEC_PUSH(&m, int, 1);
    static struct big one = {{1}};
    vec_push(&l, &one);
    assert_int_equal(vec_capacity(&b), 8);
    assert_int_equal(vec_capacity(&m), 4);
    assert_int_equal(vec_capacity(&l), 1);
    vec_push(&l, &one);
    assert_int_equal(vec_capacity(&l), 2);
    assert_int_equal(((struct big *)vec_get(&l, 1))->bytes[0], 1);
    vec_free(&b);
    vec_free(&m);
    vec_free(&l);
    NO_LEAKS();
}

static void test_bounds_panic_with_index_and_len(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(int);
    for (int i = 0; i < 3; i++) VEC_PUSH(&v, int, i);
    int x = 9;
    EXPECT_PANIC(vec_get(&v, 7), "vec_get: index 7 out of bounds (len 3)");
    EXPECT_PANIC(vec_get(&v, 3), "vec_get: index 3 out of bounds (len 3)");
    EXPECT_PANIC(vec_set(&v, 3, &x), "vec_set: index 3 out of bounds (len 3)");
    EXPECT_PANIC(vec_remove(&v, 5, NULL), "vec_remove: index 5 out of bounds (len 3)");
    EXPECT_PANIC(vec_swap_remove(&v, 3, NULL), "vec_swap_remove: index 3 out of bounds");
    EXPECT_PANIC(vec_insert(&v, 4, &x), "vec_insert: index 4 out of bounds (len 3)");
    EXPECT_PANIC((void)VEC_AT(&v, char, 0), "a 1-byte type used on a vec of 4-byte elements");
    /* the vec survived every panic untouched */
    assert_int_equal(vec_len(&v), 3);
    for (int i = 0; i < 3; i++) assert_int_equal(VEC_AT(&v, int, i), i);
    vec_insert(&v, 3, &x); /* i == len is an append */
    assert_int_equal(VEC_AT(&v, int, 3), 9);
    vec_free(&v);
    EXPECT_PANIC(vec_get(&v, 0), "vec_get: index 0 out of bounds (len 0)");
    EXPECT_PANIC(vec_new(0, 1), "element size 0");
    EXPECT_PANIC(vec_new(4, 3), "alignment 3 is not a power of two");
    EXPECT_PANIC(vec_new(6, 4), "element size 6 is not a multiple of its alignment 4");
    NO_LEAKS();
}

static void test_insert_remove_order(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(int);
    VEC_PUSH(&v, int, 1);
    VEC_INSERT(&v, int, 0, 0);
    VEC_INSERT(&v, int, 2, 3);
    VEC_INSERT(&v, int, 2, 2);
    int want[] = {0, 1, 2, 3};
    assert_memory_equal(VEC_DATA(&v, int), want, sizeof want);
    int out;
    vec_remove(&v, 1, &out);
    assert_int_equal(out, 1);
    vec_swap_remove(&v, 0, &out); /* the last (3) moves to 0 */
    assert_int_equal(out, 0);
    int want2[] = {3, 2};
    assert_int_equal(vec_len(&v), 2);
    assert_memory_equal(VEC_DATA(&v, int), want2, sizeof want2);
    vec_swap_remove(&v, 1, &out); /* the last itself */
    assert_int_equal(out, 2);
    assert_true(vec_pop(&v, &out));
    assert_int_equal(out, 3);
    assert_false(vec_pop(&v, &out));
    vec_free(&v);
    NO_LEAKS();
}

static void test_reserve_shrink_truncate_clear(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(short);
    vec_reserve(&v, 100);
    assert_int_equal(vec_capacity(&v), 100);
    void *buf = v.data;
    for (short i = 0; i < 100; i++) VEC_PUSH(&v, short, i);
    assert_ptr_equal(v.data, buf); /* reserved room: no move */
    vec_reserve(&v, 1);
    assert_int_equal(vec_capacity(&v), 200); /* doubling beats the bare need */
    vec_reserve(&v, 1000);
    assert_int_equal(vec_capacity(&v), 1100); /* the need beats doubling */
    vec_truncate(&v, 10);
    vec_truncate(&v, 50); /* longer than len: nothing */
    assert_int_equal(vec_len(&v), 10);
    vec_shrink_to_fit(&v);
    assert_int_equal(vec_capacity(&v), 10);
    for (short i = 0; i < 10; i++) assert_int_equal(VEC_AT(&v, short, i), i);
    vec_clear(&v);
    assert_int_equal(vec_capacity(&v), 10);
    assert_int_equal(host_alloc_live(), 1);
    vec_shrink_to_fit(&v); /* len 0: the buffer goes */
    assert_null(v.data);
    assert_int_equal(vec_capacity(&v), 0);
    NO_LEAKS();
    EXPECT_PANIC(vec_reserve(&v, SIZE_MAX / 2), "capacity");
    assert_int_equal(try_vec_reserve(&v, SIZE_MAX), COLL_CAPACITY_OVERFLOW);
    assert_int_equal(try_vec_reserve(&v, SIZE_MAX / 2), COLL_CAPACITY_OVERFLOW);
    VEC_PUSH(&v, short, 1);
    assert_int_equal(try_vec_reserve(&v, SIZE_MAX), COLL_CAPACITY_OVERFLOW);
    assert_int_equal(vec_len(&v), 1);
    vec_free(&v);
    NO_LEAKS();
    assert_string_equal(coll_error_name(COLL_ALLOC_FAILED), "COLL_ALLOC_FAILED");
    assert_string_equal(coll_error_name(COLL_CAPACITY_OVERFLOW), "COLL_CAPACITY_OVERFLOW");
}

/* A failed try_ leaves the vec exactly as it was; the plain form panics
 * through alloc_error. */
static void test_oom(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(int);
    host_alloc_fail_after(0);
    assert_int_equal(TRY_VEC_PUSH(&v, int, 1), COLL_ALLOC_FAILED);
    assert_null(v.data);
    assert_int_equal(vec_len(&v), 0);
    host_alloc_fail_after(SIZE_MAX);
    for (int i = 0; i < 4; i++) assert_int_equal(TRY_VEC_PUSH(&v, int, i), COLL_OK);
    void *buf = v.data;
    host_alloc_fail_after(0);
    int x = 99;
    assert_int_equal(try_vec_push(&v, &x), COLL_ALLOC_FAILED);
    assert_int_equal(try_vec_insert(&v, 0, &x), COLL_ALLOC_FAILED);
    assert_int_equal(try_vec_reserve(&v, 1), COLL_ALLOC_FAILED);
    assert_int_equal(try_vec_reserve(&v, 0), COLL_OK); /* no growth needed */
    assert_ptr_equal(v.data, buf);
    assert_int_equal(vec_len(&v), 4);
    assert_int_equal(vec_capacity(&v), 4);
    for (int i = 0; i < 4; i++) assert_int_equal(VEC_AT(&v, int, i), i);
    EXPECT_PANIC(vec_push(&v, &x), "allocation error: Layout { size: 32, align: 4 }");
    EXPECT_PANIC(vec_insert(&v, 2, &x), "allocation error");
    assert_int_equal(vec_len(&v), 4);
    for (int i = 0; i < 4; i++) assert_int_equal(VEC_AT(&v, int, i), i);
    host_alloc_fail_after(SIZE_MAX);
    assert_int_equal(try_vec_push(&v, &x), COLL_OK);
    assert_int_equal(VEC_AT(&v, int, 4), 99);
    vec_free(&v);
    NO_LEAKS();
}

/* Random operations against a plain array; a 16-byte element aligned to 8. */
struct item {
    uint64_t a;
    uint32_t b;
};

#define REF_MAX 600
static void test_random_against_array(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 0x9e3779b97f4a7c15ull;
    static struct item ref[REF_MAX];
    size_t n = 0;
    struct vec v = VEC_NEW(struct item);
    for (int step = 0; step < 20000; step++) {
        struct item x = {rnd(), (uint32_t)rnd()}, out;
        switch (below(10)) {
        case 0:
        case 1:
        case 2:
            if (n == REF_MAX) break;
            VEC_PUSH(&v, struct item, x);
            ref[n++] = x;
            break;
        case 3: {
            if (n == REF_MAX) break;
            size_t i = below(n + 1);
            VEC_INSERT(&v, struct item, i, x);
            memmove(&ref[i + 1], &ref[i], (n - i) * sizeof x);
            ref[i] = x, n++;
            break;
        }
        case 4:
            assert_int_equal(vec_pop(&v, &out), n > 0);
            if (n) assert_memory_equal(&out, &ref[--n], sizeof out);
            break;
        case 5:
            if (n) {
                size_t i = below(n);
                vec_remove(&v, i, &out);
                assert_memory_equal(&out, &ref[i], sizeof out);
                memmove(&ref[i], &ref[i + 1], (n - i - 1) * sizeof x);
                n--;
            }
            break;
        case 6:
            if (n) {
                size_t i = below(n);
                vec_swap_remove(&v, i, &out);
                assert_memory_equal(&out, &ref[i], sizeof out);
                ref[i] = ref[--n];
            }
            break;
        case 7:
            if (n) {
                size_t i = below(n);
                vec_set(&v, i, &x);
                ref[i] = x;
            }
            break;
        case 8:
            if (below(20) == 0)
                vec_shrink_to_fit(&v);
            else if (below(20) == 0)
                vec_truncate(&v, n = below(n + 1));
            else
                vec_reserve(&v, below(50));
            break;
        case 9:
            if (below(100) == 0) vec_clear(&v), n = 0;
            break;
        }
        assert_int_equal(vec_len(&v), n);
        assert_true(vec_capacity(&v) >= n);
        assert_int_equal(host_alloc_live(), vec_capacity(&v) ? 1 : 0);
        if (n) assert_memory_equal(v.data, ref, n * sizeof(struct item));
    }
    vec_free(&v);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_does_not_allocate),
        cmocka_unit_test(test_growth_doubles_and_moves),
        cmocka_unit_test(test_min_capacity_by_element_size),
        cmocka_unit_test(test_bounds_panic_with_index_and_len),
        cmocka_unit_test(test_insert_remove_order),
        cmocka_unit_test(test_reserve_shrink_truncate_clear),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_random_against_array),
    };
    return RUN_TESTS(tests);
}
