/* malloc_probe: the program tests/host/test_malloc.c runs under
 * LD_PRELOAD=libkiln_malloc.so (built without sanitizers: ASan would
 * replace malloc itself). One command per run:
 *
 *   edges              every edge case of the C allocation API; exit 0 when
 *                      all hold, else 1 with the first broken one on stderr
 *   stress THREADS N   threads allocate, fill with a pattern and hand blocks
 *                      to each other through a queue; the receiver checks and
 *                      frees (some realloc first); exit 0 when every pattern held
 *   fork               forks while two threads allocate; every child must be
 *                      able to allocate (a held lock would hang it)
 *   double-free, invalid-free, interior-free, foreign-free, realloc-freed,
 *   free-sized-wrong   one misuse each, which must abort; the pointer goes to
 *                      stdout first so the test can find it in the message
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PROBE_LINKED
#define PROBE_LINKED 0
#endif

static int failures;

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "malloc_probe:%d: %s\n", __LINE__, #cond);                             \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void (*free_sized_fn)(void *, size_t);
static void (*free_aligned_sized_fn)(void *, size_t, size_t);

/* Whether malloc resolves into libkiln_malloc.so. */
static int preloaded(void)
{
    Dl_info info;
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    return m && dladdr(m, &info) && info.dli_fname && strstr(info.dli_fname, "libkiln_malloc");
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 9));
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed * 31 + i * 7 + (i >> 9))) return 0;
    return 1;
}

/* x, unknown to the compiler: it must not fold or reject the calls whose
 * failure is under test (clang-14 even crashes on a constant memalign of
 * SIZE_MAX / 2 + 2). */
static size_t opaque(size_t x)
{
    volatile size_t v = x;
    return v;
}

/* A call that must fail with NULL and errno e. */
#define EXPECT_FAILS(call, e)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        void *r_ = (call);                                                                         \
        EXPECT(r_ == NULL);                                                                        \
        EXPECT(errno == (e));                                                                      \
    } while (0)

static void edges_malloc(void)
{
    void *a = malloc(0), *b = malloc(0);
    EXPECT(a != NULL && b != NULL && a != b);
    free(a);
    free(b);
    free(NULL);
    EXPECT_FAILS(malloc(SIZE_MAX), ENOMEM);
    EXPECT_FAILS(malloc(SIZE_MAX - 8), ENOMEM);
    EXPECT_FAILS(malloc(SIZE_MAX - 4096), ENOMEM);
    EXPECT_FAILS(malloc(SIZE_MAX / 2 + 1), ENOMEM);
    EXPECT_FAILS(malloc((size_t)1 << 50), ENOMEM);
    for (size_t n = 1; n < 70000; n = n * 3 + 1) {
        unsigned char *p = malloc(n);
        EXPECT(p != NULL && (uintptr_t)p % 16 == 0 && malloc_usable_size(p) >= n);
        fill(p, n, (unsigned)n);
        EXPECT(intact(p, n, (unsigned)n));
        free(p);
    }
    EXPECT(malloc_usable_size(NULL) == 0);
}

static void edges_calloc(void)
{
    EXPECT_FAILS(calloc(SIZE_MAX / 2, 3), ENOMEM);
    EXPECT_FAILS(calloc((size_t)1 << 33, (size_t)1 << 33), ENOMEM);
    EXPECT_FAILS(calloc(1, SIZE_MAX - 8), ENOMEM);
    void *z = calloc(0, 16);
    EXPECT(z != NULL);
    free(z);
    /* Reused memory comes back zeroed. */
    for (size_t n = 24; n < 300000; n *= 5) {
        unsigned char *p = malloc(n);
        memset(p, 0xa5, n);
        free(p);
        unsigned char *q = calloc(n / 8, 8);
        size_t nonzero = 0;
        for (size_t i = 0; i < n / 8 * 8; i++) nonzero += q[i] != 0;
        EXPECT(nonzero == 0);
        free(q);
    }
}

static void edges_realloc(void)
{
    unsigned char *p = realloc(NULL, 100);
    EXPECT(p != NULL);
    fill(p, 100, 1);
    EXPECT_FAILS(realloc(p, SIZE_MAX - 16), ENOMEM);
    EXPECT_FAILS(realloc(p, (size_t)1 << 50), ENOMEM);
    EXPECT_FAILS(reallocarray(p, SIZE_MAX / 2, 4), ENOMEM);
    EXPECT(intact(p, 100, 1)); /* a failed realloc leaves the block */
    for (size_t n = 100; n < 1000000; n *= 3) {
        p = realloc(p, n * 3);
        EXPECT(p != NULL && intact(p, 100, 1));
        fill(p + 100, n * 3 - 100, 2);
    }
    p = realloc(p, 50);
    EXPECT(p != NULL && intact(p, 50, 1));
    p = realloc(p, 0); /* kiln keeps a zero-size block */
    EXPECT(p != NULL);
    free(p);
    unsigned char *q = reallocarray(NULL, 10, 10);
    EXPECT(q != NULL);
    free(q);
}

