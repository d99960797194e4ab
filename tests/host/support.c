#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "kiln/panic.h"

jmp_buf *support_panic_jump;
char support_panic_message[1024];

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(support_panic_message, sizeof support_panic_message,
                     "panicked at %s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(support_panic_message + n, sizeof support_panic_message - n, fmt, ap);
    va_end(ap);
    if (support_panic_jump) longjmp(*support_panic_jump, 1);
    fprintf(stderr, "%s\n", support_panic_message);
    fail_msg("unexpected panic: %s", support_panic_message);
    abort();
}

/* Each host block is preceded by a record of its layout. */
struct host_header {
    size_t size, align;
    uint64_t magic;
};
#define HOST_MAGIC 0x6b696c6e68656170ull
static size_t live, fail_after = SIZE_MAX;

static size_t header_room(size_t align)
{
    size_t room = sizeof(struct host_header);
    return (room + align - 1) & ~(align - 1);
}

static void *host_alloc(void *state, struct layout l)
{
    (void)state;
    if (fail_after == 0) return NULL;
    if (fail_after != SIZE_MAX) fail_after--;
    size_t align = l.align < 16 ? 16 : l.align;
    size_t room = header_room(align);
    if (l.size > SIZE_MAX - room - align) return NULL; /* no such block exists */
    size_t total = (room + l.size + align - 1) & ~(align - 1);
    char *base = aligned_alloc(align, total);
    if (!base) return NULL;
    struct host_header *h = (struct host_header *)(base + room) - 1;
    *h = (struct host_header){l.size, l.align, HOST_MAGIC};
    live++;
    return base + room;
}

static void host_dealloc(void *state, void *ptr, struct layout l)
{
    (void)state;
    struct host_header *h = (struct host_header *)ptr - 1;
    assert_int_equal(h->magic, HOST_MAGIC);
    if (h->size != l.size || h->align != l.align)
        fail_msg("dealloc layout {%zu, %zu} differs from alloc layout {%zu, %zu}", l.size, l.align,
                 h->size, h->align);
    h->magic = 0;
    size_t align = l.align < 16 ? 16 : l.align;
    live--;
    free((char *)ptr - header_room(align));
}

static const struct alloc_ops host_ops = {.alloc = host_alloc, .dealloc = host_dealloc};

struct allocator host_allocator(void)
{
    return (struct allocator){.ops = &host_ops, .state = NULL};
}

void host_alloc_install(void)
{
    struct allocator a = host_allocator();
    live = 0;
    fail_after = SIZE_MAX;
    global_alloc_set(&a);
}

size_t host_alloc_live(void)
{
    return live;
}
void host_alloc_fail_after(size_t n)
{
    fail_after = n;
}

uint64_t rng_state = 1;

uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

const char *const free_order_name[] = {"forward", "reverse", "interleaved", "random"};

void free_order(enum free_order o, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) idx[i] = o == REVERSE ? n - 1 - i : i;
    if (o == INTERLEAVED)
        for (size_t i = 0, k = 0; k < 2; k++)
            for (size_t j = k; j < n; j += 2) idx[i++] = j;
    if (o == RANDOM)
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = rnd() % (i + 1), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
}
