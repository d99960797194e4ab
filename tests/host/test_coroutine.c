/* The coroutine macros (kiln/coroutine.h) against the hand-written state
 * machine, resume points across several awaits and a loop, YIELD, join,
 * yield_now, ready, and the panics of polling a finished future. */
#include <string.h>

#include "support.h"
#include "task_support.h"
#include "kiln/async_example.h"
#include "kiln/coroutine.h"

static char said[4][64];
static int says;
static void capture(const char *line)
{
    if (says < 4) strncpy(said[says], line, sizeof said[0] - 1);
    says++;
}

static struct wake_queue *wq;
static struct waker *w;
static struct context cx;

static void setup_waker(void)
{
    host_alloc_install();
    says = 0;
    memset(said, 0, sizeof said);
    wq = wake_queue_new(8);
    w = waker_new(7, wq);
    cx.waker = w;
}

static void teardown_waker(void)
{
    waker_drop(w);
    wake_queue_drop(wq);
    NO_LEAKS();
}

/* Pop every queued id, clearing the flag as the executor would; returns how
 * many there were (each must be task 7). */
static int drain(void)
{
    uint64_t id;
    int n = 0;
    while (mpmc_queue_pop(&wq->ids, &id)) {
        assert_int_equal(id, 7);
        n++;
    }
    waker_clear_queued(w);
    return n;
}

static void test_hand_machine_and_macros_agree(void **state)
{
    (void)state;
    setup_waker();
    struct example_machine m = example_task_machine(capture);
    struct example_task t = example_task(capture);
    assert_int_equal(m.state, EXAMPLE_START);
    assert_int_equal(t.co_line, 0);
    assert_int_equal(future_poll(&m.base, &cx), POLL_READY);
    assert_int_equal(m.state, EXAMPLE_END);
    assert_int_equal(future_poll(&t.base, &cx), POLL_READY);
    assert_int_equal(t.co_line, CO_FINISHED);
    assert_int_equal(says, 2);
    assert_string_equal(said[0], "async number: 42");
    assert_string_equal(said[1], "async number: 42");
    EXPECT_PANIC(future_poll(&m.base, &cx), "example_task: polled after it completed");
    EXPECT_PANIC(future_poll(&t.base, &cx), "example_poll: coroutine polled after it completed");
    teardown_waker();
}

/* Two awaits, one inside a loop whose counter lives in the state struct, and
 * a YIELD: 3 + 3 * 2 + 1 = 10 pendings. */
struct multi {
    struct future base;
    int co_line;
    int i;
    uint64_t sum;
    struct countdown inner;
};

static enum poll multi_poll(struct future *self, struct context *cx)
{
    struct multi *m = (struct multi *)self;
    CO_BEGIN(m);
    m->inner = countdown(3, 100);
    AWAIT(m, cx, &m->inner);
    m->sum += m->inner.value;
    for (m->i = 0; m->i < 3; m->i++) {
        m->inner = countdown(2, (uint64_t)m->i);
        AWAIT(m, cx, &m->inner);
        m->sum += m->inner.value;
    }
    YIELD(m, cx);
    m->sum += 1000;
    CO_END(m);
}

static const struct future_vtable multi_vt = FUTURE_VTABLE(struct multi, "multi", multi_poll, NULL);

static void test_resume_points_across_awaits(void **state)
{
    (void)state;
    setup_waker();
    struct multi m = {.base = {&multi_vt}};
    int pendings = 0;
    while (future_poll(&m.base, &cx) == POLL_PENDING) {
        pendings++;
        assert_int_equal(drain(), 1); /* every pending woke its task, once */
        assert_true(pendings < 100);
    }
    assert_int_equal(pendings, 10);
    assert_int_equal(m.sum, 100 + 0 + 1 + 2 + 1000);
    assert_int_equal(drain(), 0);
    EXPECT_PANIC(future_poll(&m.base, &cx), "multi_poll: coroutine polled after it completed");
    teardown_waker();
}

static void test_bad_resume_point_panics(void **state)
{
    (void)state;
    setup_waker();
    struct multi m = {.base = {&multi_vt}, .co_line = 12345};
    EXPECT_PANIC(future_poll(&m.base, &cx), "bad resume point 12345");
    teardown_waker();
}

static void test_join_polls_both_until_each_is_ready(void **state)
{
    (void)state;
    setup_waker();
    struct countdown a = countdown(1, 1), b = countdown(4, 2);
    struct join_future j = join(&a.base, &b.base);
    int pendings = 0;
    while (future_poll(&j.base, &cx) == POLL_PENDING) {
        pendings++;
        drain();
    }
    assert_int_equal(pendings, 4);
    assert_int_equal(a.polls, 2); /* not polled again once ready */
    assert_int_equal(b.polls, 5);
    EXPECT_PANIC(future_poll(&j.base, &cx), "join: polled after it completed");
    EXPECT_PANIC(join(NULL, &a.base), "join: NULL future");
    teardown_waker();
}

static void test_ready_and_yield_now(void **state)
{
    (void)state;
    setup_waker();
    struct ready_future r = ready(5);
    assert_int_equal(future_poll(&r.base, &cx), POLL_READY);
    assert_int_equal(r.value, 5);
    EXPECT_PANIC(future_poll(&r.base, &cx), "ready: polled after it completed");
    struct yield_future y = yield_now();
    assert_int_equal(future_poll(&y.base, &cx), POLL_PENDING);
    assert_int_equal(drain(), 1);
    assert_int_equal(future_poll(&y.base, &cx), POLL_READY);
    assert_int_equal(drain(), 0);
    EXPECT_PANIC(future_poll(&y.base, &cx), "yield_now: polled after it completed");
    EXPECT_PANIC(future_poll(NULL, &cx), "future_poll: (nil) is not a future");
    teardown_waker();
}

static int drops;
static void count_drop(struct future *self)
{
    assert_int_equal(((struct countdown *)self)->value, 9);
    drops++;
}
static const struct future_vtable dropping_vt =
    FUTURE_VTABLE(struct countdown, "dropping", countdown_poll, count_drop);

static void test_future_box_runs_drop_and_frees(void **state)
{
    (void)state;
    setup_waker();
    drops = 0;
    struct countdown init = countdown(0, 9);
    init.base.vt = &dropping_vt;
    struct future *b = future_box(&init.base);
    assert_int_equal(host_alloc_live(), 4); /* the queue, its slots, the waker, the box */
    assert_int_equal(future_poll(b, &cx), POLL_READY);
    assert_int_equal(((struct countdown *)b)->value, 9);
    future_box_free(b);
    assert_int_equal(drops, 1);
    future_box_free(NULL);
    host_alloc_fail_after(0);
    struct countdown c = countdown(0, 0);
    assert_null(try_future_box(&c.base));
    host_alloc_fail_after(SIZE_MAX);
    teardown_waker();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_machine_and_macros_agree),
        cmocka_unit_test(test_resume_points_across_awaits),
        cmocka_unit_test(test_bad_resume_point_panics),
        cmocka_unit_test(test_join_polls_both_until_each_is_ready),
        cmocka_unit_test(test_ready_and_yield_now),
        cmocka_unit_test(test_future_box_runs_drop_and_frees),
    };
    return RUN_TESTS(tests);
}
