/* The executors on the host. A thread plays the timer interrupt: while the
 * executor "has interrupts disabled" (holds irq_lock) it cannot run, and the
 * executor's halt is a wait on a condition variable, which releases the lock
 * and sleeps in one step, as "sti; hlt" does. Tasks sleep on a fake tick
 * count that only that thread advances, so every wake comes from the
 * "interrupt". Also: the SimpleExecutor, 1,000 tasks spawned by a task, a
 * waker outliving its task, and the statistics line. */
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "task_support.h"
#include "kiln/async_example.h"
#include "kiln/coroutine.h"
#include "kiln/executor.h"

/* ---- interrupts, simulated ---------------------------------------------- */

static pthread_mutex_t irq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t irq_cond = PTHREAD_COND_INITIALIZER;

static void irq_disable(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&irq_lock);
}
static void irq_enable(void *ctx)
{
    (void)ctx;
    pthread_mutex_unlock(&irq_lock);
}
static void irq_enable_and_halt(void *ctx)
{
    (void)ctx;
    pthread_cond_wait(&irq_cond, &irq_lock); /* unlock + sleep, one step */
    pthread_mutex_unlock(&irq_lock);
}
static const struct executor_idle host_idle = {irq_disable, irq_enable, irq_enable_and_halt, NULL};

/* The fake timer: sleepers register a waker and a deadline in a slot; each
 * tick wakes those that are due (by reference: no allocation, as in a real
 * interrupt handler). Slots are touched only under irq_lock. */
#define SLOTS 16
static struct {
    struct waker *waker; /* a clone owned by the slot; NULL: free */
    uint64_t deadline;
} slots[SLOTS];
static uint64_t ticks; /* under irq_lock */
static atomic_bool stop;

static void *timer_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        nanosleep(&(struct timespec){0, 50000}, NULL);
        pthread_mutex_lock(&irq_lock);
        ticks++;
        for (int i = 0; i < SLOTS; i++)
            if (slots[i].waker && slots[i].deadline <= ticks) waker_wake_by_ref(slots[i].waker);
        pthread_cond_signal(&irq_cond); /* an interrupt ends a halt */
        pthread_mutex_unlock(&irq_lock);
    }
    return NULL;
}

struct sleep {
    struct future base;
    uint64_t n, deadline;
    int slot; /* -1: none */
};

/* The waker goes into the slot before the second look at the clock, under
 * the "interrupts off" lock: the tick that makes it due cannot be missed. */
static enum poll sleep_poll(struct future *self, struct context *cx)
{
    struct sleep *s = (struct sleep *)self;
    irq_disable(NULL);
    if (s->slot < 0) {
        s->deadline = ticks + s->n;
        for (int i = 0; i < SLOTS && s->slot < 0; i++)
            if (!slots[i].waker) s->slot = i;
        assert_true(s->slot >= 0);
        slots[s->slot].waker = waker_clone(cx->waker);
        slots[s->slot].deadline = s->deadline;
    }
    struct waker *done = NULL;
    if (ticks >= s->deadline) {
        done = slots[s->slot].waker;
        slots[s->slot].waker = NULL;
        s->slot = -1;
    }
    irq_enable(NULL);
    if (!done) return POLL_PENDING;
    waker_drop(done); /* outside the "interrupt-disabled" section */
    return POLL_READY;
}
static const struct future_vtable sleep_vt = FUTURE_VTABLE(struct sleep, "sleep", sleep_poll, NULL);
static struct sleep sleep_for(uint64_t n)
{
    return (struct sleep){.base = {&sleep_vt}, .n = n, .slot = -1};
}

static pthread_t timer;
static void start_interrupts(void)
{
    memset(slots, 0, sizeof slots);
    ticks = 0;
    atomic_store(&stop, false);
    assert_int_equal(pthread_create(&timer, NULL, timer_thread, NULL), 0);
}
static void stop_interrupts(void)
{
    atomic_store(&stop, true);
    pthread_join(timer, NULL);
}

/* ---- the tests ------------------------------------------------------------- */

static char said[64];
static int says;
static void capture(const char *line)
{
    strncpy(said, line, sizeof said - 1);
    says++;
}

static void test_simple_executor(void **state)
{
    (void)state;
    host_alloc_install();
    says = 0;
    struct simple_executor ex;
    simple_executor_init(&ex);
    simple_executor_spawn(&ex, FUTURE_BOX(struct example_task, example_task(capture)));
    simple_executor_spawn(&ex, FUTURE_BOX(struct countdown, countdown(5, 0)));
    simple_executor_spawn(&ex, FUTURE_BOX(struct example_machine, example_task_machine(capture)));
    simple_executor_run(&ex);
    assert_int_equal(says, 2);
    assert_string_equal(said, "async number: 42");
    NO_LEAKS();
}

/* Sleeps `rounds` times for `n` ticks. */
struct sleeper {
    struct future base;
    int co_line;
    int i, rounds;
    uint64_t n;
    struct sleep nap;
};
static int sleepers_done;
static enum poll sleeper_poll(struct future *self, struct context *cx)
{
    struct sleeper *s = (struct sleeper *)self;
    CO_BEGIN(s);
    for (s->i = 0; s->i < s->rounds; s->i++) {
        s->nap = sleep_for(s->n);
        AWAIT(s, cx, &s->nap);
    }
    sleepers_done++;
    CO_END(s);
}
static const struct future_vtable sleeper_vt =
    FUTURE_VTABLE(struct sleeper, "sleeper", sleeper_poll, NULL);

