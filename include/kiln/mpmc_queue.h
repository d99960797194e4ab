/* mpmc_queue: a bounded, lock-free, multi-producer multi-consumer queue of
 * 64-bit values (lib/mpmc_queue.c): the ArrayQueue that blog_os post 12 takes
 * from crossbeam, in C11 atomics.
 *
 * Uses. The executor's queue of ready task ids (wakers push, the executor
 * pops) and the keyboard's queue of scancodes (IRQ 1 pushes, the keyboard
 * task pops). Both have producers in interrupt handlers, so:
 * - push and pop never allocate (the slot array is allocated once, by
 *   mpmc_queue_init) and never take a lock;
 * - no call ever waits for another: a push or pop that loses a race retries
 *   only because the winner made progress. An interrupt handler that
 *   interrupts a half-done push or pop on its own CPU therefore never spins on
 *   it: it sees the slot busy and answers "full" (push) or "empty" (pop).
 *
 * The algorithm (Dmitry Vyukov's bounded MPMC queue, which crossbeam's is a
 * variant of). Positions head (next pop) and tail (next push) only grow;
 * position p uses slot p % capacity. Each slot carries a sequence number seq:
 *   seq == p               the slot is free for the push at position p;
 *   seq == p + 1           it holds the value pushed at p, for the pop at p;
 *   seq == p + capacity    it was popped at p, free for the push at
 *                          p + capacity (the next lap).
 * A push claims position tail with a compare-and-swap, writes the value, then
 * publishes it by storing seq = p + 1 (release); a pop claims head, reads the
 * value after an acquire load of seq, then frees the slot by storing
 * seq = p + capacity (release). The value itself is therefore written and
 * read by one thread at a time, and the release/acquire pairs on seq order it.
 * Invariant (at rest): head <= tail <= head + capacity; len == tail - head.
 * Positions are 64-bit: at a billion pushes a second they wrap after 584
 * years.
 */
#ifndef KILN_MPMC_QUEUE_H
#define KILN_MPMC_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mpmc_queue_error {
    MPMC_QUEUE_OK = 0,
    MPMC_QUEUE_CAPACITY_TOO_SMALL, /* capacity < 2 (the seq scheme needs two slots) */
    MPMC_QUEUE_CAPACITY_TOO_LARGE, /* the slot array's size overflows */
    MPMC_QUEUE_ALLOC_FAILED,       /* no memory for the slot array */
};

/* "MPMC_QUEUE_OK", ...; "MPMC_QUEUE_UNKNOWN_ERROR" outside the enum. */
const char *mpmc_queue_error_name(enum mpmc_queue_error e);

struct mpmc_slot {
    _Atomic uint64_t seq;
    uint64_t value; /* owned by whoever claimed the slot's position (see above) */
};

/* head and tail live on their own cache lines: producers and consumers on
 * different CPUs then do not invalidate each other's line on every call. */
struct mpmc_queue {
    struct mpmc_slot *slots; /* NULL until mpmc_queue_init succeeds */
    size_t capacity;
    _Alignas(64) _Atomic uint64_t head;
    _Alignas(64) _Atomic uint64_t tail;
};

/* Make *q an empty queue of capacity values, allocating the slot array
 * through the global allocator (try_heap_alloc). On an error *q is left
 * uninitialised (slots == NULL) and nothing is allocated. Not thread-safe:
 * publish q to other threads or handlers only after it returns. */
enum mpmc_queue_error mpmc_queue_init(struct mpmc_queue *q, size_t capacity);

/* Free the slot array; the values still queued are discarded. No push or pop
 * may run or start during or after the call. */
void mpmc_queue_free(struct mpmc_queue *q);

/* Append value: true, or false when the queue is full (value not added).
 * Lock-free, allocation-free, callable from interrupt handlers. Panics on an
 * uninitialised queue. */
bool mpmc_queue_push(struct mpmc_queue *q, uint64_t value);

/* Remove the oldest value into *out: true, or false when the queue is empty
 * (*out untouched). Same guarantees as push. */
bool mpmc_queue_pop(struct mpmc_queue *q, uint64_t *out);

/* tail - head at one moment: exact when no push or pop runs concurrently,
 * else only a hint (never more than capacity). */
size_t mpmc_queue_len(const struct mpmc_queue *q);
static inline bool mpmc_queue_is_empty(const struct mpmc_queue *q)
{
    return mpmc_queue_len(q) == 0;
}

#endif
