/* The executor's idle operations on x86 (kiln/async.h). */
#include "arch/x86_64/cpu.h"
#include "kiln/async.h"

static void idle_disable(void *ctx)
{
    (void)ctx;
    cli();
}

static void idle_enable(void *ctx)
{
    (void)ctx;
    sti();
}

static void idle_enable_and_halt(void *ctx)
{
    (void)ctx;
    sti_hlt(); /* one step: no interrupt is missed between sti and hlt */
}

const struct executor_idle kernel_idle = {idle_disable, idle_enable, idle_enable_and_halt, NULL};
