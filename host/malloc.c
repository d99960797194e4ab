/* libkiln_malloc.so: the C allocation API over one of kiln's designs, for
 * LD_PRELOAD=build/host/libkiln_malloc.so.
 *
 * The design: KILN_ALLOCATOR=name when set (a design that can grow), else
 * "default" when registered, else "linked_list". An unknown or fixed-size
 * design aborts at the first allocation, naming the growable ones.
 *
 * Memory: one reservation of address space (64 GiB, or less when mmap
 * refuses) grown through a page source (kiln_heap.c's growth over
 * malloc_guard.c's wrapper of host/mmap_source.c). The library never calls
 * the system malloc, and nothing it calls does (no stdio, no dlsym).
 *
 * Free without a size: the design's layout_of where it has one; otherwise
 * kmalloc.c's 16-byte header (the kernel's own kmalloc/kfree, over the heap
 * as the global allocator). Every pointer handed out is 16-aligned.
 *
 * Misuse aborts with a message on stderr before the design sees it
 * (malloc_guard.h): "kiln: double free of 0x...", "kiln: invalid free of
 * 0x..."; free_sized with a size other than the one asked for (header) or
 * larger than the block (layout_of) aborts too.
 *
 * Edges: malloc(0) is a unique pointer; free(NULL) does nothing; realloc(p, 0)
 * keeps a zero-size block (as musl, jemalloc and mimalloc do; glibc frees);
 * every size that would overflow (also calloc's n * m, the alignment
 * rounding, pvalloc's page rounding) fails with ENOMEM; a failed realloc
 * leaves the block as it was.
 *
 * Threads: one mutex around the heap, and per-thread caches of small blocks
 * (below) so that most small mallocs and frees skip it. fork:
 * pthread_atfork holds the mutex across the fork, so the child inherits a
 * consistent heap.
 */
#define _GNU_SOURCE /* PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "die.h"
#include "kiln/string.h"
#include "kiln_heap.h"
#include "malloc_guard.h"
#include "mmap_source.h"

#define API        __attribute__((visibility("default")))
#define MIN_ALIGN  16u
#define PAGE       4096u
#define RESERVE    (64ull << 30)
#define RESERVE_LO (256ull << 20)

static pthread_mutex_t lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
static struct kiln_heap *heap;
static struct malloc_guard guard;
static bool by_layout_of; /* the design has layout_of: no header */
static bool caching;      /* thread caches on (see below); read with cache_on() */
static pthread_key_t cache_key;
static bool cache_key_made;

/* ---- start-up ------------------------------------------------------------ */

static const char *design_name(void)
{
    const char *want = getenv("KILN_ALLOCATOR");
    if (want && *want) return want;
    const struct alloc_design *d = alloc_design_find("default");
    return d && d->extend ? "default" : "linked_list";
}

static noreturn void bad_design(const char *name)
{
    char names[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < alloc_design_count; i++) {
        const char *s = alloc_designs[i]->name;
        size_t len = strlen(s);
        if (alloc_designs[i]->extend == NULL || n + len + 2 > sizeof names) continue;
        if (n) names[n++] = ' ';
        memcpy(names + n, s, len + 1);
        n += len;
    }
    kiln_die("KILN_ALLOCATOR=%s is not a design that can grow (these can: %s)", name, names);
}

/* Reserve, set up the guard and the heap; called under the lock. */
static void start(void)
{
    const char *name = design_name();
    const struct alloc_design *d = alloc_design_find(name);
    if (d == NULL || d->extend == NULL) bad_design(name);
    size_t reserve = RESERVE;
    uintptr_t base = 0;
    while (base == 0 && reserve >= RESERVE_LO)
        if ((base = mmap_source_reserve(reserve)) == 0) reserve /= 2;
    if (base == 0 || !malloc_guard_init(&guard, base, reserve, mmap_source()))
        kiln_die("cannot reserve address space for the heap");
    heap = kiln_heap_create_growable(name, base, reserve, malloc_guard_pages(&guard));
    if (heap == NULL) kiln_die("cannot create a %s heap", name);
    by_layout_of = d->layout_of != NULL;
    const char *cache = getenv("KILN_THREAD_CACHE");
    /* Set last, with release: a thread that sees it on sees the heap too. */
    __atomic_store_n(&caching,
                     by_layout_of && cache_key_made && !(cache && strcmp(cache, "0") == 0),
                     __ATOMIC_RELEASE);
    if (!by_layout_of) {
        struct allocator a = kiln_heap_allocator(heap);
        global_alloc_set(&a);
    }
}

