/* The kernel side of cooperative multitasking (task/idle.c, task/demo.c). */
#ifndef KILN_ASYNC_H
#define KILN_ASYNC_H

#include <stdnoreturn.h>

#include "kiln/executor.h"

/* The executor's idle operations on x86: cli; sti; and "sti; hlt", which
 * the CPU runs without taking an interrupt between the two instructions (sti
 * enables interrupts only after the next instruction), so an interrupt that
 * arrives after the queue was found empty ends the hlt instead of being
 * handled before it. */
extern const struct executor_idle kernel_idle;

/* Post 12's demo for kernel_main: the SimpleExecutor prints "async number:
 * 42"; then the Executor runs the print_keypresses task (echoing through
 * keyboard_echo) and a task that prints a line with the executor's
 * statistics every second, forever. The timer dots are switched off. */
noreturn void async_demo_run(void);

#endif
