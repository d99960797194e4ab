/* Post 12's Executor on the real kernel heap, timer and keyboard: 1,000
 * tasks spawned by a task, all finished with the heap given back; tasks
 * woken from the timer interrupt while the CPU halts in between (counted);
 * a task that wakes itself; a waker that outlives its task; join; and the
 * keyboard stream fed through the PS/2 controller, with the post's
 * warnings when the queue is full or missing and a test of the window that
 * poll_next's second check closes. The 1,000 tasks run last: with bump
 * (make ALLOCATOR=bump) they run the region out, which the case asserts. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/arc.h"
#include "kiln/async.h"
#include "kiln/console.h"
#include "kiln/coroutine.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/keyboard.h"
#include "kiln/ktest.h"
#include "kiln/pic.h"
#include "kiln/scancode_stream.h"
#include "kiln/sleep.h"
#include "kiln/string.h"
#include "kiln/timer.h"

#include "bump_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    sleep_init();
    ktest_main();
}

static struct executor ex;
static size_t used0;

static void begin(size_t capacity)
{
    used0 = heap_stats().used;
    executor_init(&ex, capacity, &kernel_idle);
}

/* Print the statistics line, free the executor, and check that everything
 * it and its tasks took is back. */
static struct executor_stats end(void)
{
    char line[128];
    struct executor_stats s = executor_stats(&ex);
    executor_stats_format(&ex, line, sizeof line);
    println("%s", line);
    executor_free(&ex);
    kassert_eq(sleep_slots_in_use(), 0);
    kassert_eq(heap_stats().used, used0);
    kassert_eq(heap_check(), 0);
    return s;
}

/* Yields `left` times (waking itself each time), then is ready. */
struct countdown {
    struct future base;
    int co_line;
    int left;
    struct yield_future y;
};
static enum poll countdown_poll(struct future *self, struct context *cx)
{
    struct countdown *c = (struct countdown *)self;
    CO_BEGIN(c);
    while (c->left > 0) {
        c->left--;
        c->y = yield_now();
        AWAIT(c, cx, &c->y);
    }
    CO_END(c);
}
static const struct future_vtable countdown_vt =
    FUTURE_VTABLE(struct countdown, "countdown", countdown_poll, NULL);
static struct future *countdown(int left)
{
    return FUTURE_BOX(struct countdown, {.base = {&countdown_vt}, .left = left});
}

/* Sleeps `rounds` times for `n` ticks. */
struct sleeper {
    struct future base;
    int co_line;
    int i, rounds;
    uint64_t n;
    struct sleep_future nap;
};
static enum poll sleeper_poll(struct future *self, struct context *cx)
{
    struct sleeper *s = (struct sleeper *)self;
    CO_BEGIN(s);
    for (s->i = 0; s->i < s->rounds; s->i++) {
        s->nap = sleep_ticks(s->n);
        AWAIT(s, cx, &s->nap);
    }
    CO_END(s);
}
static const struct future_vtable sleeper_vt =
    FUTURE_VTABLE(struct sleeper, "sleeper", sleeper_poll, NULL);

KTEST(tasks_woken_from_the_timer_interrupt_with_the_cpu_halting_between)
{
    begin(100);
    for (int i = 0; i < 4; i++)
        executor_spawn(&ex, FUTURE_BOX(struct sleeper,
                                       {.base = {&sleeper_vt}, .rounds = 5, .n = 2 + (uint64_t)i}));
    uint64_t start = timer_ticks();
    executor_run_until_done(&ex);
    uint64_t elapsed = timer_ticks() - start;
    struct executor_stats s = end();
    kassert(elapsed >= 5 * 5); /* the slowest slept 5 times 5 ticks */
    kassert_eq(s.finished, 4);
    /* No spinning: every poll had a spawn or a wake behind it, each sleeper
     * was polled once per sleep and once more (a tick between the pop and
     * the poll can add a spurious one), and the CPU halted at least once per
     * tick it waited for. */
    kassert_eq(s.polls, s.spawned + s.wakes);
    kassert(s.polls >= 4 * 6 && s.polls <= 4 * 6 * 2);
    kassert(s.halts >= 20);
    println("%llu ticks, %llu halts", (unsigned long long)elapsed, (unsigned long long)s.halts);
}

