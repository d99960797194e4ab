/* Wakers (task/waker.c): post 12's TaskWaker, on kiln's arc.
 *
 * A waker is how a future that returned POLL_PENDING gets its task polled
 * again: whoever completes it (an interrupt handler, another task) wakes the
 * waker, which pushes the task's id into its executor's wake queue. It is an
 * arc value (kiln/arc.h): clone and drop change an atomic count, and the last
 * drop frees it. Rust's Waker is a RawWaker with a vtable of clone, wake,
 * wake_by_ref and drop; kiln has one kind of waker, so the vtable is plain
 * functions.
 *
 * Each task has one waker, made by the executor when it spawns the task and
 * kept in its waker cache until the task finishes; every clone handed to a
 * future shares it. A waker carries a "queued" flag, so waking a task that is
 * already in the queue pushes nothing: a task is in the queue at most once,
 * however many interrupts wake it before it runs. The executor clears the
 * flag just before it polls the task (so a wake during the poll queues it
 * again), and sets it for good when the task finishes (so a waker that
 * outlives its task wakes nothing).
 *
 * Interrupt handlers may call waker_wake_by_ref (it neither allocates nor
 * locks: an atomic exchange and a lock-free push) but not waker_wake,
 * waker_clone or waker_drop: the last drop frees memory.
 */
#ifndef KILN_WAKER_H
#define KILN_WAKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/mpmc_queue.h"

/* The executor's queue of ready task ids, shared with every waker (Rust's
 * Arc<ArrayQueue<TaskId>>): an arc value, freed when the executor and the
 * last waker have dropped it. */
struct wake_queue {
    struct mpmc_queue ids;
    _Atomic uint64_t wakes; /* wakes that pushed an id */
};

/* A wake queue for capacity ids. Panics with the mpmc_queue_error's name
 * when the queue cannot be made, and through alloc_error. */
struct wake_queue *wake_queue_new(size_t capacity);
/* Drop one reference (arc_drop); the last frees the queue. */
void wake_queue_drop(struct wake_queue *q);

struct waker {
    uint64_t task_id;
    struct wake_queue *queue; /* one reference, dropped with the waker; NULL: no-op waker */
    atomic_bool queued;       /* task_id is in queue (or the task is gone) */
};

/* A waker for task_id on queue (which it clones), count 1, queued false.
 * queue NULL makes a no-op waker: waking it does nothing (the post's
 * dummy_raw_waker, for the SimpleExecutor). */
struct waker *waker_new(uint64_t task_id, struct wake_queue *queue);

/* Schedule the task: unless it is queued already, mark it queued and push
 * its id. Panics "task_queue full" when the queue has no room, as the post's
 * expect() does. Interrupt-safe (see above). */
void waker_wake_by_ref(struct waker *w);
/* waker_wake_by_ref, then drop this reference (Waker::wake consumes). */
void waker_wake(struct waker *w);

/* One more reference to the same waker. */
struct waker *waker_clone(struct waker *w);
/* Drop a reference; the last one drops the waker's queue reference and
 * frees it. Returns true when this drop freed it. */
bool waker_drop(struct waker *w);
/* The number of references now (a hint while others hold some). */
size_t waker_strong_count(const struct waker *w);
/* True when a and b wake the same task (Waker::will_wake). */
bool waker_will_wake(const struct waker *a, const struct waker *b);

/* The executor's: clear the queued flag just before polling the task, and
 * set it for good when the task is finished. */
void waker_clear_queued(struct waker *w);
void waker_retire(struct waker *w);

#endif
