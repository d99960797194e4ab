/* Timer sleeps: the contract is in kiln/sleep.h. Kernel side of task/. */
#include "kiln/sleep.h"

#include "arch/x86_64/cpu.h"
#include "kiln/panic.h"
#include "kiln/spinlock.h"
#include "kiln/timer.h"
#include "kiln/waker.h"

/* Written by the task side only with interrupts disabled; the handler runs
 * with them disabled too, so on one CPU each sees the other's whole update. */
static struct sleep_slot {
    struct waker *waker; /* a clone owned by the slot; NULL: free */
    uint64_t deadline;
    bool armed; /* the handler wakes it once, then clears this */
} slots[SLEEP_SLOTS];

void sleep_timer_tick(uint64_t now)
{
    for (int i = 0; i < SLEEP_SLOTS; i++) {
        struct sleep_slot *s = &slots[i];
        if (s->armed && s->deadline <= now) {
            s->armed = false;
            waker_wake_by_ref(s->waker);
        }
    }
}

void sleep_init(void)
{
    timer_set_hook(sleep_timer_tick);
}

size_t sleep_slots_in_use(void)
{
    size_t n = 0;
    for (int i = 0; i < SLEEP_SLOTS; i++) n += slots[i].waker != NULL;
    return n;
}

/* Give the slot back; returns its waker for the caller to drop once
 * interrupts are on again (dropping may free). */
static struct waker *release(struct sleep_future *f)
{
    if (f->slot < 0) return NULL;
    struct waker *w = slots[f->slot].waker;
    slots[f->slot] = (struct sleep_slot){0};
    f->slot = -1;
    return w;
}

static enum poll sleep_poll(struct future *self, struct context *cx)
{
    struct sleep_future *f = (struct sleep_future *)self;
    if (f->done) panic("sleep_ticks: polled after it completed");
    struct waker *drop = NULL;
    /* Cloning allocates nothing (an atomic increment), so it may happen
     * with interrupts off. */
    uint64_t flags = read_rflags();
    cli();
    uint64_t now = timer_ticks();
    if (!f->started) {
        f->started = true;
        f->deadline = now + f->ticks;
    }
    bool ready = now >= f->deadline;
    if (ready) {
        drop = release(f);
    } else {
        if (f->slot < 0) {
            for (int i = 0; i < SLEEP_SLOTS && f->slot < 0; i++)
                if (!slots[i].waker) f->slot = i;
            if (f->slot < 0) {
                if (flags & RFLAGS_IF) sti();
                panic("sleep_ticks: all %d timer slots are in use", SLEEP_SLOTS);
            }
        }
        struct sleep_slot *s = &slots[f->slot];
        if (!s->waker || !waker_will_wake(s->waker, cx->waker)) {
            drop = s->waker;
            s->waker = waker_clone(cx->waker);
        }
        s->deadline = f->deadline;
        s->armed = true;
    }
    if (flags & RFLAGS_IF) sti();
    if (drop) waker_drop(drop);
    if (!ready) return POLL_PENDING;
    f->done = true;
    return POLL_READY;
}

static void sleep_drop(struct future *self)
{
    struct sleep_future *f = (struct sleep_future *)self;
    uint64_t flags = read_rflags();
    cli();
    struct waker *w = release(f);
    if (flags & RFLAGS_IF) sti();
    if (w) waker_drop(w);
}

static const struct future_vtable sleep_vt =
    FUTURE_VTABLE(struct sleep_future, "sleep_ticks", sleep_poll, sleep_drop);

struct sleep_future sleep_ticks(uint64_t n)
{
    return (struct sleep_future){.base = {&sleep_vt}, .ticks = n, .slot = -1};
}
