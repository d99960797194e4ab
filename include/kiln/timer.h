/* The programmable interval timer on IRQ 0 (arch/x86_64/pit.c). */
#ifndef KILN_TIMER_H
#define KILN_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100 /* ticks per second */

/* Program PIT channel 0 to TIMER_HZ and count its ticks on IRQ 0. */
void timer_init(void);
/* Ticks since timer_init. */
uint64_t timer_ticks(void);
/* Print "." on every tick, as the blog's demo does (off by default, so tests
 * stay quiet). */
void timer_set_dots(bool on);
/* Call hook(tick) on every tick, from the interrupt handler (NULL: none). */
void timer_set_hook(void (*hook)(uint64_t tick));

#endif
