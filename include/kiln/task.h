/* Tasks (task/task.c): post 12's Task, a heap-allocated future with an id.
 *
 * Rust: struct Task { id: TaskId, future: Pin<Box<dyn Future<Output = ()>>> }
 * kiln: the future is a boxed struct future (future_box), owned by the task
 * and freed with it; it never moves, which is all Pin asks. Ids come from one
 * atomic counter, so they are unique across every executor (TaskId::new). */
#ifndef KILN_TASK_H
#define KILN_TASK_H

#include <stdint.h>

#include "kiln/future.h"

struct task {
    uint64_t id;
    struct future *future;
};

/* A task owning boxed (from future_box), with the next id (1, 2, ...).
 * Panics when boxed is NULL. */
struct task task_new(struct future *boxed);

/* Poll the task's future once. */
enum poll task_poll(struct task *t, struct context *cx);

/* Drop the future (its drop, then its block). */
void task_drop(struct task *t);

#endif
