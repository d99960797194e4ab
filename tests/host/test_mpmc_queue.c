/* mpmc_queue: FIFO order, full and empty, many laps round the ring, the
 * named errors, and producers and consumers racing on real threads with
 * every item seen exactly once. This file is also built with
 * ThreadSanitizer (task/task.mk: test_mpmc_queue_tsan), which checks that the
 * release/acquire pairs on the slot sequence numbers order every value. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/mpmc_queue.h"

static void test_fifo_full_and_empty(void **state)
{
    (void)state;
    host_alloc_install();
    struct mpmc_queue q;
    assert_int_equal(mpmc_queue_init(&q, 100), MPMC_QUEUE_OK);
    uint64_t v = 7;
    assert_false(mpmc_queue_pop(&q, &v));
    assert_int_equal(v, 7); /* untouched when empty */
    for (uint64_t i = 0; i < 100; i++) assert_true(mpmc_queue_push(&q, i * 3));
    assert_int_equal(mpmc_queue_len(&q), 100);
    assert_false(mpmc_queue_push(&q, 999)); /* full: the 101st is refused */
    for (uint64_t i = 0; i < 100; i++) {
        assert_true(mpmc_queue_pop(&q, &v));
        assert_int_equal(v, i * 3);
    }
    assert_true(mpmc_queue_is_empty(&q));
    assert_false(mpmc_queue_pop(&q, &v));
    mpmc_queue_free(&q);
    NO_LEAKS();
}

/* Positions grow past the capacity many times: every lap reuses the slots. */
static void test_many_laps(void **state)
{
    (void)state;
    host_alloc_install();
    struct mpmc_queue q;
    assert_int_equal(mpmc_queue_init(&q, 3), MPMC_QUEUE_OK);
    uint64_t next_in = 0, next_out = 0, v;
    for (int round = 0; round < 10000; round++) {
        size_t n = 1 + round % 3;
        for (size_t i = 0; i < n; i++) assert_true(mpmc_queue_push(&q, next_in++));
        if (n == 3) assert_false(mpmc_queue_push(&q, 0));
        assert_int_equal(mpmc_queue_len(&q), n);
        for (size_t i = 0; i < n; i++) {
            assert_true(mpmc_queue_pop(&q, &v));
            assert_int_equal(v, next_out++);
        }
    }
    assert_int_equal(atomic_load(&q.head), next_in);
    mpmc_queue_free(&q);
    NO_LEAKS();
}

static void test_errors(void **state)
{
    (void)state;
    host_alloc_install();
    struct mpmc_queue q;
    assert_int_equal(mpmc_queue_init(&q, 0), MPMC_QUEUE_CAPACITY_TOO_SMALL);
    assert_int_equal(mpmc_queue_init(&q, 1), MPMC_QUEUE_CAPACITY_TOO_SMALL);
    assert_int_equal(mpmc_queue_init(&q, SIZE_MAX / 8), MPMC_QUEUE_CAPACITY_TOO_LARGE);
    host_alloc_fail_after(0);
    assert_int_equal(mpmc_queue_init(&q, 16), MPMC_QUEUE_ALLOC_FAILED);
    assert_null(q.slots);
    host_alloc_fail_after(SIZE_MAX);
    assert_string_equal(mpmc_queue_error_name(MPMC_QUEUE_ALLOC_FAILED), "MPMC_QUEUE_ALLOC_FAILED");
    assert_string_equal(mpmc_queue_error_name(MPMC_QUEUE_CAPACITY_TOO_SMALL),
                        "MPMC_QUEUE_CAPACITY_TOO_SMALL");
    assert_string_equal(mpmc_queue_error_name((enum mpmc_queue_error)42),
                        "MPMC_QUEUE_UNKNOWN_ERROR");
    uint64_t v;
    EXPECT_PANIC(mpmc_queue_push(&q, 1), "mpmc_queue_push: the queue at");
    EXPECT_PANIC(mpmc_queue_pop(&q, &v), "not initialised");
    NO_LEAKS();
}

/* ---- racing threads ------------------------------------------------------ */

#define PRODUCERS    4
#define CONSUMERS    4
#define PER_PRODUCER 20000
#define ITEMS        (PRODUCERS * PER_PRODUCER)

static struct mpmc_queue race_q;
static _Atomic unsigned char seen[ITEMS];
static atomic_int started;
static atomic_long consumed;
static atomic_long order_errors;

static void wait_for_all(void)
{
    atomic_fetch_add(&started, 1);
    while (atomic_load(&started) < PRODUCERS + CONSUMERS) continue;
}

/* Producer p pushes p, p + PRODUCERS, ... (each value once), retrying while
 * the small queue is full. */
static void *produce(void *arg)
{
    uint64_t p = (uint64_t)(uintptr_t)arg;
    wait_for_all();
    for (uint64_t i = 0; i < PER_PRODUCER; i++) {
        uint64_t v = p + i * PRODUCERS;
        while (!mpmc_queue_push(&race_q, v)) sched_yield();
    }
    return NULL;
}

/* Each consumer checks FIFO per producer: the values it sees from producer p
 * increase (a queue may interleave producers, never reorder one). */
static void *consume(void *arg)
{
    (void)arg;
    uint64_t last[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) last[p] = UINT64_MAX;
    wait_for_all();
    while (atomic_load(&consumed) < ITEMS) {
        uint64_t v;
        if (!mpmc_queue_pop(&race_q, &v)) {
            sched_yield();
            continue;
        }
        if (v >= ITEMS) {
            atomic_fetch_add(&order_errors, 1);
            continue;
        }
        int p = (int)(v % PRODUCERS);
        if (last[p] != UINT64_MAX && v <= last[p]) atomic_fetch_add(&order_errors, 1);
        last[p] = v;
        atomic_fetch_add(&seen[v], 1);
        atomic_fetch_add(&consumed, 1);
    }
    return NULL;
}

static void race(size_t capacity)
{
    host_alloc_install();
    assert_int_equal(mpmc_queue_init(&race_q, capacity), MPMC_QUEUE_OK);
    memset((void *)seen, 0, sizeof seen);
    atomic_store(&started, 0);
    atomic_store(&consumed, 0);
    atomic_store(&order_errors, 0);
    pthread_t t[PRODUCERS + CONSUMERS];
    for (int i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, produce, (void *)(uintptr_t)i), 0);
    for (int i = 0; i < CONSUMERS; i++)
        assert_int_equal(pthread_create(&t[PRODUCERS + i], NULL, consume, NULL), 0);
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++) pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&order_errors), 0);
    assert_int_equal(atomic_load(&consumed), ITEMS);
    for (int v = 0; v < ITEMS; v++)
        if (atomic_load(&seen[v]) != 1) fail_msg("item %d seen %d times", v, atomic_load(&seen[v]));
    uint64_t v;
    assert_false(mpmc_queue_pop(&race_q, &v));
    assert_int_equal(mpmc_queue_len(&race_q), 0);
    mpmc_queue_free(&race_q);
    NO_LEAKS();
}

/* A small queue: it is full or empty most of the time, so pushes and pops
 * meet on the same slots, the hardest case. */
static void test_threads_race_small_queue(void **state)
{
    (void)state;
    race(4);
}

static void test_threads_race_post_sized_queue(void **state)
{
    (void)state;
    race(100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_full_and_empty),
        cmocka_unit_test(test_many_laps),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_threads_race_small_queue),
        cmocka_unit_test(test_threads_race_post_sized_queue),
    };
    return RUN_TESTS(tests);
}