/* Whether the thread caches are on: read without the lock by the fast paths
 * (false until the first allocation has set the heap up). */
static inline bool cache_on(void)
{
    return __atomic_load_n(&caching, __ATOMIC_ACQUIRE);
}

static inline void enter(void)
{
    pthread_mutex_lock(&lock);
    if (__builtin_expect(heap == NULL, 0)) start();
}

static inline void leave(void)
{
    pthread_mutex_unlock(&lock);
}

static void fork_prepare(void)
{
    pthread_mutex_lock(&lock);
}
static void fork_parent(void)
{
    pthread_mutex_unlock(&lock);
}
static void fork_child(void)
{
    lock = (pthread_mutex_t)PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
}

/* At load, before main: the atfork handlers (registering may allocate,
 * which is fine here: the lock is free). */
static void cache_exit(void *arg);

__attribute__((constructor)) static void malloc_load(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    cache_key_made = pthread_key_create(&cache_key, cache_exit) == 0;
}

/* ---- the core, under the lock -------------------------------------------- */

/* The usable size of the live block p. */
static size_t usable(uintptr_t p)
{
    struct layout l;
    if (by_layout_of) return kiln_heap_layout_of(heap, (void *)p, &l) ? l.size : 0;
    return kmalloc_size((void *)p);
}

/* Record p (a new block of usable bytes, aligned to align) with the guard. */
static void *handed_out(void *ptr, size_t align)
{
    if (ptr == NULL) return NULL;
    uintptr_t p = (uintptr_t)ptr, size = usable(p);
    uintptr_t lo = by_layout_of ? p : p - (align < MIN_ALIGN ? MIN_ALIGN : align);
    malloc_guard_on_alloc(&guard, p, lo, p + size);
    return ptr;
}

/* size bytes at align (a power of two), zeroed when zero; NULL when the
 * layout overflows or memory runs out. */
static void *alloc_locked(size_t size, size_t align, bool zero)
{
    if (align < MIN_ALIGN) align = MIN_ALIGN;
    void *p;
    if (by_layout_of) {
        size_t n = size ? size : 1; /* a unique pointer for malloc(0) */
        p = zero ? kiln_heap_alloc_zeroed(heap, n, align) : kiln_heap_alloc(heap, n, align);
    } else if (zero && align == MIN_ALIGN) {
        p = try_kcalloc(1, size);
    } else {
        p = try_kmalloc_aligned(size, align);
        if (p && zero) memset(p, 0, size);
    }
    return handed_out(p, align);
}

static void free_locked(uintptr_t p, const char *who)
{
    malloc_guard_expect_live(&guard, p, who);
    if (by_layout_of) {
        struct layout l;
        kiln_heap_layout_of(heap, (void *)p, &l);
        malloc_guard_on_free(&guard, p);
        kiln_heap_dealloc(heap, (void *)p, l.size, l.align);
    } else {
        malloc_guard_on_free(&guard, p);
        kfree((void *)p);
    }
}

static void *realloc_locked(uintptr_t p, size_t size)
{
    malloc_guard_expect_live(&guard, p, "realloc");
    void *q;
    size_t align = MIN_ALIGN;
    if (by_layout_of) {
        struct layout l;
        kiln_heap_layout_of(heap, (void *)p, &l);
        align = l.align;
        q = kiln_heap_realloc(heap, (void *)p, l.size, l.align, size ? size : 1);
    } else {
        q = try_krealloc((void *)p, size);
    }
    if (q == NULL) return NULL;
    if ((uintptr_t)q != p) malloc_guard_on_free(&guard, p);
    return handed_out(q, align);
}

