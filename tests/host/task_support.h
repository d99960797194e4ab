/* Futures shared by the task host tests. */
#ifndef KILN_TEST_TASK_SUPPORT_H
#define KILN_TEST_TASK_SUPPORT_H

#include "kiln/future.h"
#include "kiln/waker.h"

/* Pending `left` times, waking its own task each time (a task that wakes
 * itself), then ready with output `value`; counts its polls. */
struct countdown {
    struct future base;
    int left, polls;
    uint64_t value;
};

static enum poll countdown_poll(struct future *self, struct context *cx)
{
    struct countdown *c = (struct countdown *)self;
    c->polls++;
    if (c->left == 0) return POLL_READY;
    c->left--;
    waker_wake_by_ref(cx->waker);
    return POLL_PENDING;
}

static const struct future_vtable countdown_vt =
    FUTURE_VTABLE(struct countdown, "countdown", countdown_poll, NULL);

static inline struct countdown countdown(int left, uint64_t value)
{
    return (struct countdown){.base = {&countdown_vt}, .left = left, .value = value};
}

#endif