KTEST(a_task_that_wakes_itself)
{
    begin(4);
    executor_spawn(&ex, countdown(100));
    executor_run_until_done(&ex);
    struct executor_stats s = end();
    kassert_eq(s.polls, 101);
    kassert_eq(s.wakes, 100);
    kassert_eq(s.halts, 0); /* it was always ready: never a reason to halt */
}

static struct waker *kept;
static enum poll keep_waker_poll(struct future *self, struct context *cx)
{
    (void)self;
    kept = waker_clone(cx->waker);
    return POLL_READY;
}
static const struct future_vtable keep_vt =
    FUTURE_VTABLE(struct future, "keep_waker", keep_waker_poll, NULL);

KTEST(a_waker_dropped_after_its_task_finished)
{
    begin(4);
    struct future f = {&keep_vt};
    uint64_t id = executor_spawn(&ex, future_box(&f));
    executor_run_until_done(&ex);
    kassert_eq(kept->task_id, id);
    kassert_eq(waker_strong_count(kept), 1);
    waker_wake_by_ref(kept); /* its task is gone: nothing is queued */
    kassert(mpmc_queue_is_empty(&ex.queue->ids));
    struct wake_queue *q = ex.queue;
    executor_free(&ex);
    kassert_eq(arc_strong_count(q), 1); /* the waker keeps the queue */
    kassert(waker_drop(kept));
    kassert_eq(heap_stats().used, used0);
    kassert_eq(heap_check(), 0);
}

/* Awaits join(sleep 3, sleep 6): ready when the longer one is. */
struct joiner {
    struct future base;
    int co_line;
    uint64_t start;
    struct sleep_future a, b;
    struct join_future j;
};
static uint64_t join_took;
static enum poll joiner_poll(struct future *self, struct context *cx)
{
    struct joiner *t = (struct joiner *)self;
    CO_BEGIN(t);
    t->start = timer_ticks();
    t->a = sleep_ticks(3);
    t->b = sleep_ticks(6);
    t->j = join(&t->a.base, &t->b.base);
    AWAIT(t, cx, &t->j);
    kassert(t->a.done && t->b.done);
    join_took = timer_ticks() - t->start;
    CO_END(t);
}
static const struct future_vtable joiner_vt =
    FUTURE_VTABLE(struct joiner, "joiner", joiner_poll, NULL);

KTEST(join_of_two_sleeps_ends_with_the_longer)
{
    begin(4);
    executor_spawn(&ex, FUTURE_BOX(struct joiner, {.base = {&joiner_vt}}));
    executor_run_until_done(&ex);
    struct executor_stats s = end();
    kassert(join_took >= 6 && join_took < 6 + 30);
    kassert(s.halts >= 3); /* it slept while both waited */
}

/* ---- the keyboard stream -------------------------------------------------- */

static char typed[128];
static int typed_len, arrow_up;
static void capture(const struct key_event *ev)
{
    if (ev->key == KEY_ARROW_UP) arrow_up++;
    if (ev->ch && typed_len < (int)sizeof typed - 1) typed[typed_len++] = (char)ev->ch;
}

/* Command 0xd2 makes the PS/2 controller put a byte in its output buffer as
 * if the keyboard had sent it, which raises IRQ 1 (tests/kernel/interrupts.c
 * does the same). Returns once the handler has read it. */
static void ps2_inject(uint8_t byte)
{
    while (inb(0x64) & 0x02) cpu_relax();
    outb(0x64, 0xd2);
    while (inb(0x64) & 0x02) cpu_relax();
    outb(0x60, byte);
    uint64_t start = timer_ticks();
    while ((inb(0x64) & 0x01) && timer_ticks() < start + 50) hlt();
    kassert(!(inb(0x64) & 0x01));
}

/* Run the executor until the keyboard task has echoed n characters. */
static void run_until_typed(int n)
{
    uint64_t start = timer_ticks();
    while (typed_len < n && timer_ticks() < start + 200) {
        executor_run_ready_tasks(&ex);
        if (typed_len < n) executor_sleep_if_idle(&ex);
    }
    kassert_eq(typed_len, n);
}

