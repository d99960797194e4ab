/* An interrupt-safe spinlock (kernel only).
 *
 * spin_lock_irqsave saves RFLAGS and disables interrupts before taking the
 * lock; spin_unlock_irqrestore releases it and restores the saved flags. An
 * interrupt handler that takes the same lock therefore can never interrupt
 * the holder on this CPU: the deadlock of the blog's println in the timer
 * handler cannot happen.
 */
#ifndef KILN_SPINLOCK_H
#define KILN_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"

struct spinlock {
    volatile int locked;
};
#define SPINLOCK_INIT                                                                              \
    {                                                                                              \
        0                                                                                          \
    }

/* Disable interrupts, take the lock; returns the RFLAGS to restore. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) cpu_relax();
    return flags;
}

/* Release the lock and restore the interrupt flag saved by the lock. */
static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    irq_restore(flags);
}

/* Run fn(arg) with interrupts disabled, restoring them after (the blog's
 * without_interrupts). */
static inline void without_interrupts(void (*fn)(void *), void *arg)
{
    uint64_t flags = irq_save();
    fn(arg);
    irq_restore(flags);
}

#endif
