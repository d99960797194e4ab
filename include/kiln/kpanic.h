/* The kernel side of panic() (kernel/panic.c): who hears about a panic. */
#ifndef KILN_KPANIC_H
#define KILN_KPANIC_H

/* Called with the whole message ("panicked at FILE:LINE: ...") with
 * interrupts off and the console locks broken. A hook may exit QEMU; if it
 * returns, the message is printed on the console and the CPU halts. */
typedef void (*panic_hook)(const char *message);

/* Replace the hook (NULL: none). Test images use it to report [failed] or,
 * for should-panic tests, [ok]. */
void panic_set_hook(panic_hook hook);

#endif
