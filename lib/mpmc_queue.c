/* The bounded lock-free MPMC queue: the contract and the algorithm are in
 * kiln/mpmc_queue.h. Pure: C11 atomics only, memory from the global allocator
 * at init and nowhere else. */
#include "kiln/enum_name.h"
#include "kiln/mpmc_queue.h"

#include "kiln/alloc.h"
#include "kiln/panic.h"

const char *mpmc_queue_error_name(enum mpmc_queue_error e)
{
    static const char *const names[] = {
        ENUM_NAME(MPMC_QUEUE_OK),
        ENUM_NAME(MPMC_QUEUE_CAPACITY_TOO_SMALL),
        ENUM_NAME(MPMC_QUEUE_CAPACITY_TOO_LARGE),
        ENUM_NAME(MPMC_QUEUE_ALLOC_FAILED),
    };
    return enum_name(names, e, "MPMC_QUEUE_UNKNOWN_ERROR");
}

static struct layout slots_layout(size_t capacity)
{
    return (struct layout){capacity * sizeof(struct mpmc_slot), _Alignof(struct mpmc_slot)};
}

enum mpmc_queue_error mpmc_queue_init(struct mpmc_queue *q, size_t capacity)
{
    q->slots = NULL;
    q->capacity = 0;
    if (capacity < 2) return MPMC_QUEUE_CAPACITY_TOO_SMALL;
    if (capacity > SIZE_MAX / 2 / sizeof(struct mpmc_slot)) return MPMC_QUEUE_CAPACITY_TOO_LARGE;
    struct mpmc_slot *slots = try_heap_alloc(slots_layout(capacity));
    if (!slots) return MPMC_QUEUE_ALLOC_FAILED;
    for (size_t i = 0; i < capacity; i++) {
        atomic_init(&slots[i].seq, i);
        slots[i].value = 0;
    }
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    q->capacity = capacity;
    q->slots = slots;
    return MPMC_QUEUE_OK;
}

void mpmc_queue_free(struct mpmc_queue *q)
{
    if (q->slots) heap_dealloc(q->slots, slots_layout(q->capacity));
    q->slots = NULL;
    q->capacity = 0;
}

static void check_init(const struct mpmc_queue *q, const char *who)
{
    if (!q || !q->slots) panic("%s: the queue at %p is not initialised", who, (const void *)q);
}

bool mpmc_queue_push(struct mpmc_queue *q, uint64_t value)
{
    check_init(q, "mpmc_queue_push");
    uint64_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
    for (;;) {
        struct mpmc_slot *s = &q->slots[pos % q->capacity];
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - pos);
        if (diff == 0) {
            /* Free for position pos: claim it. A failed CAS reloads pos. */
            if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                s->value = value;
                atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
                return true;
            }
        } else if (diff < 0) {
            /* Still holds the value of the previous lap (or is being popped
             * right now): full. */
            return false;
        } else {
            /* Another producer claimed pos already: catch up. */
            pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
        }
    }
}

bool mpmc_queue_pop(struct mpmc_queue *q, uint64_t *out)
{
    check_init(q, "mpmc_queue_pop");
    uint64_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
    for (;;) {
        struct mpmc_slot *s = &q->slots[pos % q->capacity];
        uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        int64_t diff = (int64_t)(seq - (pos + 1));
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                *out = s->value;
                atomic_store_explicit(&s->seq, pos + q->capacity, memory_order_release);
                return true;
            }
        } else if (diff < 0) {
            /* Not yet published for position pos (or never pushed): empty. */
            return false;
        } else {
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
        }
    }
}

size_t mpmc_queue_len(const struct mpmc_queue *q)
{
    check_init(q, "mpmc_queue_len");
    for (;;) {
        uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
        uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
        /* Re-read tail: if it did not move, tail - head was true at once. */
        if (atomic_load_explicit(&q->tail, memory_order_acquire) != tail) continue;
        if (head > tail) return 0;
        uint64_t n = tail - head;
        return n > q->capacity ? q->capacity : (size_t)n;
    }
}
