/* Tasks: a boxed future with a unique id. The contract is in kiln/task.h.
 * Pure. */
#include "kiln/task.h"

#include <stdatomic.h>

#include "kiln/panic.h"

/* TaskId::new: a relaxed fetch_add is enough, only uniqueness matters. */
static _Atomic uint64_t next_id = 1;

struct task task_new(struct future *boxed)
{
    if (!boxed) panic("task_new: NULL future");
    return (struct task){atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed), boxed};
}

enum poll task_poll(struct task *t, struct context *cx)
{
    return future_poll(t->future, cx);
}

void task_drop(struct task *t)
{
    future_box_free(t->future);
    t->future = NULL;
}
