/* Futures in C (task/future.c): blog_os post 12's Future trait, by hand.
 *
 * Rust:   trait Future { type Output;
 *                        fn poll(self: Pin<&mut Self>, cx: &mut Context) -> Poll<Self::Output>; }
 * kiln:   a future is a struct whose first member is struct future, a pointer
 *         to its vtable (what Rust builds for a dyn Future). poll(self, cx)
 *         returns POLL_READY once the value is there, or POLL_PENDING after
 *         arranging for cx->waker to be woken when it is worth polling again.
 *         The output (Rust's Output) is a field of the future's own struct,
 *         read by whoever polled it after POLL_READY.
 *
 * Rules (the Future contract, the same as Rust's):
 * - poll never blocks; a future that returns POLL_PENDING has registered
 *   cx->waker (or a clone) with whatever will complete it, else nobody will
 *   ever poll it again;
 * - once it returned POLL_READY it is not polled again (kiln's futures panic);
 * - a future never moves in memory once polled (Rust's Pin: see
 *   kiln/coroutine.h and docs/async.md); the executor keeps each task's
 *   future in one heap block (Rust's Pin<Box<dyn Future>>).
 */
#ifndef KILN_FUTURE_H
#define KILN_FUTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/alloc.h"

enum poll { POLL_PENDING, POLL_READY };

struct waker;
/* What a poll gets besides the future (Rust's Context): the waker of the
 * task that polls. */
struct context {
    struct waker *waker;
};

struct future;
/* The vtable of one kind of future. size and align: the layout of the whole
 * struct, so a boxed future can be freed through a struct future * (Rust's
 * Box<dyn Future> keeps the same in its vtable). drop (may be NULL) releases
 * what the future owns (registered wakers, inner boxed futures), not the
 * future itself. */
struct future_vtable {
    const char *name;
    size_t size, align;
    enum poll (*poll)(struct future *self, struct context *cx);
    void (*drop)(struct future *self);
};

struct future {
    const struct future_vtable *vt;
};

/* Poll f once (f->vt->poll). Panics when f or its vtable is NULL. */
enum poll future_poll(struct future *f, struct context *cx);

/* A vtable for the struct type T with the given poll and drop functions (of
 * T's struct future, cast back with container_of or a plain cast since the
 * base is the first member). */
#define FUTURE_VTABLE(T, name_, poll_, drop_)                                                      \
    {                                                                                              \
        .name = (name_), .size = sizeof(T), .align = _Alignof(T), .poll = (poll_), .drop = (drop_) \
    }

/* Copy the future at f (vt->size bytes) into a new heap block: a boxed
 * future for a task (Box::pin). Panics through alloc_error on no memory. */
struct future *future_box(const struct future *f);
/* As future_box, but NULL on no memory. */
struct future *try_future_box(const struct future *f);
/* Run the future's drop, then free its block. NULL does nothing. */
void future_box_free(struct future *f);

/* Typed form: T is the future's struct type, the rest its initializer. */
#define FUTURE_BOX(T, ...)                                                                         \
    ({                                                                                             \
        T future_box_v_ = __VA_ARGS__;                                                             \
        future_box(&future_box_v_.base);                                                           \
    })

/* ---- ready: a future that is ready at its first poll (core::future::ready) */

struct ready_future {
    struct future base;
    uint64_t value; /* the output */
    bool done;
};

/* A future whose first poll returns POLL_READY with output value. */
struct ready_future ready(uint64_t value);

/* ---- yield_now: pending once, waking its own task first --------------- */

/* The first poll wakes cx->waker and returns POLL_PENDING (the task goes to
 * the back of the ready queue); the second returns POLL_READY. A task that
 * wakes itself. */
struct yield_future {
    struct future base;
    bool yielded, done;
};
struct yield_future yield_now(void);

/* ---- join: two futures, both driven to completion --------------------- */

/* Polls a and b (each until it is ready; a ready one is not polled again)
 * and is ready when both are, as futures::join. It borrows a and b: they live
 * where the caller keeps them (usually beside the join in a coroutine's
 * state) and are neither moved nor dropped by it; read their outputs after. */
struct join_future {
    struct future base;
    struct future *a, *b;
    bool a_ready, b_ready;
};
struct join_future join(struct future *a, struct future *b);

#endif
