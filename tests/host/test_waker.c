/* Wakers: reference counts (clone, drop, wake consuming one, wake_by_ref
 * not), the shared queue kept alive by its wakers, one queue entry per task
 * however often it is woken, retirement, the no-op waker, and the post's
 * "task_queue full" panic. */
#include <string.h>

#include "support.h"
#include "kiln/arc.h"
#include "kiln/waker.h"

static void test_reference_counts(void **state)
{
    (void)state;
    host_alloc_install();
    struct wake_queue *q = wake_queue_new(4);
    assert_int_equal(arc_strong_count(q), 1);
    struct waker *w = waker_new(3, q);
    assert_int_equal(waker_strong_count(w), 1);
    assert_int_equal(arc_strong_count(q), 2); /* the waker holds the queue */
    struct waker *c = waker_clone(w);
    assert_ptr_equal(c, w);
    assert_true(waker_will_wake(c, w));
    assert_int_equal(waker_strong_count(w), 2);
    waker_wake_by_ref(c); /* keeps the reference */
    assert_int_equal(waker_strong_count(w), 2);
    waker_clear_queued(w);
    waker_wake(c); /* consumes it */
    assert_int_equal(waker_strong_count(w), 1);
    uint64_t id;
    assert_true(mpmc_queue_pop(&q->ids, &id));
    assert_int_equal(id, 3);
    assert_true(mpmc_queue_pop(&q->ids, &id));
    assert_false(mpmc_queue_pop(&q->ids, &id));
    assert_int_equal(atomic_load(&q->wakes), 2);

    /* The executor lets go of the queue first: the waker keeps it alive. */
    wake_queue_drop(q);
    assert_int_equal(arc_strong_count(q), 1);
    assert_true(waker_drop(w)); /* the last: frees the waker, then the queue */
    NO_LEAKS();
}

static void test_one_entry_per_task(void **state)
{
    (void)state;
    host_alloc_install();
    struct wake_queue *q = wake_queue_new(2);
    struct waker *a = waker_new(1, q), *b = waker_new(2, q);
    assert_false(waker_will_wake(a, b));
    for (int i = 0; i < 100; i++) {
        waker_wake_by_ref(a);
        waker_wake_by_ref(b);
    }
    assert_int_equal(mpmc_queue_len(&q->ids), 2);
    assert_int_equal(atomic_load(&q->wakes), 2);
    uint64_t id;
    assert_true(mpmc_queue_pop(&q->ids, &id));
    assert_int_equal(id, 1);
    waker_clear_queued(a); /* polled: a wake now queues it again */
    waker_wake_by_ref(a);
    assert_int_equal(mpmc_queue_len(&q->ids), 2);

    /* Retired (its task finished): a late wake pushes nothing. */
    assert_true(mpmc_queue_pop(&q->ids, &id));
    assert_true(mpmc_queue_pop(&q->ids, &id));
    waker_clear_queued(b);
    waker_retire(b);
    waker_wake_by_ref(b);
    assert_int_equal(mpmc_queue_len(&q->ids), 0);
    waker_drop(a);
    waker_drop(b);
    wake_queue_drop(q);
    NO_LEAKS();
}

static void test_queue_full_panics(void **state)
{
    (void)state;
    host_alloc_install();
    struct wake_queue *q = wake_queue_new(2);
    struct waker *w[3];
    for (int i = 0; i < 3; i++) w[i] = waker_new((uint64_t)i, q);
    waker_wake_by_ref(w[0]);
    waker_wake_by_ref(w[1]);
    EXPECT_PANIC(waker_wake_by_ref(w[2]), "task_queue full");
    for (int i = 0; i < 3; i++) waker_drop(w[i]);
    wake_queue_drop(q);
    EXPECT_PANIC(wake_queue_new(1), "wake_queue_new(1): MPMC_QUEUE_CAPACITY_TOO_SMALL");
    NO_LEAKS();
}

static void test_noop_waker(void **state)
{
    (void)state;
    host_alloc_install();
    struct waker *w = waker_new(0, NULL);
    waker_wake_by_ref(w);
    waker_wake(waker_clone(w));
    assert_int_equal(waker_strong_count(w), 1);
    assert_true(waker_drop(w));
    EXPECT_PANIC(waker_wake_by_ref(NULL), "waker_wake_by_ref: NULL waker");
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_counts),
        cmocka_unit_test(test_one_entry_per_task),
        cmocka_unit_test(test_queue_full_panics),
        cmocka_unit_test(test_noop_waker),
    };
    return RUN_TESTS(tests);
}