KTEST(keys_through_the_ps2_controller_reach_the_keyboard_task)
{
    typed_len = arrow_up = 0;
    begin(8);
    executor_spawn(&ex, FUTURE_BOX(struct print_keypresses, print_keypresses(capture)));
    executor_run_ready_tasks(&ex); /* makes the stream, then waits on it */
    uint64_t added = scancode_queue_stats().added;
    static const uint8_t bytes[] = {0x25, 0xa5, 0x2a, 0x17, 0x97, 0xaa, 0xe0, 0x48, 0xe0, 0xc8};
    for (unsigned i = 0; i < sizeof bytes; i++) ps2_inject(bytes[i]);
    kassert_eq(scancode_queue_stats().added, added + sizeof bytes);
    run_until_typed(2);
    kassert_eq(typed[0], 'k');
    kassert_eq(typed[1], 'I');
    kassert_eq(arrow_up, 1);
    /* Keys typed while the executor halts wake it: one key, one poll. */
    uint64_t polls = executor_stats(&ex).polls;
    ps2_inject(0x30); /* b */
    run_until_typed(3);
    kassert_eq(typed[2], 'b');
    kassert_eq(executor_stats(&ex).polls, polls + 1);
    end(); /* drops print_keypresses, which frees the stream */
}

/* The lost wake-up that sleep_if_idle must not have. The timer is masked,
 * so only the keyboard can end a halt. With interrupts off (as after
 * sleep_if_idle's check), a key arrives: IRQ 1 is raised but held. The queue
 * is still empty, so sleep_if_idle halts; its "sti; hlt" takes the held
 * interrupt only once the hlt has begun, and the interrupt ends it. Had the
 * interrupt been taken between sti and hlt, the wake-up would be spent and
 * the CPU would halt for good (the runner's timeout would fail the image). */
KTEST(a_key_held_back_while_interrupts_are_off_ends_the_halt)
{
    typed_len = 0;
    begin(8);
    executor_spawn(&ex, FUTURE_BOX(struct print_keypresses, print_keypresses(capture)));
    executor_run_ready_tasks(&ex); /* the task waits on the stream */
    irq_set_handler(IRQ_TIMER, NULL);
    cli();
    while (inb(0x64) & 0x02) cpu_relax();
    outb(0x64, 0xd2);
    while (inb(0x64) & 0x02) cpu_relax();
    outb(0x60, 0x30);                             /* b */
    while (!(inb(0x64) & 0x01)) cpu_relax();      /* in the output buffer: IRQ 1 raised */
    kassert(mpmc_queue_is_empty(&ex.queue->ids)); /* not delivered: nothing woken yet */
    uint64_t halts = executor_stats(&ex).halts;
    executor_sleep_if_idle(&ex); /* halts, and returns only through IRQ 1 */
    kassert(interrupts_enabled());
    timer_init(); /* the timer back */
    kassert_eq(executor_stats(&ex).halts, halts + 1);
    kassert(!mpmc_queue_is_empty(&ex.queue->ids)); /* IRQ 1 woke the keyboard task */
    executor_run_ready_tasks(&ex);
    kassert_eq(typed_len, 1);
    kassert_eq(typed[0], 'b');
    end();
}

KTEST(scancode_101_arriving_before_the_task_runs_is_dropped_with_the_warning)
{
    typed_len = 0;
    begin(8);
    executor_spawn(&ex, FUTURE_BOX(struct print_keypresses, print_keypresses(capture)));
    executor_run_ready_tasks(&ex);
    struct scancode_queue_stats before = scancode_queue_stats();
    for (int i = 0; i < SCANCODE_QUEUE_CAPACITY + 1; i++) ps2_inject(i % 2 ? 0x1e : 0x30); /* b a */
    struct scancode_queue_stats after = scancode_queue_stats();
    kassert_eq(after.added, before.added + SCANCODE_QUEUE_CAPACITY);
    kassert_eq(after.dropped_full, before.dropped_full + 1);
    kassert(strcmp(after.last_warning, "WARNING: scancode queue full; dropping keyboard input") ==
            0);
    kassert_eq(executor_stats(&ex).wakes, 1); /* a hundred scancodes, one wake */
    run_until_typed(SCANCODE_QUEUE_CAPACITY);
    for (int i = 0; i < SCANCODE_QUEUE_CAPACITY; i++) kassert_eq(typed[i], i % 2 ? 'a' : 'b');
    end();
}

