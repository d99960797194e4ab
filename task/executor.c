/* The Executor of post 12: tasks in a B-tree map, ready ids in a lock-free
 * queue, one cached waker per task, and sleep_if_idle. The contract is in
 * kiln/executor.h. Pure. */
#include "kiln/executor.h"

#include "kiln/fmt.h"
#include "kiln/panic.h"

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void executor_init(struct executor *ex, size_t capacity, const struct executor_idle *idle)
{
    if (!idle || !idle->disable || !idle->enable || !idle->enable_and_halt)
        panic("executor_init: the idle operations are incomplete");
    ex->tasks = BTREE_NEW(uint64_t, struct task, cmp_id);
    ex->waker_cache = BTREE_NEW(uint64_t, struct waker *, cmp_id);
    ex->queue = wake_queue_new(capacity);
    ex->idle = idle;
    ex->stats = (struct executor_stats){0};
}

uint64_t executor_spawn(struct executor *ex, struct future *boxed)
{
    struct task t = task_new(boxed);
    if (btree_insert(&ex->tasks, &t.id, &t, NULL)) panic("task with same ID already in tasks");
    /* The task's one waker, made now and marked queued: the id goes into the
     * queue below, and a wake before the first poll must not add a second. */
    struct waker *w = waker_new(t.id, ex->queue);
    atomic_store_explicit(&w->queued, true, memory_order_relaxed);
    btree_insert(&ex->waker_cache, &t.id, &w, NULL);
    if (!mpmc_queue_push(&ex->queue->ids, t.id)) panic("task_queue full");
    ex->stats.spawned++;
    return t.id;
}

/* The task is done: free its future, its entry and its waker. Wakers cloned
 * into other hands stay valid; retired, they wake nothing. */
static void finish(struct executor *ex, uint64_t id)
{
    struct task t;
    struct waker *w;
    btree_remove(&ex->tasks, &id, NULL, &t);
    task_drop(&t);
    if (btree_remove(&ex->waker_cache, &id, NULL, &w)) {
        waker_retire(w);
        waker_drop(w);
    }
    ex->stats.finished++;
}

void executor_run_ready_tasks(struct executor *ex)
{
    uint64_t id;
    while (mpmc_queue_pop(&ex->queue->ids, &id)) {
        struct task *found = btree_get(&ex->tasks, &id);
        if (!found) continue; /* task no longer exists */
        /* A copy: polling may spawn, and an insert moves entries within the
         * tree. The future itself stays where it is (boxed). */
        struct task t = *found;
        struct waker **w = btree_get(&ex->waker_cache, &id);
        if (!w) panic("executor: task %llu has no waker", (unsigned long long)id);
        struct context cx = {.waker = *w};
        waker_clear_queued(cx.waker);
        ex->stats.polls++;
        if (task_poll(&t, &cx) == POLL_READY) finish(ex, id);
    }
}

void executor_sleep_if_idle(struct executor *ex)
{
    const struct executor_idle *idle = ex->idle;
    idle->disable(idle->ctx);
    if (mpmc_queue_is_empty(&ex->queue->ids)) {
        /* An interrupt that wakes a task now is held until the halt begins,
         * and then ends it: nothing slips between the check and the halt. */
        ex->stats.halts++;
        idle->enable_and_halt(idle->ctx);
    } else {
        idle->enable(idle->ctx);
    }
}

noreturn void executor_run(struct executor *ex)
{
    for (;;) {
        executor_run_ready_tasks(ex);
        executor_sleep_if_idle(ex);
    }
}

void executor_run_until_done(struct executor *ex)
{
    for (;;) {
        executor_run_ready_tasks(ex);
        if (btree_is_empty(&ex->tasks)) return;
        executor_sleep_if_idle(ex);
    }
}

struct executor_stats executor_stats(const struct executor *ex)
{
    struct executor_stats s = ex->stats;
    s.wakes = atomic_load_explicit(&ex->queue->wakes, memory_order_relaxed);
    return s;
}

int executor_stats_format(const struct executor *ex, char *buf, size_t n)
{
    struct executor_stats s = executor_stats(ex);
    return ksnprintf(
        buf, n, "executor: %llu spawned, %llu finished, %llu polls, %llu wakes, %llu halts",
        (unsigned long long)s.spawned, (unsigned long long)s.finished, (unsigned long long)s.polls,
        (unsigned long long)s.wakes, (unsigned long long)s.halts);
}

static void drop_task(void *key, void *val)
{
    (void)key;
    task_drop(val);
}

static void drop_waker(void *key, void *val)
{
    (void)key;
    struct waker *w = *(struct waker **)val;
    waker_retire(w);
    waker_drop(w);
}

void executor_free(struct executor *ex)
{
    btree_free(&ex->tasks, drop_task);
    btree_free(&ex->waker_cache, drop_waker);
    wake_queue_drop(ex->queue);
    ex->queue = NULL;
}
