/* Wakers and the wake queue, on kiln's arc. The contract is in kiln/waker.h.
 * Pure. */
#include "kiln/waker.h"

#include "kiln/arc.h"
#include "kiln/panic.h"

static void wake_queue_destroy(void *value)
{
    struct wake_queue *q = value;
    mpmc_queue_free(&q->ids);
}

struct wake_queue *wake_queue_new(size_t capacity)
{
    struct wake_queue init = {0};
    enum mpmc_queue_error e = mpmc_queue_init(&init.ids, capacity);
    if (e != MPMC_QUEUE_OK) panic("wake_queue_new(%zu): %s", capacity, mpmc_queue_error_name(e));
    /* The copy owns the slot array from here on (the struct is moved, once,
     * before any other thread can see it). */
    return arc_new(&init, layout_for(struct wake_queue), wake_queue_destroy);
}

void wake_queue_drop(struct wake_queue *q)
{
    arc_drop(q);
}

static void waker_destroy(void *value)
{
    struct waker *w = value;
    if (w->queue) wake_queue_drop(w->queue);
}

struct waker *waker_new(uint64_t task_id, struct wake_queue *queue)
{
    struct waker init = {.task_id = task_id, .queue = queue ? arc_clone(queue) : NULL};
    atomic_init(&init.queued, false);
    return arc_new(&init, layout_for(struct waker), waker_destroy);
}

void waker_wake_by_ref(struct waker *w)
{
    if (!w) panic("waker_wake_by_ref: NULL waker");
    if (!w->queue) return; /* no-op waker */
    /* acq_rel: pairs with the executor's clear before the poll, so the
     * task's writes before that poll are seen by whoever wakes it next. */
    if (atomic_exchange_explicit(&w->queued, true, memory_order_acq_rel)) return;
    if (!mpmc_queue_push(&w->queue->ids, w->task_id)) panic("task_queue full");
    atomic_fetch_add_explicit(&w->queue->wakes, 1, memory_order_relaxed);
}

void waker_wake(struct waker *w)
{
    waker_wake_by_ref(w);
    waker_drop(w);
}

struct waker *waker_clone(struct waker *w)
{
    return arc_clone(w);
}

bool waker_drop(struct waker *w)
{
    return arc_drop(w);
}

size_t waker_strong_count(const struct waker *w)
{
    return arc_strong_count(w);
}

bool waker_will_wake(const struct waker *a, const struct waker *b)
{
    return a == b;
}

void waker_clear_queued(struct waker *w)
{
    atomic_store_explicit(&w->queued, false, memory_order_release);
}

void waker_retire(struct waker *w)
{
    atomic_store_explicit(&w->queued, true, memory_order_release);
}
