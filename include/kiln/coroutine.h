/* Stackless coroutines for writing futures as straight-line code
 * (protothreads style): C's stand-in for Rust's async fn.
 *
 * Rust turns
 *     async fn example_task() { let number = async_number().await;
 *                               println!("async number: {}", number); }
 * into a state machine: an enum with one variant per .await point, holding
 * the variables that live across it, and a poll that switches on the variant
 * (post 12, "The State Machine Transformation"). task/example.c shows that
 * machine written out by hand. These macros let C write it as one function:
 *
 *     struct example_task { struct future base; int co_line;
 *                           struct ready_future number; };
 *     static enum poll example_poll(struct future *self, struct context *cx)
 *     {
 *         struct example_task *t = (struct example_task *)self;
 *         CO_BEGIN(t);
 *         t->number = ready(42);
 *         AWAIT(t, cx, &t->number);
 *         println("async number: %llu", t->number.value);
 *         CO_END(t);
 *     }
 *
 * What they expand to. The whole body becomes one switch on t->co_line, the
 * resume point; 0 means "not started". AWAIT(t, cx, f) stores its own line
 * number in t->co_line, then has a case label for that line, then polls f:
 * on POLL_PENDING it returns POLL_PENDING from the enclosing poll, and the
 * next poll jumps straight back to the case label and polls f again. CO_END
 * sets co_line to CO_FINISHED and returns POLL_READY; a poll after that
 * panics, as Rust's "`async fn` resumed after completion".
 *
 * Rules (each follows from the expansion):
 * - Locals do not survive an AWAIT or YIELD: the function returns there, and
 *   its stack frame is gone. Everything that must live across one is a field
 *   of the state struct. This is C's version of the post's self-reference
 *   problem: a field may point into the same struct (say, a borrowed
 *   inner future), so the struct must not move once polled (Rust's Pin). Box
 *   it (FUTURE_BOX) or keep it where it is, and never copy it after the
 *   first poll.
 * - No switch statement of your own may contain an AWAIT (its case labels
 *   would belong to your switch), and at most one AWAIT per source line.
 * - The inner future is initialised before the AWAIT, on its own statement:
 *   that statement runs once, the AWAIT's poll once per resume.
 * - A future that returns POLL_PENDING has registered the waker: the inner
 *   future did, so AWAIT passes cx down unchanged.
 */
#ifndef KILN_COROUTINE_H
#define KILN_COROUTINE_H

#include "kiln/future.h"
#include "kiln/panic.h"
#include "kiln/waker.h"

#define CO_FINISHED (-1)

/* Open the body of a coroutine whose state struct *co has an int co_line
 * (0 before the first poll). */
#define CO_BEGIN(co)                                                                               \
    switch ((co)->co_line) {                                                                       \
    case 0:

/* Poll future f until it is ready, returning POLL_PENDING meanwhile. */
#define AWAIT(co, cx, f)                                                                           \
    do {                                                                                           \
        (co)->co_line = __LINE__;                                                                  \
        __attribute__((fallthrough));                                                              \
    case __LINE__:                                                                                 \
        if (future_poll((struct future *)(f), (cx)) == POLL_PENDING) return POLL_PENDING;          \
    } while (0)

/* Give way once: wake our own task and return POLL_PENDING; resume here at
 * the next poll (yield_now, inline). */
#define YIELD(co, cx)                                                                              \
    do {                                                                                           \
        (co)->co_line = __LINE__;                                                                  \
        waker_wake_by_ref((cx)->waker);                                                            \
        return POLL_PENDING;                                                                       \
    case __LINE__:;                                                                                \
    } while (0)

/* Close the body: the coroutine is finished and ready. */
#define CO_END(co)                                                                                 \
    (co)->co_line = CO_FINISHED;                                                                   \
    return POLL_READY;                                                                             \
    case CO_FINISHED:                                                                              \
        panic("%s: coroutine polled after it completed", __func__);                                \
    default:                                                                                       \
        panic("%s: bad resume point %d", __func__, (co)->co_line);                                 \
        }

#endif
