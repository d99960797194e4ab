/* The executors (task/executor.c, task/simple_executor.c): post 12's
 * SimpleExecutor and Executor.
 *
 * Executor. Tasks live in a B-tree map from id to struct task (Rust's
 * BTreeMap<TaskId, Task>); wakers push ready ids into a shared lock-free
 * queue (kiln/waker.h); the waker cache keeps each task's one waker, made at
 * spawn. run_ready_tasks pops ids and polls those tasks; a finished task's
 * future, map entry and waker are freed at once. sleep_if_idle halts the CPU
 * when the queue is empty, without losing a wake-up that lands between the
 * check and the halt (below).
 *
 * Pure: the CPU side of sleeping comes in as struct executor_idle. The kernel
 * (task/idle.c) gives cli, sti, and "sti; hlt"; the host tests give a mutex
 * and a condition variable, with a thread playing the interrupt handlers.
 *
 * Not thread-safe itself: one CPU runs an executor; only its wakers may be
 * used from elsewhere (other threads, interrupt handlers).
 */
#ifndef KILN_EXECUTOR_H
#define KILN_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "kiln/btree.h"
#include "kiln/deque.h"
#include "kiln/future.h"
#include "kiln/task.h"
#include "kiln/waker.h"

/* How sleep_if_idle sleeps. enable_and_halt must enable "interrupts" and
 * wait for one as ONE step, so that a wake-up arriving right after the
 * enable is not missed: on x86, sti takes effect only after the instruction
 * that follows it, so "sti; hlt" cannot be interrupted between the two; a
 * condition variable's wait releases the mutex and sleeps atomically. */
struct executor_idle {
    void (*disable)(void *ctx);         /* cli */
    void (*enable)(void *ctx);          /* sti */
    void (*enable_and_halt)(void *ctx); /* sti; hlt */
    void *ctx;
};

/* Counters since executor_init. wakes counts ids pushed by wakers (a wake
 * of a task already queued pushes nothing and is not counted). */
struct executor_stats {
    uint64_t spawned, finished, polls, wakes, halts;
};

struct executor {
    struct btree tasks;       /* uint64_t id -> struct task */
    struct btree waker_cache; /* uint64_t id -> struct waker * */
    struct wake_queue *queue;
    const struct executor_idle *idle;
    struct executor_stats stats; /* wakes: read from queue */
};

/* An executor with room for capacity ready ids (the post: 100). Spawning
 * more live tasks than that can make a wake panic "task_queue full". */
void executor_init(struct executor *ex, size_t capacity, const struct executor_idle *idle);

/* Take ownership of boxed (future_box), make it a task, queue it. Returns
 * its id. Panics "task with same ID already in tasks" (cannot happen with
 * task_new's ids) and "task_queue full". Tasks may spawn tasks. */
uint64_t executor_spawn(struct executor *ex, struct future *boxed);

/* Pop ready ids until the queue is empty, polling each task (an id whose
 * task is gone is skipped). A task that is ready is removed with its waker. */
void executor_run_ready_tasks(struct executor *ex);

/* With interrupts disabled, check the queue: empty, halt (enable_and_halt,
 * counted in stats.halts); else re-enable and return. */
void executor_sleep_if_idle(struct executor *ex);

/* run_ready_tasks and sleep_if_idle forever (Executor::run). */
noreturn void executor_run(struct executor *ex);

/* As executor_run, but return once no task is left. */
void executor_run_until_done(struct executor *ex);

static inline size_t executor_task_count(const struct executor *ex)
{
    return btree_len(&ex->tasks);
}

struct executor_stats executor_stats(const struct executor *ex);

/* "executor: S spawned, F finished, P polls, W wakes, H halts" into buf
 * (kiln's snprintf contract); returns the length it needed. */
int executor_stats_format(const struct executor *ex, char *buf, size_t n);

/* Drop every remaining task (future and waker) and the executor's queue
 * reference. Wakers still held elsewhere stay valid (they hold the queue). */
void executor_free(struct executor *ex);

/* ---- SimpleExecutor: a FIFO of tasks, polled in a loop ----------------- */

/* Post 12's first executor: no wakers that do anything (a no-op waker), so
 * it polls every pending task again and again until all are done. Only good
 * for futures that become ready by themselves; it busy-loops otherwise. */
struct simple_executor {
    struct deque task_queue; /* struct task */
};

void simple_executor_init(struct simple_executor *ex);
void simple_executor_spawn(struct simple_executor *ex, struct future *boxed);
/* Poll the front task; pending ones go to the back; return when none is
 * left. Frees the queue's buffer at the end. */
void simple_executor_run(struct simple_executor *ex);

#endif
