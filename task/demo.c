/* Post 12's demo (kiln/async.h): the SimpleExecutor, then the Executor with
 * the keyboard task and a once-a-second task. */
#include "kiln/async.h"

#include "kiln/async_example.h"
#include "kiln/console.h"
#include "kiln/coroutine.h"
#include "kiln/keyboard.h"
#include "kiln/scancode_stream.h"
#include "kiln/sleep.h"
#include "kiln/timer.h"

static void say(const char *line)
{
    println("%s", line);
}

/* The keyboard task echoes through keyboard_echo; the demo notes whether
 * the echo left the cursor inside a line, so the ticker's line starts on a
 * line of its own instead of after the typed characters. (Only the kernel's
 * one executor touches this: tasks never run concurrently.) */
static bool typed_mid_line;

static void demo_echo(const struct key_event *ev)
{
    keyboard_echo(ev);
    typed_mid_line = ev->ch != '\n';
}

/* Every second: "[async] N s; executor: ..." (sleep_ticks(TIMER_HZ) in a
 * loop), beyond the post. */
struct ticker {
    struct future base;
    int co_line;
    uint64_t seconds;
    struct executor *ex;
    struct sleep_future nap;
};

static enum poll ticker_poll(struct future *self, struct context *cx)
{
    struct ticker *t = (struct ticker *)self;
    char line[128];
    CO_BEGIN(t);
    for (;;) {
        t->nap = sleep_ticks(TIMER_HZ);
        AWAIT(t, cx, &t->nap);
        t->seconds++;
        executor_stats_format(t->ex, line, sizeof line);
        println("%s[async] %llu s; %s", typed_mid_line ? "\n" : "", (unsigned long long)t->seconds,
                line);
        typed_mid_line = false;
    }
    CO_END(t);
}

static void ticker_drop(struct future *self)
{
    struct ticker *t = (struct ticker *)self;
    if (t->nap.base.vt) t->nap.base.vt->drop(&t->nap.base);
}

static const struct future_vtable ticker_vt =
    FUTURE_VTABLE(struct ticker, "ticker", ticker_poll, ticker_drop);

static struct executor executor;

noreturn void async_demo_run(void)
{
    timer_set_dots(false);
    struct simple_executor simple;
    simple_executor_init(&simple);
    simple_executor_spawn(&simple, FUTURE_BOX(struct example_task, example_task(say)));
    simple_executor_run(&simple);

    sleep_init();
    executor_init(&executor, 100, &kernel_idle);
    executor_spawn(&executor, FUTURE_BOX(struct print_keypresses, print_keypresses(demo_echo)));
    executor_spawn(&executor, FUTURE_BOX(struct ticker, {.base = {&ticker_vt}, .ex = &executor}));
    executor_run(&executor);
}
