/* arc: the rc contract, plus clones and drops racing on several threads:
 * the count ends right and exactly one dropper runs the destructor. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/arc.h"

static int drops; /* atomic: the destructor may run on any thread */
static void count_drop(void *value)
{
    (void)value;
    __atomic_fetch_add(&drops, 1, __ATOMIC_RELAXED);
}

struct payload {
    uint64_t words[4];
};

static void test_clone_and_drop(void **state)
{
    (void)state;
    host_alloc_install();
    drops = 0;
    struct payload *p = ARC_NEW(struct payload, count_drop, {{1, 2, 3, 4}});
    assert_int_equal(arc_strong_count(p), 1);
    assert_ptr_equal(arc_clone(p), p);
    assert_int_equal(arc_strong_count(p), 2);
    assert_false(arc_drop(p));
    assert_int_equal(arc_strong_count(p), 1);
    assert_int_equal(p->words[3], 4);
    assert_int_equal(drops, 0);
    assert_true(arc_drop(p));
    assert_int_equal(drops, 1);
    NO_LEAKS();
}

static void test_misuse_and_oom(void **state)
{
    (void)state;
    host_alloc_install();
    _Alignas(16) unsigned char fake[256] = {0};
    EXPECT_PANIC(arc_clone(NULL), "arc_clone: NULL is not an arc value");
    EXPECT_PANIC(arc_drop(fake + 128), "arc_drop: ");
    EXPECT_PANIC(arc_new("x", (struct layout){1, 0}, NULL), "LAYOUT_ALIGN_ZERO");
    assert_null(try_arc_new("x", (struct layout){1, 0}, NULL));
    host_alloc_fail_after(0);
    assert_null(TRY_ARC_NEW(int, NULL, 1));
    EXPECT_PANIC(ARC_NEW(int, NULL, 1), "allocation error");
    host_alloc_fail_after(SIZE_MAX);
    _Alignas(64) char c64[64] = "wide";
    char *w = arc_new(c64, (struct layout){64, 64}, NULL);
    assert_int_equal((uintptr_t)w % 64, 0);
    assert_string_equal(w, "wide");
    assert_true(arc_drop(w));
    NO_LEAKS();
}

#define THREADS 4
#define ROUNDS  1000000

struct worker {
    struct payload *handle; /* this thread's own reference */
    int last;               /* 1 when this thread's drop freed the value */
};

static int started; /* the workers spin until all exist, so their loops overlap */

static void *work(void *arg)
{
    struct worker *w = arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < THREADS) continue;
    for (int i = 0; i < ROUNDS; i++) {
        struct payload *mine = arc_clone(w->handle);
        if (mine->words[0] != 42) return NULL; /* the value stays intact */
        if (arc_drop(mine)) return NULL;       /* never the last here */
    }
    w->last = arc_drop(w->handle);
    return arg;
}

static void test_threads_race_clones_and_drops(void **state)
{
    (void)state;
    host_alloc_install();
    drops = 0;
    started = 0;
    struct payload *p = ARC_NEW(struct payload, count_drop, {{42}});
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    for (int t = 0; t < THREADS; t++) w[t] = (struct worker){arc_clone(p), 0};
    assert_int_equal(arc_strong_count(p), THREADS + 1);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&tid[t], NULL, work, &w[t]), 0);
    int last = arc_drop(p); /* racing the workers' last drops */
    for (int t = 0; t < THREADS; t++) {
        void *ret;
        assert_int_equal(pthread_join(tid[t], &ret), 0);
        assert_ptr_equal(ret, &w[t]);
        last += w[t].last;
    }
    assert_int_equal(last, 1);  /* exactly one dropper saw the count reach 0 */
    assert_int_equal(drops, 1); /* and the destructor ran once */
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clone_and_drop),
        cmocka_unit_test(test_misuse_and_oom),
        cmocka_unit_test(test_threads_race_clones_and_drops),
    };
    return RUN_TESTS(tests);
}
