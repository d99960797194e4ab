/* Futures: boxing, and the three small futures every executor test needs
 * (ready, yield_now, join). The contract is in kiln/future.h. Pure. */
#include "kiln/future.h"

#include "kiln/panic.h"
#include "kiln/string.h"
#include "kiln/waker.h"

enum poll future_poll(struct future *f, struct context *cx)
{
    if (!f || !f->vt || !f->vt->poll) panic("future_poll: %p is not a future", (void *)f);
    return f->vt->poll(f, cx);
}

static struct layout box_layout(const struct future *f, const char *who)
{
    if (!f || !f->vt) panic("%s: %p is not a future", who, (const void *)f);
    return (struct layout){f->vt->size, f->vt->align};
}

struct future *try_future_box(const struct future *f)
{
    struct layout l = box_layout(f, "try_future_box");
    struct future *b = try_heap_alloc(l);
    if (b) memcpy(b, f, l.size);
    return b;
}

struct future *future_box(const struct future *f)
{
    struct layout l = box_layout(f, "future_box");
    struct future *b = heap_alloc(l);
    memcpy(b, f, l.size);
    return b;
}

void future_box_free(struct future *f)
{
    if (!f) return;
    struct layout l = box_layout(f, "future_box_free");
    if (f->vt->drop) f->vt->drop(f);
    heap_dealloc(f, l);
}

/* ---- ready ---------------------------------------------------------------- */

static enum poll ready_poll(struct future *self, struct context *cx)
{
    (void)cx;
    struct ready_future *r = (struct ready_future *)self;
    if (r->done) panic("ready: polled after it completed");
    r->done = true;
    return POLL_READY;
}

static const struct future_vtable ready_vt =
    FUTURE_VTABLE(struct ready_future, "ready", ready_poll, NULL);

struct ready_future ready(uint64_t value)
{
    return (struct ready_future){.base = {&ready_vt}, .value = value};
}

/* ---- yield_now ------------------------------------------------------------ */

static enum poll yield_poll(struct future *self, struct context *cx)
{
    struct yield_future *y = (struct yield_future *)self;
    if (y->done) panic("yield_now: polled after it completed");
    if (!y->yielded) {
        y->yielded = true;
        waker_wake_by_ref(cx->waker);
        return POLL_PENDING;
    }
    y->done = true;
    return POLL_READY;
}

static const struct future_vtable yield_vt =
    FUTURE_VTABLE(struct yield_future, "yield_now", yield_poll, NULL);

struct yield_future yield_now(void)
{
    return (struct yield_future){.base = {&yield_vt}};
}

/* ---- join ----------------------------------------------------------------- */

static enum poll join_poll(struct future *self, struct context *cx)
{
    struct join_future *j = (struct join_future *)self;
    if (j->a_ready && j->b_ready) panic("join: polled after it completed");
    if (!j->a_ready) j->a_ready = future_poll(j->a, cx) == POLL_READY;
    if (!j->b_ready) j->b_ready = future_poll(j->b, cx) == POLL_READY;
    return j->a_ready && j->b_ready ? POLL_READY : POLL_PENDING;
}

static const struct future_vtable join_vt =
    FUTURE_VTABLE(struct join_future, "join", join_poll, NULL);

struct join_future join(struct future *a, struct future *b)
{
    if (!a || !b) panic("join: NULL future (%p, %p)", (void *)a, (void *)b);
    return (struct join_future){.base = {&join_vt}, .a = a, .b = b};
}