static void test_tasks_woken_by_interrupts_and_halting_between(void **state)
{
    (void)state;
    host_alloc_install();
    sleepers_done = 0;
    struct executor ex;
    executor_init(&ex, 100, &host_idle);
    for (int i = 0; i < 10; i++)
        executor_spawn(&ex,
                       FUTURE_BOX(struct sleeper,
                                  {.base = {&sleeper_vt}, .rounds = 5, .n = 1 + (uint64_t)i % 3}));
    start_interrupts();
    executor_run_until_done(&ex);
    stop_interrupts();
    struct executor_stats s = executor_stats(&ex);
    assert_int_equal(sleepers_done, 10);
    assert_int_equal(s.spawned, 10);
    assert_int_equal(s.finished, 10);
    /* Every poll was caused by the spawn or by one wake: nothing spun. Each
     * task slept 5 times, so it was polled at least 6 times; a tick that
     * lands between the executor's pop and the poll that sees the deadline
     * passed can add a spurious poll, at most one per sleep. */
    assert_int_equal(s.polls, s.spawned + s.wakes);
    assert_true(s.polls >= 60 && s.polls <= 110);
    assert_true(s.halts > 0);
    executor_free(&ex);
    NO_LEAKS();
}

/* Spawns 1,000 countdown tasks, 20 per poll, yielding between batches (the
 * children of two batches fit the post's 100-entry queue at once). */
struct spawner {
    struct future base;
    int co_line;
    int spawned;
    struct executor *ex;
};
static enum poll spawner_poll(struct future *self, struct context *cx)
{
    struct spawner *s = (struct spawner *)self;
    CO_BEGIN(s);
    while (s->spawned < 1000) {
        for (int i = 0; i < 20; i++, s->spawned++)
            executor_spawn(s->ex, FUTURE_BOX(struct countdown, countdown(s->spawned % 3, 0)));
        YIELD(s, cx);
    }
    CO_END(s);
}
static const struct future_vtable spawner_vt =
    FUTURE_VTABLE(struct spawner, "spawner", spawner_poll, NULL);

static void test_a_task_spawning_1000_tasks(void **state)
{
    (void)state;
    host_alloc_install();
    struct executor ex;
    executor_init(&ex, 100, &host_idle);
    executor_spawn(&ex, FUTURE_BOX(struct spawner, {.base = {&spawner_vt}, .ex = &ex}));
    executor_run_until_done(&ex);
    struct executor_stats s = executor_stats(&ex);
    assert_int_equal(s.spawned, 1001);
    assert_int_equal(s.finished, 1001);
    assert_int_equal(executor_task_count(&ex), 0);
    assert_int_equal(btree_len(&ex.waker_cache), 0);
    assert_int_equal(btree_check(&ex.tasks), 0);
    /* countdown(k) wakes itself k times and is polled k + 1 times; the
     * spawner yields 50 times and is polled 51 times. */
    uint64_t wakes = 50, polls = 51;
    for (int i = 0; i < 1000; i++) {
        wakes += (uint64_t)(i % 3);
        polls += (uint64_t)(i % 3) + 1;
    }
    assert_int_equal(s.wakes, wakes);
    assert_int_equal(s.polls, polls);
    assert_int_equal(s.halts, 0); /* always something to do */
    char line[128], want[128];
    executor_stats_format(&ex, line, sizeof line);
    snprintf(want, sizeof want,
             "executor: 1001 spawned, 1001 finished, %llu polls, %llu wakes, 0 halts",
             (unsigned long long)polls, (unsigned long long)wakes);
    assert_string_equal(line, want);
    executor_free(&ex);
    NO_LEAKS();
}

/* Keeps a clone of its waker past its own end. */
static struct waker *kept;
static enum poll keep_waker_poll(struct future *self, struct context *cx)
{
    (void)self;
    kept = waker_clone(cx->waker);
    return POLL_READY;
}
static const struct future_vtable keep_vt =
    FUTURE_VTABLE(struct countdown, "keep_waker", keep_waker_poll, NULL);

static void test_waker_dropped_after_its_task_finished(void **state)
{
    (void)state;
    host_alloc_install();
    struct executor ex;
    executor_init(&ex, 4, &host_idle);
    struct countdown c = countdown(0, 0);
    c.base.vt = &keep_vt;
    uint64_t id = executor_spawn(&ex, future_box(&c.base));
    executor_run_ready_tasks(&ex);
    assert_int_equal(executor_task_count(&ex), 0);
    assert_int_equal(kept->task_id, id);
    assert_int_equal(waker_strong_count(kept), 1); /* the executor's is gone */
    waker_wake_by_ref(kept);                       /* retired: pushes nothing */
    assert_true(mpmc_queue_is_empty(&ex.queue->ids));
    executor_free(&ex);
    assert_true(host_alloc_live() > 0); /* the waker still holds the queue */
    assert_true(waker_drop(kept));
    NO_LEAKS();
}

static void test_free_drops_unfinished_tasks(void **state)
{
    (void)state;
    host_alloc_install();
    struct executor ex;
    executor_init(&ex, 8, &host_idle);
    for (int i = 0; i < 5; i++) executor_spawn(&ex, FUTURE_BOX(struct countdown, countdown(3, 0)));
    executor_run_ready_tasks(&ex); /* pops each, each re-queues itself */
    executor_free(&ex);
    NO_LEAKS();
    struct executor_idle incomplete = {irq_disable, irq_enable, NULL, NULL};
    EXPECT_PANIC(executor_init(&ex, 8, &incomplete), "executor_init: the idle operations");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_executor),
        cmocka_unit_test(test_tasks_woken_by_interrupts_and_halting_between),
        cmocka_unit_test(test_a_task_spawning_1000_tasks),
        cmocka_unit_test(test_waker_dropped_after_its_task_finished),
        cmocka_unit_test(test_free_drops_unfinished_tasks),
    };
    return RUN_TESTS(tests);
}