/* ---- thread caches --------------------------------------------------------
 * With a design that has layout_of, each thread keeps small blocks it freed
 * for its next mallocs, so that most small mallocs and frees take no lock:
 *
 *   free(p)    the guard marks p freed at once (atomically: a double free
 *              still aborts right there); p joins the thread's pending list.
 *              Every PENDING frees, one lock sorts them by usable size into
 *              bins (layout_of needs the lock), and gives the rest back.
 *   malloc(n)  n <= CACHE_MAX: pop a block of bin ceil(n / 16) - 1 (usable
 *              >= 16 ceil(n / 16)), marked live again; an empty bin takes
 *              the lock once to sort the pending frees and, if still empty,
 *              allocates REFILL blocks from the design.
 *
 * Cached blocks are live to the design (its stats count them as used) and
 * freed to the guard. A thread's cache goes back to the design when it exits
 * (a pthread key's destructor); a fork child keeps the forking thread's.
 * KILN_THREAD_CACHE=0 turns the caches off (one lock per call).
 */
#define CACHE_BINS 32 /* bin k: blocks of usable size >= 16 (k + 1) */
#define CACHE_MAX  (CACHE_BINS * 16)
#define CACHE_CAP  32
#define PENDING    32
#define REFILL     8

struct cache {
    void *pending[PENDING];
    unsigned npending;
    bool registered;
    unsigned n[CACHE_BINS];
    void *bin[CACHE_BINS][CACHE_CAP];
};
/* initial-exec: a preloaded library's TLS is static, and __tls_get_addr
 * could allocate. */
static __thread struct cache tcache __attribute__((tls_model("initial-exec")));

/* Under the lock: sort the pending frees into bins; the rest go back. */
static void sort_pending(struct cache *c)
{
    for (unsigned i = 0; i < c->npending; i++) {
        void *p = c->pending[i];
        struct layout l;
        kiln_heap_layout_of(heap, p, &l);
        size_t k = l.size / 16;
        if (l.align <= MIN_ALIGN && k >= 1 && k <= CACHE_BINS && c->n[k - 1] < CACHE_CAP)
            c->bin[k - 1][c->n[k - 1]++] = p;
        else
            kiln_heap_dealloc(heap, p, l.size, l.align);
    }
    c->npending = 0;
}

/* Under the lock: give every cached and pending block back. */
static void cache_drain(struct cache *c)
{
    sort_pending(c);
    for (unsigned k = 0; k < CACHE_BINS; k++)
        for (; c->n[k]; c->n[k]--) {
            struct layout l;
            void *p = c->bin[k][c->n[k] - 1];
            kiln_heap_layout_of(heap, p, &l);
            kiln_heap_dealloc(heap, p, l.size, l.align);
        }
}

static void cache_exit(void *arg)
{
    struct cache *c = arg;
    enter();
    cache_drain(c);
    c->registered = false; /* a later free in this thread registers again */
    leave();
}

/* A block of at least size bytes (<= CACHE_MAX) from this thread's cache,
 * refilled under the lock when empty; NULL when memory runs out. */
static void *cache_alloc(size_t size)
{
    struct cache *c = &tcache;
    size_t k = (size ? (size + 15) / 16 : 1) - 1;
    void *p = NULL;
    if (c->n[k]) {
        p = c->bin[k][--c->n[k]];
    } else {
        enter();
        sort_pending(c);
        if (c->n[k]) p = c->bin[k][--c->n[k]];
        for (int i = 0; p == NULL && i < REFILL; i++) {
            uintptr_t q = (uintptr_t)kiln_heap_alloc(heap, 16 * (k + 1), MIN_ALIGN);
            if (q == 0) break;
            malloc_guard_clear_span(&guard, q, q + usable(q));
            if (i == REFILL - 1 || c->n[k] == CACHE_CAP)
                p = (void *)q;
            else
                c->bin[k][c->n[k]++] = (void *)q;
        }
        if (p == NULL && c->n[k]) p = c->bin[k][--c->n[k]];
        leave();
        if (p == NULL) return NULL;
    }
    malloc_guard_reuse(&guard, (uintptr_t)p);
    return p;
}

