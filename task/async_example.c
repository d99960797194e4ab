/* Post 12's example_task, as a hand-written state machine and as a
 * coroutine (kiln/async_example.h). Pure. */
#include "kiln/async_example.h"

#include "kiln/coroutine.h"
#include "kiln/fmt.h"
#include "kiln/panic.h"

struct ready_future async_number(void)
{
    return ready(42);
}

static void say_number(example_say_fn say, uint64_t number)
{
    char line[40];
    ksnprintf(line, sizeof line, "async number: %llu", (unsigned long long)number);
    say(line);
}

/* ---- by hand: what the compiler generates for an async fn ------------- */

static enum poll machine_poll(struct future *self, struct context *cx)
{
    struct example_machine *m = (struct example_machine *)self;
    for (;;) {
        switch (m->state) {
        case EXAMPLE_START:
            /* The code before the first .await: make the inner future, move
             * to the state that waits on it. */
            m->number_future = async_number();
            m->state = EXAMPLE_WAITING_ON_NUMBER;
            break;
        case EXAMPLE_WAITING_ON_NUMBER:
            if (future_poll(&m->number_future.base, cx) == POLL_PENDING) return POLL_PENDING;
            /* The code after the .await, up to the end of the function. */
            say_number(m->say, m->number_future.value);
            m->state = EXAMPLE_END;
            return POLL_READY;
        case EXAMPLE_END:
            panic("example_task: polled after it completed");
        }
    }
}

static const struct future_vtable machine_vt =
    FUTURE_VTABLE(struct example_machine, "example_task (by hand)", machine_poll, NULL);

struct example_machine example_task_machine(example_say_fn say)
{
    return (struct example_machine){.base = {&machine_vt}, .state = EXAMPLE_START, .say = say};
}

/* ---- with the coroutine macros: the same machine ---------------------- */

static enum poll example_poll(struct future *self, struct context *cx)
{
    struct example_task *t = (struct example_task *)self;
    CO_BEGIN(t);
    t->number_future = async_number();
    AWAIT(t, cx, &t->number_future);
    say_number(t->say, t->number_future.value);
    CO_END(t);
}

static const struct future_vtable example_vt =
    FUTURE_VTABLE(struct example_task, "example_task", example_poll, NULL);

struct example_task example_task(example_say_fn say)
{
    return (struct example_task){.base = {&example_vt}, .say = say};
}
