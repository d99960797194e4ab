#include <stdarg.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/backtrace.h"
#include "kiln/console.h"
#include "kiln/fmt.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"
#include "kiln/serial.h"

static panic_hook hook;
static char message[1024];
static volatile int panicking;
/* Where the backtrace of this panic starts: an exception's interrupted
 * context (panic_set_origin), else panic_at's caller. */
static uint64_t origin_rip, origin_rbp;

void panic_set_hook(panic_hook h)
{
    hook = h;
}

void panic_set_origin(uint64_t rip, uint64_t rbp)
{
    origin_rip = rip;
    origin_rbp = rbp;
}

void panic_print_backtrace(int (*print)(const char *fmt, ...))
{
    backtrace_print_from(origin_rip, origin_rbp, print);
}

/* Interrupts off; a second fatal error while handling one is reported
 * plainly on serial and halts at once. */
static void enter_fatal(void)
{
    cli();
    if (panicking++) { /* a panic while panicking: say so plainly and stop */
        static const char nested[] = "\npanicked while panicking; halted\n";
        serial_write(nested, sizeof nested - 1);
        hlt_loop();
    }
    console_break_lock();
}

void exception_halt(const char *report)
{
    enter_fatal();
    if (hook) hook(report);
    kprintf("%s\n", report);
    hlt_loop();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    enter_fatal();
    if (!origin_rip) { /* start at the call of panic_at: [rbp] is the caller's rbp */
        origin_rip = (uint64_t)(uintptr_t)__builtin_return_address(0) - 1;
        origin_rbp = *(const uint64_t *)__builtin_frame_address(0);
    }
    va_list ap;
    int n = ksnprintf(message, sizeof message, "panicked at %s:%d: ", file, line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof message) kvsnprintf(message + n, sizeof message - n, fmt, ap);
    va_end(ap);
    if (hook) hook(message);
    kprintf("%s\n", message);
    panic_print_backtrace(kprintf);
    hlt_loop();
}
