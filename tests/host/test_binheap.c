/* binheap: heap order after every operation, pops against a reference
 * multiset, heapify, the sorted vec, large elements, OOM. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/binheap.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static int cmp_u32_rev(const void *a, const void *b)
{
    return cmp_u32(b, a);
}

static void test_empty(void **state)
{
    (void)state;
    host_alloc_install();
    struct binheap h = BINHEAP_NEW(uint32_t, cmp_u32);
    uint32_t out = 5;
    assert_false(binheap_pop(&h, &out));
    assert_int_equal(out, 5);
    assert_null(binheap_peek(&h));
    assert_true(binheap_is_empty(&h));
    assert_int_equal(binheap_check(&h), 0);
    struct vec v = binheap_into_sorted_vec(&h);
    assert_int_equal(vec_len(&v), 0);
    vec_free(&v);
    binheap_free(&h);
    EXPECT_PANIC(binheap_new(4, 4, NULL), "binheap_new: NULL comparator");
    NO_LEAKS();
}

/* Push and pop at random; the reference is a count per value. */
#define VALUES 512
static void test_random_against_multiset(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 77;
    static unsigned count[VALUES];
    memset(count, 0, sizeof count);
    size_t n = 0;
    struct binheap h = BINHEAP_NEW(uint32_t, cmp_u32);
    for (int step = 0; step < 20000; step++) {
        if (rnd() % 5 < (step < 10000 ? 3u : 1u)) {
            uint32_t x = (uint32_t)(rnd() % VALUES);
            BINHEAP_PUSH(&h, uint32_t, x);
            count[x]++, n++;
        } else {
            uint32_t out;
            assert_int_equal(binheap_pop(&h, &out), n > 0);
            if (n) {
                for (uint32_t y = out + 1; y < VALUES; y++) /* nothing greater is left */
                    if (count[y]) fail_msg("popped %u while %u is in the heap", out, y);
                assert_true(count[out] > 0);
                count[out]--, n--;
            }
        }
        assert_int_equal(binheap_len(&h), n);
        if (step % 8 == 0) assert_int_equal(binheap_check(&h), 0);
        if (n) {
            uint32_t top = *BINHEAP_PEEK(&h, uint32_t);
            assert_true(count[top] > 0);
            if (step % 64 == 0)
                for (uint32_t y = top + 1; y < VALUES; y++) assert_int_equal(count[y], 0);
        }
    }
    binheap_free(&h);
    NO_LEAKS();
}

static void test_heapify_and_sorted_vec(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 99;
    for (size_t n = 0; n < 300; n += 1 + n / 8) {
        struct vec v = VEC_NEW(uint32_t);
        uint32_t *want = malloc((n + 1) * sizeof *want);
        for (size_t i = 0; i < n; i++) {
            want[i] = (uint32_t)(rnd() % 100); /* with duplicates */
            VEC_PUSH(&v, uint32_t, want[i]);
        }
        qsort(want, n, sizeof *want, cmp_u32);
        struct binheap h = binheap_from_vec(v, cmp_u32);
        assert_int_equal(binheap_check(&h), 0);
        assert_int_equal(binheap_len(&h), n);
        if (n % 2) { /* pop all: descending */
            for (size_t i = n; i-- > 0;) {
                uint32_t out;
                assert_true(binheap_pop(&h, &out));
                assert_int_equal(out, want[i]);
                assert_int_equal(binheap_check(&h), 0);
            }
            binheap_free(&h);
        } else { /* or sort in place: ascending, and the heap is left empty */
            struct vec sorted = binheap_into_sorted_vec(&h);
            assert_int_equal(vec_len(&sorted), n);
            if (n) assert_memory_equal(sorted.data, want, n * sizeof *want);
            assert_int_equal(binheap_len(&h), 0);
            vec_free(&sorted);
            binheap_free(&h);
        }
        free(want);
        NO_LEAKS();
    }
}

static void test_min_heap_by_reversed_comparator(void **state)
{
    (void)state;
    host_alloc_install();
    struct binheap h = BINHEAP_NEW(uint32_t, cmp_u32_rev);
    uint32_t in[] = {5, 1, 9, 3, 7, 1};
    for (size_t i = 0; i < 6; i++) binheap_push(&h, &in[i]);
    uint32_t want[] = {1, 1, 3, 5, 7, 9}, out;
    for (size_t i = 0; i < 6; i++) {
        assert_true(binheap_pop(&h, &out));
        assert_int_equal(out, want[i]);
    }
    binheap_free(&h);
    NO_LEAKS();
}

/* 200-byte elements: swaps go through the 64-byte bounce buffer in pieces. */
struct job {
    uint32_t priority;
    unsigned char payload[196];
};
static int cmp_job(const void *a, const void *b)
{
    return cmp_u32(&((const struct job *)a)->priority, &((const struct job *)b)->priority);
}

static void test_large_elements_stay_whole(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 5;
    struct binheap h = BINHEAP_NEW(struct job, cmp_job);
    for (uint32_t i = 0; i < 200; i++) {
        struct job j = {(uint32_t)(rnd() % 1000) * 256 + i, {0}};
        memset(j.payload, (int)(j.priority & 0xff), sizeof j.payload);
        binheap_push(&h, &j);
    }
    uint32_t last = UINT32_MAX;
    struct job j;
    while (binheap_pop(&h, &j)) {
        assert_true(j.priority <= last);
        last = j.priority;
        for (size_t k = 0; k < sizeof j.payload; k++)
            assert_int_equal(j.payload[k], j.priority & 0xff);
    }
    binheap_free(&h);
    NO_LEAKS();
}

static void test_oom_and_check(void **state)
{
    (void)state;
    host_alloc_install();
    struct binheap h = BINHEAP_NEW(uint32_t, cmp_u32);
    for (uint32_t i = 0; i < 4; i++) BINHEAP_PUSH(&h, uint32_t, i);
    host_alloc_fail_after(0);
    uint32_t x = 100;
    assert_int_equal(try_binheap_push(&h, &x), COLL_ALLOC_FAILED);
    EXPECT_PANIC(binheap_push(&h, &x), "allocation error");
    assert_int_equal(binheap_len(&h), 4);
    assert_int_equal(binheap_check(&h), 0);
    assert_int_equal(*BINHEAP_PEEK(&h, uint32_t), 3);
    host_alloc_fail_after(SIZE_MAX);
    assert_int_equal(try_binheap_push(&h, &x), COLL_OK);
    assert_int_equal(*BINHEAP_PEEK(&h, uint32_t), 100);
    VEC_AT(&h.v, uint32_t, 0) = 0; /* break heap order at the root */
    assert_int_equal(binheap_check(&h), 2);
    EXPECT_PANIC(BINHEAP_PUSH(&h, uint16_t, 1), "a 2-byte type used on a vec of 4-byte");
    binheap_free(&h);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_random_against_multiset),
        cmocka_unit_test(test_heapify_and_sorted_vec),
        cmocka_unit_test(test_min_heap_by_reversed_comparator),
        cmocka_unit_test(test_large_elements_stay_whole),
        cmocka_unit_test(test_oom_and_check),
    };
    return RUN_TESTS(tests);
}
