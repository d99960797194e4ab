/* sleep_ticks: a timer future woken from the timer interrupt
 * (task/sleep.c), through the same wakers as the keyboard.
 *
 * The first poll sets the deadline (now + n ticks of TIMER_HZ). A pending
 * sleep holds one of SLEEP_SLOTS slots: a clone of the task's waker, the
 * deadline and an "armed" flag. On every tick the timer handler wakes, by
 * reference, each armed slot that is due, and disarms it (no lock, no
 * allocation). The task side checks the clock and arms its slot with
 * interrupts disabled, as one step, so the tick that makes it due cannot
 * fall between the check and the arming. The slot is given back when the
 * sleep is ready or dropped. One CPU, as the keyboard stream.
 */
#ifndef KILN_SLEEP_H
#define KILN_SLEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/future.h"

#define SLEEP_SLOTS 32

struct sleep_future {
    struct future base;
    uint64_t ticks, deadline;
    int slot; /* -1: holds none */
    bool started, done;
};

/* A future ready n timer ticks after its first poll (n == 0: at once).
 * Panics at a poll when all SLEEP_SLOTS slots are taken. */
struct sleep_future sleep_ticks(uint64_t n);

/* Install the timer hook that wakes due sleeps (timer_set_hook): call once
 * before the first sleep is polled. */
void sleep_init(void);

/* The hook itself: wake every armed slot whose deadline is <= now. */
void sleep_timer_tick(uint64_t now);

/* Slots held right now (tests: 0 once every sleep is done or dropped). */
size_t sleep_slots_in_use(void);

#endif
