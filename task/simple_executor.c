/* Post 12's SimpleExecutor: a FIFO of tasks and a waker that does nothing,
 * so pending tasks are simply polled again. The contract is in
 * kiln/executor.h. Pure. */
#include "kiln/executor.h"

void simple_executor_init(struct simple_executor *ex)
{
    ex->task_queue = DEQUE_NEW(struct task);
}

void simple_executor_spawn(struct simple_executor *ex, struct future *boxed)
{
    struct task t = task_new(boxed);
    deque_push_back(&ex->task_queue, &t);
}

void simple_executor_run(struct simple_executor *ex)
{
    struct waker *dummy = waker_new(0, NULL); /* dummy_waker(): wakes nothing */
    struct context cx = {.waker = dummy};
    struct task t;
    while (deque_pop_front(&ex->task_queue, &t)) {
        if (task_poll(&t, &cx) == POLL_READY)
            task_drop(&t);
        else
            deque_push_back(&ex->task_queue, &t);
    }
    waker_drop(dummy);
    deque_free(&ex->task_queue);
}