KTEST(a_scancode_with_no_stream_is_dropped_with_the_warning)
{
    struct scancode_queue_stats before = scancode_queue_stats();
    ps2_inject(0x1e);
    struct scancode_queue_stats after = scancode_queue_stats();
    kassert_eq(after.dropped_uninit, before.dropped_uninit + 1);
    kassert_eq(after.added, before.added);
    kassert(strcmp(after.last_warning, "WARNING: scancode queue uninitialized") == 0);
}

/* A scancode that arrives after poll_next's first look and before it
 * registers its waker finds no waker to wake: without the second look the
 * task would wait for the next key, with this one queued (the lost wake-up
 * the post explains). The hook plays IRQ 1 in exactly that window. */
static void irq_in_the_window(void)
{
    scancode_queue_add(0x1e);
}

KTEST(poll_next_registers_its_waker_before_the_second_check)
{
    used0 = heap_stats().used;
    struct scancode_stream s = scancode_stream_new();
    struct wake_queue *q = wake_queue_new(4);
    struct waker *w = waker_new(99, q);
    struct context cx = {w};
    uint8_t code = 0;
    scancode_stream_race_hook = irq_in_the_window;
    kassert_eq(scancode_stream_poll_next(&s, &cx, &code), POLL_READY);
    scancode_stream_race_hook = NULL;
    kassert_eq(code, 0x1e);
    kassert(mpmc_queue_is_empty(&q->ids)); /* nobody was woken: the second look found it */
    /* Now registered: a scancode that arrives later wakes the task. */
    kassert_eq(scancode_stream_poll_next(&s, &cx, &code), POLL_PENDING);
    scancode_queue_add(0x30);
    uint64_t id = 0;
    kassert(mpmc_queue_pop(&q->ids, &id));
    kassert_eq(id, 99);
    kassert_eq(scancode_stream_poll_next(&s, &cx, &code), POLL_READY);
    kassert_eq(code, 0x30);
    scancode_stream_free(&s);
    waker_drop(w);
    wake_queue_drop(q);
    kassert_eq(heap_stats().used, used0);
    kassert_eq(heap_check(), 0);
}

/* Spawns 1,000 countdown tasks, 20 per poll, yielding between batches. */
struct spawner {
    struct future base;
    int co_line;
    int spawned;
};
static enum poll spawner_poll(struct future *self, struct context *cx)
{
    struct spawner *s = (struct spawner *)self;
    CO_BEGIN(s);
    while (s->spawned < 1000) {
        for (int i = 0; i < 20; i++, s->spawned++) executor_spawn(&ex, countdown(s->spawned % 3));
        YIELD(s, cx);
    }
    CO_END(s);
}
static const struct future_vtable spawner_vt =
    FUTURE_VTABLE(struct spawner, "spawner", spawner_poll, NULL);

/* bump: the executor's task tree, waker tree and queue, and the spawner,
 * live throughout, so the memory of finished tasks never comes back, and
 * the region runs out while the spawner is still at work and few tasks
 * live. */
static const char *bump_runs_out_with_few_tasks_live(const char *message)
{
    const char *differs = bump_exhausted(message);
    if (differs) return differs;
    struct executor_stats s = executor_stats(&ex);
    if (s.spawned >= 1000) return "all tasks were spawned";
    if (s.finished == 0) return "no task had finished";
    if (executor_task_count(&ex) > 100) return "more than 100 tasks live";
    return NULL;
}

/* The last case: with bump it ends in the allocation error. */
KTEST(a_task_spawns_1000_tasks_and_all_finish_with_the_heap_given_back)
{
    if (heap_is_bump())
        ktest_expect_panic(
            "allocation error: Layout { size: ", "bump reuses no memory while the executor lives",
            bump_runs_out_with_few_tasks_live);
    begin(100);
    executor_spawn(&ex, FUTURE_BOX(struct spawner, {.base = {&spawner_vt}}));
    executor_run_until_done(&ex);
    kassert_eq(executor_task_count(&ex), 0);
    kassert_eq(btree_len(&ex.waker_cache), 0);
    struct executor_stats s = end();
    kassert_eq(s.spawned, 1001);
    kassert_eq(s.finished, 1001);
    uint64_t polls = 51, wakes = 50; /* the spawner: 50 yields */
    for (int i = 0; i < 1000; i++) {
        polls += (uint64_t)(i % 3) + 1;
        wakes += (uint64_t)(i % 3);
    }
    kassert_eq(s.polls, polls);
    kassert_eq(s.wakes, wakes);
}