static void cache_free(uintptr_t p)
{
    malloc_guard_take(&guard, p, "free");
    struct cache *c = &tcache;
    /* So that the cache goes back when the thread exits (a key below 32
     * needs no allocation). */
    if (!c->registered) c->registered = pthread_setspecific(cache_key, c) == 0;
    c->pending[c->npending++] = (void *)p;
    if (c->npending == PENDING) {
        enter();
        sort_pending(c);
        leave();
    }
}

/* ---- the API --------------------------------------------------------------- */

static void *alloc(size_t size, size_t align, bool zero)
{
    enter();
    void *p = alloc_locked(size, align, zero);
    leave();
    if (p == NULL) errno = ENOMEM;
    return p;
}

API void *malloc(size_t size)
{
    if (size <= CACHE_MAX && cache_on()) {
        void *p = cache_alloc(size);
        if (p == NULL) errno = ENOMEM;
        return p;
    }
    return alloc(size, MIN_ALIGN, false);
}

API void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    if (n * size <= CACHE_MAX && cache_on()) {
        void *p = cache_alloc(n * size);
        if (p == NULL)
            errno = ENOMEM;
        else
            memset(p, 0, n * size);
        return p;
    }
    return alloc(n * size, MIN_ALIGN, true);
}

API void free(void *ptr)
{
    if (ptr == NULL) return;
    if (cache_on()) {
        cache_free((uintptr_t)ptr);
        return;
    }
    enter();
    free_locked((uintptr_t)ptr, "free");
    leave();
}

API void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL) return malloc(size);
    enter();
    void *q = realloc_locked((uintptr_t)ptr, size);
    leave();
    if (q == NULL) errno = ENOMEM;
    return q;
}

API void *reallocarray(void *ptr, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, n * size);
}

static bool power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

API void *aligned_alloc(size_t align, size_t size)
{
    if (!power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc(size, align, false);
}

API int posix_memalign(void **out, size_t align, size_t size)
{
    if (!power_of_two(align) || align % sizeof(void *) != 0) return EINVAL;
    int saved = errno;
    void *p = alloc(size, align, false);
    errno = saved;
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

/* glibc's memalign: an alignment below 16 is 16, one that is not a power of
 * two rounds up to the next; beyond SIZE_MAX / 2 + 1 there is none (EINVAL). */
API void *memalign(size_t align, size_t size)
{
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = MIN_ALIGN;
    while (a < align) a <<= 1;
    return alloc(size, a, false);
}

API void *valloc(size_t size)
{
    return alloc(size, PAGE, false);
}

/* valloc of size rounded up to whole pages (one page for 0, as glibc). */
API void *pvalloc(size_t size)
{
    if (size > SIZE_MAX - (PAGE - 1)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t n = size ? (size + PAGE - 1) & ~(size_t)(PAGE - 1) : PAGE;
    return alloc(n, PAGE, false);
}

API size_t malloc_usable_size(void *ptr)
{
    if (ptr == NULL) return 0;
    enter();
    malloc_guard_expect_live(&guard, (uintptr_t)ptr, "malloc_usable_size");
    size_t n = usable((uintptr_t)ptr);
    leave();
    return n;
}

/* C23: free with the size the block was asked for (and its alignment). The
 * header records that size exactly; layout_of knows only the usable size, so
 * there a size beyond it is all that can be caught. */
static void free_checked(void *ptr, size_t align, size_t size, const char *who)
{
    if (ptr == NULL) return;
    uintptr_t p = (uintptr_t)ptr;
    enter();
    malloc_guard_expect_live(&guard, p, who);
    size_t have = usable(p);
    if (by_layout_of ? size > have : size != have)
        kiln_die("%s of 0x%lx with size %zu: the block was allocated with %s %zu", who,
                 (unsigned long)p, size, by_layout_of ? "usable size" : "size", have);
    if (align && p % align != 0)
        kiln_die("%s of 0x%lx with alignment %zu: the block is not aligned to it", who,
                 (unsigned long)p, align);
    free_locked(p, who);
    leave();
}

API void free_sized(void *ptr, size_t size)
{
    free_checked(ptr, 0, size, "free_sized");
}

API void free_aligned_sized(void *ptr, size_t align, size_t size)
{
    free_checked(ptr, align, size, "free_aligned_sized");
}
