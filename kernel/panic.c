#include <stdarg.h>

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/fmt.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"
#include "kiln/serial.h"

static panic_hook hook;
static char message[1024];
static volatile int panicking;

void panic_set_hook(panic_hook h)
{
    hook = h;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    cli();
    if (panicking++) { /* a panic while panicking: say so plainly and stop */
        static const char nested[] = "\npanicked while panicking; halted\n";
        serial_write(nested, sizeof nested - 1);
        hlt_loop();
    }
    console_break_lock();
    va_list ap;
    int n = ksnprintf(message, sizeof message, "panicked at %s:%d: ", file, line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof message) kvsnprintf(message + n, sizeof message - n, fmt, ap);
    va_end(ap);
    if (hook) hook(message);
    kprintf("%s\n", message);
    hlt_loop();
}