static void edges_aligned(void)
{
    for (size_t a = 1; a <= 65536; a *= 2) {
        void *p = aligned_alloc(a, 3 * a);
        EXPECT(p != NULL && (uintptr_t)p % a == 0);
        free(p);
        void *m = memalign(a, 100);
        EXPECT(m != NULL && (uintptr_t)m % a == 0);
        free(m);
        if (a >= sizeof(void *)) {
            void *q = NULL;
            EXPECT(posix_memalign(&q, a, 5) == 0 && q != NULL && (uintptr_t)q % a == 0);
            free(q);
        }
    }
    EXPECT_FAILS(aligned_alloc(opaque(3), 16), EINVAL);
    EXPECT_FAILS(aligned_alloc(opaque(0), 16), EINVAL);
    EXPECT_FAILS(aligned_alloc(opaque(48), 96), EINVAL);
    EXPECT_FAILS(aligned_alloc(4096, opaque(SIZE_MAX - 100)), ENOMEM);
    EXPECT_FAILS(memalign(4096, opaque(SIZE_MAX - 4000)), ENOMEM);
    EXPECT_FAILS(memalign(opaque(SIZE_MAX / 2 + 2), 8), EINVAL);
    void *m = memalign(opaque(48), 10); /* glibc rounds 48 up to 64 */
    EXPECT(m != NULL && (uintptr_t)m % 64 == 0);
    free(m);
    void *keep = (void *)0x1234, *q = keep;
    EXPECT(posix_memalign(&q, 4, 8) == EINVAL && q == keep);
    EXPECT(posix_memalign(&q, 24, 8) == EINVAL && q == keep);
    EXPECT(posix_memalign(&q, 0, 8) == EINVAL && q == keep);
    EXPECT(posix_memalign(&q, 64, SIZE_MAX - 32) == ENOMEM && q == keep);
    void *v = valloc(10);
    EXPECT(v != NULL && (uintptr_t)v % 4096 == 0);
    free(v);
    void *pv = pvalloc(1);
    EXPECT(pv != NULL && (uintptr_t)pv % 4096 == 0 && malloc_usable_size(pv) >= 4096);
    free(pv);
    EXPECT_FAILS(pvalloc(SIZE_MAX - 10), ENOMEM);
}

static void edges_sized(void)
{
    EXPECT(free_sized_fn != NULL && free_aligned_sized_fn != NULL);
    if (!free_sized_fn || !free_aligned_sized_fn) return;
    for (size_t n = 0; n < 5000; n = n * 2 + 3) {
        free_sized_fn(malloc(n), n);
        free_aligned_sized_fn(aligned_alloc(256, n), 256, n);
    }
    free_sized_fn(NULL, 5);
}

/* ---- stress ------------------------------------------------------------------ */

#define QUEUE 256
static struct {
    pthread_mutex_t lock;
    void *p[QUEUE];
    size_t n[QUEUE];
    unsigned seed[QUEUE];
    size_t head, count;
} q = {.lock = PTHREAD_MUTEX_INITIALIZER};
static long rounds;
static int bad_patterns;

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

/* Check and free (or realloc, check again, then free) a received block. */
static void consume(void *p, size_t n, unsigned seed, uint64_t *rs)
{
    if (!intact(p, n, seed)) __atomic_add_fetch(&bad_patterns, 1, __ATOMIC_RELAXED);
    if (next_rand(rs) % 4 == 0) {
        size_t m = n / 2 + next_rand(rs) % (2 * n + 1);
        unsigned char *r = realloc(p, m);
        if (r == NULL || !intact(r, n < m ? n : m, seed))
            __atomic_add_fetch(&bad_patterns, 1, __ATOMIC_RELAXED);
        p = r;
    }
    free(p);
}

