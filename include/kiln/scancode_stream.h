/* The keyboard as an asynchronous stream (task/keyboard.c): post 12's
 * task/keyboard.rs.
 *
 * IRQ 1 does not decode or print any more (unless a test or demo installs a
 * key consumer, see kiln/keyboard.h): it reads the scancode from port 0x60
 * and calls scancode_queue_add, which pushes it into a 100-entry lock-free
 * queue and wakes the waker of the task reading the stream. The handler
 * takes no lock and allocates nothing: the queue is allocated when the stream
 * is made, and a push or a wake is a few atomic operations. The task side
 * (print_keypresses) decodes with kiln's scancode decoder and echoes.
 *
 * One CPU: the registered waker is replaced only by the task, and the
 * handler uses it only by reference, within one interrupt; a handler on
 * another CPU could use a waker the task is dropping (Rust's AtomicWaker
 * closes that with a small lock-free state machine; kiln runs on one CPU).
 */
#ifndef KILN_SCANCODE_STREAM_H
#define KILN_SCANCODE_STREAM_H

#include <stdint.h>

#include "kiln/future.h"
#include "kiln/keyboard.h"

#define SCANCODE_QUEUE_CAPACITY 100

/* The post's two warnings, printed by scancode_queue_add. */
#define SCANCODE_WARNING_FULL   "WARNING: scancode queue full; dropping keyboard input"
#define SCANCODE_WARNING_UNINIT "WARNING: scancode queue uninitialized"

/* Called by the keyboard interrupt handler (add_scancode): queue the
 * scancode and wake the stream's task; when the queue is full or there is no
 * stream, print the warning and drop the scancode. No lock, no allocation. */
void scancode_queue_add(uint8_t scancode);

struct scancode_queue_stats {
    uint64_t added, dropped_full, dropped_uninit;
    const char *last_warning; /* NULL, or one of the two warnings */
};
struct scancode_queue_stats scancode_queue_stats(void);

/* The stream (ScancodeStream). Only one exists at a time: it owns the queue. */
struct scancode_stream {
    int unused;
};

/* Allocate the queue and publish it to the interrupt handler. Panics when a
 * stream exists already ("ScancodeStream::new should only be called once" in
 * the post; kiln allows a new one after scancode_stream_free, for tests). */
struct scancode_stream scancode_stream_new(void);
/* Unpublish the queue (interrupts off meanwhile), drop the registered waker,
 * free the queue. Scancodes still queued are lost. */
void scancode_stream_free(struct scancode_stream *s);

/* Stream::poll_next: POLL_READY with the next scancode in *out, or
 * POLL_PENDING with cx->waker registered. The order is the post's: try the
 * queue; register the waker; try the queue again. A scancode that arrives
 * after the first try and before the registration saw no waker to wake, and
 * only the second try finds it; one that arrives after the registration
 * wakes the task. (The stream never ends: there is no Ready(None).) */
enum poll scancode_stream_poll_next(struct scancode_stream *s, struct context *cx, uint8_t *out);

/* For the test of that window only: called between the first try and the
 * registration when not NULL. */
extern void (*scancode_stream_race_hook)(void);

/* StreamExt::next as a future: ready with .scancode. */
struct scancode_next {
    struct future base;
    struct scancode_stream *stream;
    uint8_t scancode;
};
struct scancode_next scancode_stream_next(struct scancode_stream *s);

/* The post's print_keypresses task: make the stream, then forever await the
 * next scancode, decode it, and hand each key press to echo (the kernel
 * passes keyboard_echo). It never finishes; dropping it frees the stream. */
struct print_keypresses {
    struct future base;
    int co_line;
    bool have_stream;
    struct scancode_stream stream;
    struct scancode_next next;
    struct scancode_decoder decoder;
    key_consumer echo;
};
struct print_keypresses print_keypresses(key_consumer echo);

#endif
