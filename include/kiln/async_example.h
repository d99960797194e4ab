/* Post 12's first example, twice (task/async_example.c):
 *
 *     async fn async_number() -> u32 { 42 }
 *     async fn example_task() {
 *         let number = async_number().await;
 *         println!("async number: {}", number);
 *     }
 *
 * example_task_machine() is the state machine Rust generates, written out by
 * hand as the post's "The State Machine Transformation" draws it: an enum with
 * a state per await point (Start, WaitingOnNumber, End), the variables that
 * live across each await stored in the struct, and a poll that switches on
 * the state. example_task() is the same future written with kiln/coroutine.h,
 * which expands to that machine. Both hand their line to say() (the kernel
 * passes the console's println; tests capture it). Pure.
 */
#ifndef KILN_ASYNC_EXAMPLE_H
#define KILN_ASYNC_EXAMPLE_H

#include "kiln/future.h"

typedef void (*example_say_fn)(const char *line);

/* async_number(): a ready future with output 42. */
struct ready_future async_number(void);

enum example_state { EXAMPLE_START, EXAMPLE_WAITING_ON_NUMBER, EXAMPLE_END };

struct example_machine {
    struct future base;
    enum example_state state;
    struct ready_future number_future; /* lives across the await */
    example_say_fn say;
};
struct example_machine example_task_machine(example_say_fn say);

struct example_task {
    struct future base;
    int co_line;
    struct ready_future number_future;
    example_say_fn say;
};
struct example_task example_task(example_say_fn say);

#endif