static void *stress_thread(void *arg)
{
    uint64_t rs = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
    void *mine[64] = {0};
    size_t mine_n[64];
    for (long i = 0; i < rounds; i++) {
        uint64_t r = next_rand(&rs);
        size_t n = r % 16 == 0 ? 4096 + r % 70000 : 1 + r % 512;
        unsigned seed = (unsigned)(r >> 32);
        unsigned char *p = (r >> 20) % 8 == 0 ? calloc(1, n) : malloc(n);
        if (p == NULL) {
            __atomic_add_fetch(&bad_patterns, 1, __ATOMIC_RELAXED);
            continue;
        }
        fill(p, n, seed);
        /* Keep some locally (freed by this thread later), hand the rest over. */
        size_t slot = (r >> 8) % 64;
        if ((r >> 16) % 3 == 0) {
            if (mine[slot]) free(mine[slot]);
            mine[slot] = p, mine_n[slot] = n;
            memset(p, 0x5a, n);
            continue;
        }
        void *got = NULL;
        size_t got_n = 0;
        unsigned got_seed = 0;
        pthread_mutex_lock(&q.lock);
        if (q.count == QUEUE || (q.count > 0 && (r >> 40) % 2)) {
            size_t h = q.head;
            got = q.p[h], got_n = q.n[h], got_seed = q.seed[h];
            q.head = (h + 1) % QUEUE;
            q.count--;
        }
        size_t t = (q.head + q.count) % QUEUE;
        q.p[t] = p, q.n[t] = n, q.seed[t] = seed;
        q.count++;
        pthread_mutex_unlock(&q.lock);
        if (got) consume(got, got_n, got_seed, &rs);
    }
    for (size_t i = 0; i < 64; i++)
        if (mine[i]) {
            unsigned char *m = mine[i];
            for (size_t k = 0; k < mine_n[i]; k++)
                if (m[k] != 0x5a) {
                    __atomic_add_fetch(&bad_patterns, 1, __ATOMIC_RELAXED);
                    break;
                }
            free(m);
        }
    return NULL;
}

static int stress(int threads, long n)
{
    pthread_t t[64];
    rounds = n;
    if (threads > 64) threads = 64;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, stress_thread, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    uint64_t rs = 7;
    while (q.count) {
        consume(q.p[q.head], q.n[q.head], q.seed[q.head], &rs);
        q.head = (q.head + 1) % QUEUE;
        q.count--;
    }
    if (bad_patterns) fprintf(stderr, "malloc_probe: %d blocks lost their pattern\n", bad_patterns);
    return bad_patterns != 0;
}

/* ---- fork ------------------------------------------------------------------- */

static volatile int stop;

static void *churn(void *arg)
{
    (void)arg;
    while (!stop) {
        void *p[16];
        for (int i = 0; i < 16; i++) p[i] = malloc(16 + i * 100);
        for (int i = 0; i < 16; i++) free(p[i]);
    }
    return NULL;
}

static int fork_test(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, churn, NULL);
    int bad = 0;
    for (int i = 0; i < 50; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10); /* a lock held across fork would hang here */
            for (int k = 0; k < 100; k++) free(malloc(100 + k));
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        bad += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    stop = 1;
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    if (bad) fprintf(stderr, "malloc_probe: %d of 50 children failed\n", bad);
    return bad != 0;
}

/* ---- misuse ------------------------------------------------------------------ */

static void show(const void *p)
{
    printf("ptr=%p\n", p);
    fflush(stdout);
}

static int misuse(const char *what)
{
    char *p = malloc(64);
    if (strcmp(what, "double-free") == 0) {
        show(p);
        free(p);
        free(p);
    } else if (strcmp(what, "invalid-free") == 0) {
        char on_stack[32];
        show(on_stack + 16);
        free(on_stack + 16);
    } else if (strcmp(what, "foreign-free") == 0) {
        char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        show(m + 64);
        free(m + 64);
    } else if (strcmp(what, "interior-free") == 0) {
        show(p + 16);
        free(p + 16);
    } else if (strcmp(what, "realloc-freed") == 0) {
        show(p);
        free(p);
        p = realloc(p, 128);
    } else if (strcmp(what, "free-sized-wrong") == 0) {
        show(p);
        free_sized_fn(p, 4096);
    } else {
        fprintf(stderr, "malloc_probe: unknown command %s\n", what);
        return 2;
    }
    fprintf(stderr, "malloc_probe: %s did not abort\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    free_sized_fn = (void (*)(void *, size_t))dlsym(RTLD_DEFAULT, "free_sized");
    free_aligned_sized_fn =
        (void (*)(void *, size_t, size_t))dlsym(RTLD_DEFAULT, "free_aligned_sized");
    /* PROBE_LINKED: the ThreadSanitizer build, with kiln's malloc linked in
     * under other names (host/host.mk), since TSan brings its own malloc. */
    if (!PROBE_LINKED && !preloaded()) {
        fprintf(stderr, "malloc_probe: malloc is not libkiln_malloc.so's (LD_PRELOAD unset?)\n");
        return 3;
    }
    if (argc < 2) return 2;
    if (strcmp(argv[1], "edges") == 0) {
        edges_malloc();
        edges_calloc();
        edges_realloc();
        edges_aligned();
        edges_sized();
        return failures != 0;
    }
    if (strcmp(argv[1], "stress") == 0 && argc == 4) return stress(atoi(argv[2]), atol(argv[3]));
    if (strcmp(argv[1], "fork") == 0) return fork_test();
    return misuse(argv[1]);
}
