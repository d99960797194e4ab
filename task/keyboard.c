/* The keyboard as a stream of scancodes: the contract is in
 * kiln/scancode_stream.h. Kernel side of task/. */
#include <stdatomic.h>

#include "kiln/console.h"
#include "kiln/coroutine.h"
#include "kiln/mpmc_queue.h"
#include "kiln/scancode_stream.h"
#include "kiln/spinlock.h"
#include "kiln/waker.h"

/* The queue is published with a release store and read by the handler with
 * an acquire load (the post's OnceCell). */
static struct mpmc_queue queue;
static struct mpmc_queue *_Atomic published;
/* The stream's waker (a clone owned here) and whether a wake is wanted: the
 * handler wakes at most once per registration, as AtomicWaker::wake takes
 * the waker. */
static struct waker *_Atomic stream_waker;
static atomic_bool armed;
static _Atomic uint64_t added, dropped_full, dropped_uninit;
static const char *_Atomic last_warning;

void (*scancode_stream_race_hook)(void);

void scancode_queue_add(uint8_t scancode)
{
    struct mpmc_queue *q = atomic_load_explicit(&published, memory_order_acquire);
    if (!q) {
        atomic_fetch_add_explicit(&dropped_uninit, 1, memory_order_relaxed);
        atomic_store_explicit(&last_warning, SCANCODE_WARNING_UNINIT, memory_order_relaxed);
        println(SCANCODE_WARNING_UNINIT);
        return;
    }
    if (!mpmc_queue_push(q, scancode)) {
        atomic_fetch_add_explicit(&dropped_full, 1, memory_order_relaxed);
        atomic_store_explicit(&last_warning, SCANCODE_WARNING_FULL, memory_order_relaxed);
        println(SCANCODE_WARNING_FULL);
        return;
    }
    atomic_fetch_add_explicit(&added, 1, memory_order_relaxed);
    if (atomic_exchange_explicit(&armed, false, memory_order_acq_rel)) {
        struct waker *w = atomic_load_explicit(&stream_waker, memory_order_acquire);
        if (w) waker_wake_by_ref(w);
    }
}

struct scancode_queue_stats scancode_queue_stats(void)
{
    return (struct scancode_queue_stats){
        .added = atomic_load(&added),
        .dropped_full = atomic_load(&dropped_full),
        .dropped_uninit = atomic_load(&dropped_uninit),
        .last_warning = atomic_load(&last_warning),
    };
}

struct scancode_stream scancode_stream_new(void)
{
    if (atomic_load(&published)) panic("scancode_stream_new: a scancode stream exists already");
    enum mpmc_queue_error e = mpmc_queue_init(&queue, SCANCODE_QUEUE_CAPACITY);
    if (e != MPMC_QUEUE_OK) panic("scancode_stream_new: %s", mpmc_queue_error_name(e));
    atomic_store_explicit(&published, &queue, memory_order_release);
    return (struct scancode_stream){0};
}

static void unpublish(void *arg)
{
    struct waker **old = arg;
    atomic_store_explicit(&published, NULL, memory_order_release);
    atomic_store(&armed, false);
    *old = atomic_exchange(&stream_waker, NULL);
}

void scancode_stream_free(struct scancode_stream *s)
{
    (void)s;
    struct waker *old;
    without_interrupts(unpublish, &old); /* no handler is inside the queue now */
    if (old) waker_drop(old);
    mpmc_queue_free(&queue);
}

/* Keep a clone of w unless the same waker is registered already
 * (Waker::will_wake), then arm. The handler, on this CPU, runs either
 * before the exchange (and uses the old waker to the end) or after it. */
static void register_waker(struct waker *w)
{
    struct waker *cur = atomic_load_explicit(&stream_waker, memory_order_acquire);
    if (!cur || !waker_will_wake(cur, w)) {
        struct waker *old =
            atomic_exchange_explicit(&stream_waker, waker_clone(w), memory_order_acq_rel);
        if (old) waker_drop(old);
    }
    atomic_store_explicit(&armed, true, memory_order_release);
}

enum poll scancode_stream_poll_next(struct scancode_stream *s, struct context *cx, uint8_t *out)
{
    (void)s;
    struct mpmc_queue *q = atomic_load_explicit(&published, memory_order_acquire);
    if (!q) panic("scancode_stream_poll_next: scancode queue not initialized");
    uint64_t v;
    if (mpmc_queue_pop(q, &v)) {
        *out = (uint8_t)v;
        return POLL_READY; /* fast path: no waker registration */
    }
    if (scancode_stream_race_hook) scancode_stream_race_hook();
    register_waker(cx->waker);
    if (mpmc_queue_pop(q, &v)) {
        atomic_store_explicit(&armed, false, memory_order_relaxed); /* WAKER.take() */
        *out = (uint8_t)v;
        return POLL_READY;
    }
    return POLL_PENDING;
}

static enum poll next_poll(struct future *self, struct context *cx)
{
    struct scancode_next *n = (struct scancode_next *)self;
    return scancode_stream_poll_next(n->stream, cx, &n->scancode);
}

static const struct future_vtable next_vt =
    FUTURE_VTABLE(struct scancode_next, "scancode_stream_next", next_poll, NULL);

struct scancode_next scancode_stream_next(struct scancode_stream *s)
{
    return (struct scancode_next){.base = {&next_vt}, .stream = s};
}

/* The coroutine borrows &p->stream in p->next: it points into its own state
 * struct, which is why a task's future is boxed and never moves. */
static enum poll print_keypresses_poll(struct future *self, struct context *cx)
{
    struct print_keypresses *p = (struct print_keypresses *)self;
    CO_BEGIN(p);
    p->stream = scancode_stream_new();
    p->have_stream = true;
    scancode_init(&p->decoder);
    for (;;) {
        p->next = scancode_stream_next(&p->stream);
        AWAIT(p, cx, &p->next);
        struct key_event ev;
        if (scancode_feed(&p->decoder, p->next.scancode, &ev) && ev.pressed) p->echo(&ev);
    }
    CO_END(p);
}

static void print_keypresses_drop(struct future *self)
{
    struct print_keypresses *p = (struct print_keypresses *)self;
    if (p->have_stream) scancode_stream_free(&p->stream);
    p->have_stream = false;
}

static const struct future_vtable print_keypresses_vt = FUTURE_VTABLE(
    struct print_keypresses, "print_keypresses", print_keypresses_poll, print_keypresses_drop);

struct print_keypresses print_keypresses(key_consumer echo)
{
    if (!echo) panic("print_keypresses: NULL echo");
    return (struct print_keypresses){.base = {&print_keypresses_vt}, .echo = echo};
}
