/* The kernel side of panic() (kernel/panic.c): who hears about a panic, and
 * where its backtrace starts. */
#ifndef KILN_KPANIC_H
#define KILN_KPANIC_H

#include <stdint.h>
#include <stdnoreturn.h>

/* Called with the whole message ("panicked at FILE:LINE: ...") with
 * interrupts off and the console locks broken. A hook may exit QEMU; if it
 * returns, the message and the backtrace are printed on the console and the
 * CPU halts. */
typedef void (*panic_hook)(const char *message);

/* Replace the hook (NULL: none). Test images use it to report [failed] or,
 * for should-panic tests, [ok]. */
void panic_set_hook(panic_hook hook);

/* An exception handler about to panic calls this with the interrupted rip and
 * rbp, so the backtrace names the code that faulted, not the handler. */
void panic_set_origin(uint64_t rip, uint64_t rbp);

/* Print the panicking backtrace through print (kprintf, or serial_printf in
 * a hook). Meaningful only during a panic. */
void panic_print_backtrace(int (*print)(const char *fmt, ...));

/* The end of a fatal exception whose handler reports and halts, as the
 * blog's page-fault handler does (no "panicked at": it is not a panic).
 * Interrupts go off and the console locks are broken, as for a panic; the
 * hook, if any, gets report as it would a panic message (a test image fails
 * with it); otherwise, or if the hook returns, report is printed on the
 * console and the CPU halts for good. */
noreturn void exception_halt(const char *report);

#endif
