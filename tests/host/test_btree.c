/* btree: random operations against a direct-address table with btree_check()
 * after every one, sequential fills and drains, replacement, destructors,
 * OOM leaving the tree whole, wide aligned keys, the set, and the checker
 * itself finding corruption. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/box.h"
#include "kiln/btree.h"

#define CHECK(t) assert_int_equal(btree_check(t), 0)

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The reference: a direct-address table over the key space. */
#define KEYS 2048
static bool present[KEYS];
static uint64_t value[KEYS];
static size_t ref_len;

static void ref_reset(void)
{
    memset(present, 0, sizeof present);
    ref_len = 0;
}

/* The whole map equals the reference, in order; first and last agree. */
static void compare_all(const struct btree *t)
{
    struct btree_iter it;
    btree_iter_init(&it, t);
    const void *k;
    void *v;
    uint32_t expect = 0;
    size_t n = 0;
    while (btree_iter_next(&it, &k, &v)) {
        while (expect < KEYS && !present[expect]) expect++;
        assert_true(expect < KEYS);
        assert_int_equal(*(const uint32_t *)k, expect);
        assert_int_equal(*(uint64_t *)v, value[expect]);
        expect++, n++;
    }
    assert_int_equal(n, ref_len);
    assert_int_equal(btree_len(t), ref_len);
    const uint32_t *first = btree_first(t, &v), *last = btree_last(t, NULL);
    if (ref_len == 0) {
        assert_null(first);
        assert_null(last);
        return;
    }
    uint32_t lo = 0, hi = KEYS - 1;
    while (!present[lo]) lo++;
    while (!present[hi]) hi--;
    assert_int_equal(*first, lo);
    assert_int_equal(*(uint64_t *)v, value[lo]);
    assert_int_equal(*last, hi);
}

static void test_empty_and_bad_shapes(void **state)
{
    (void)state;
    host_alloc_install();
    struct btree t = BTREE_NEW(uint32_t, uint64_t, cmp_u32);
    uint32_t k = 1;
    assert_null(btree_get(&t, &k));
    assert_false(btree_contains(&t, &k));
    assert_false(btree_remove(&t, &k, NULL, NULL));
    assert_null(btree_first(&t, NULL));
    assert_null(btree_last(&t, NULL));
    assert_true(btree_is_empty(&t));
    CHECK(&t);
    struct btree_iter it;
    btree_iter_init(&it, &t);
    assert_false(btree_iter_next(&it, NULL, NULL));
    btree_free(&t, NULL);
    NO_LEAKS();
    EXPECT_PANIC(btree_new(0, 1, 8, 8, cmp_u32), "btree_new: key size 0");
    EXPECT_PANIC(btree_new(4, 4, 8, 8, NULL), "btree_new: NULL comparator");
    EXPECT_PANIC(btree_new(4, 3, 8, 8, cmp_u32), "key alignment 3 is not a power of two");
    EXPECT_PANIC(btree_new(4, 4, 12, 8, cmp_u32), "not a multiple of its alignment");
    EXPECT_PANIC(btree_new(SIZE_MAX / 8, 1, 8, 8, cmp_u32), "too large for a node");
}

/* Grow to most of the key space, churn, then drain to empty, checking every
 * invariant after every operation. */
static void test_random_against_table(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 0x1234567;
    ref_reset();
    struct btree t = BTREE_NEW(uint32_t, uint64_t, cmp_u32);
    size_t max_height = 0;
    for (int step = 0; step < 24000; step++) {
        int phase = step < 8000 ? 0 : step < 16000 ? 1 : 2;
        uint32_t k = (uint32_t)(rnd() % KEYS);
        uint64_t v = rnd(), old = 0, kout = 0;
        unsigned r = (unsigned)(rnd() % 10);
        bool insert = phase == 0 ? r < 7 : phase == 1 ? r < 5 : r < 1;
        if (phase == 2 && ref_len < 300) /* finish the drain without misses */
            for (uint32_t j = 0; j < KEYS; j++)
                if (present[(k + j) % KEYS]) {
                    k = (k + j) % KEYS;
                    break;
                }
        if (insert) {
            bool replaced = btree_insert(&t, &k, &v, &old);
            assert_int_equal(replaced, present[k]);
            if (replaced)
                assert_int_equal(old, value[k]);
            else
                ref_len++;
            present[k] = true, value[k] = v;
        } else if (r < 8) {
            uint32_t kk;
            bool removed = btree_remove(&t, &k, &kk, &kout);
            assert_int_equal(removed, present[k]);
            if (removed) {
                assert_int_equal(kk, k);
                assert_int_equal(kout, value[k]);
                present[k] = false, ref_len--;
            }
        } else {
            uint64_t *got = btree_get(&t, &k);
            assert_int_equal(got != NULL, present[k]);
            assert_int_equal(btree_contains(&t, &k), present[k]);
            if (got) assert_int_equal(*got, value[k]);
        }
        CHECK(&t);
        assert_int_equal(btree_len(&t), ref_len);
        if (t.height > max_height) max_height = t.height;
        if (step % 512 == 0) compare_all(&t);
    }
    while (ref_len > 0) { /* whatever the drain left */
        uint32_t k = 0;
        while (!present[k]) k++;
        assert_true(btree_remove(&t, &k, NULL, NULL));
        present[k] = false, ref_len--;
        CHECK(&t);
    }
    compare_all(&t);
    assert_null(t.root);
    assert_int_equal(t.height, 0);
    assert_true(max_height >= 3); /* splits and merges happened on several levels */
    NO_LEAKS();
}

static void test_sequential_fill_and_drain(void **state)
{
    (void)state;
    host_alloc_install();
    enum { N = 30000 };
    struct btree t = BTREE_NEW(uint32_t, uint32_t, cmp_u32);
    for (uint32_t i = 0; i < N; i++) { /* ascending: always the rightmost leaf */
        uint32_t v = i * 7;
        assert_false(btree_insert(&t, &i, &v, NULL));
        if (i % 1000 == 0) CHECK(&t);
    }
    CHECK(&t);
    struct btree_iter it;
    btree_iter_init(&it, &t);
    const void *k;
    void *v;
    uint32_t expect = 0;
    while (btree_iter_next(&it, &k, &v)) {
        assert_int_equal(*(const uint32_t *)k, expect);
        assert_int_equal(*(uint32_t *)v, expect * 7);
        expect++;
    }
    assert_int_equal(expect, N);
    /* Drain in a random order (a shuffled permutation). */
    static uint32_t order[N];
    for (uint32_t i = 0; i < N; i++) order[i] = i;
    rng_state = 42;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(rnd() % (i + 1)), tmp = order[i];
        order[i] = order[j], order[j] = tmp;
    }
    for (uint32_t i = 0; i < N; i++) {
        uint32_t got;
        assert_true(btree_remove(&t, &order[i], NULL, &got));
        assert_int_equal(got, order[i] * 7);
        if (i % 997 == 0 || N - i < 100) CHECK(&t);
    }
    assert_int_equal(btree_len(&t), 0);
    NO_LEAKS();
    for (uint32_t i = N; i-- > 0;) { /* descending: always the leftmost leaf */
        btree_insert(&t, &i, &i, NULL);
        if (i % 1000 == 0) CHECK(&t);
    }
    for (uint32_t i = 0; i < N; i++) { /* and drain from the front */
        assert_int_equal(*(uint32_t *)btree_first(&t, NULL), i);
        assert_true(btree_remove(&t, &i, NULL, NULL));
        if (i % 1000 == 0) CHECK(&t);
    }
    NO_LEAKS();
}

/* A key whose tag is not compared: replacing keeps the stored key. */
struct tagged {
    uint32_t key;
    uint32_t tag;
};

static void test_replace_keeps_key_returns_old_value(void **state)
{
    (void)state;
    host_alloc_install();
    struct btree t = BTREE_NEW(struct tagged, uint64_t, cmp_u32);
    struct tagged a = {5, 1}, b = {5, 2}, got;
    uint64_t v1 = 100, v2 = 200, old = 0;
    assert_false(btree_insert(&t, &a, &v1, &old));
    assert_int_equal(old, 0);
    assert_true(btree_insert(&t, &b, &v2, &old));
    assert_int_equal(old, 100);
    assert_true(btree_insert(&t, &b, &v2, NULL)); /* the old value may be dropped */
    assert_int_equal(btree_len(&t), 1);
    assert_int_equal(*(uint64_t *)btree_get(&t, &a), 200);
    assert_int_equal(((const struct tagged *)btree_first(&t, NULL))->tag, 1);
    assert_true(btree_remove(&t, &b, &got, NULL));
    assert_int_equal(got.tag, 1);
    CHECK(&t);
    NO_LEAKS();
}

static int drops;
static void drop_entry(void *key, void *val)
{
    (void)key;
    drops++;
    BOX_FREE(*(uint64_t **)val);
}

static void test_destructors_run_once(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 3;
    struct btree t = BTREE_NEW(uint32_t, uint64_t *, cmp_u32);
    size_t boxes = 0;
    for (int i = 0; i < 3000; i++) {
        uint32_t k = (uint32_t)(rnd() % 1000);
        uint64_t *b = BOX_NEW(uint64_t, k), *old;
        boxes++;
        if (rnd() % 4 == 0) {
            if (btree_remove(&t, &k, NULL, &old)) {
                assert_int_equal(*old, k);
                BOX_FREE(old), boxes--;
            }
            BOX_FREE(b), boxes--;
        } else if (btree_insert(&t, &k, &b, &old)) {
            BOX_FREE(old), boxes--; /* the replaced value is the caller's */
        }
    }
    CHECK(&t);
    assert_int_equal(boxes, btree_len(&t)); /* each live box is one value in the tree */
    drops = 0;
    size_t len = btree_len(&t);
    btree_free(&t, drop_entry);
    assert_int_equal(drops, len);
    assert_int_equal(btree_len(&t), 0);
    CHECK(&t);
    NO_LEAKS(); /* every box freed once: a second free would trip the allocator */
}

/* try_btree_insert under OOM: whenever it fails, nothing changed. */
static void test_try_insert_oom_leaves_tree_whole(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 11;
    ref_reset();
    struct btree t = BTREE_NEW(uint32_t, uint64_t, cmp_u32);
    size_t failed_at[3] = {0}, fitted = 0;
    for (int i = 0; i < 3000; i++) {
        uint32_t k = (uint32_t)(rnd() % KEYS);
        uint64_t v = rnd();
        bool done = false;
        for (size_t budget = 0; budget < 3 && !done; budget++) {
            size_t live = host_alloc_live(), len = btree_len(&t);
            bool replaced = false;
            host_alloc_fail_after(budget);
            enum coll_error e = try_btree_insert(&t, &k, &v, NULL, &replaced);
            host_alloc_fail_after(SIZE_MAX);
            CHECK(&t);
            if (e == COLL_OK) {
                assert_int_equal(replaced, present[k]);
                if (!replaced) ref_len++;
                present[k] = true, value[k] = v;
                done = true;
                if (budget == 0) fitted++;
            } else {
                assert_int_equal(e, COLL_ALLOC_FAILED);
                failed_at[budget]++;
                assert_int_equal(host_alloc_live(), live); /* partial nodes freed */
                assert_int_equal(btree_len(&t), len);
                assert_int_equal(btree_contains(&t, &k), present[k]);
            }
        }
        if (!done) btree_insert(&t, &k, &v, NULL), ref_len++, present[k] = true, value[k] = v;
        if (i % 100 == 0) compare_all(&t);
    }
    compare_all(&t);
    assert_true(fitted > 0);       /* most inserts need no node */
    assert_true(failed_at[0] > 0); /* a leaf split, or the first root */
    assert_true(failed_at[1] > 0); /* two or more nodes: a cascade */
    assert_true(failed_at[2] > 0); /* three: the root split too */
    btree_free(&t, NULL);
    NO_LEAKS();
}

/* A 16-byte-aligned key and a 40-byte value: nodes keep both aligned. */
struct wide_key {
    _Alignas(16) uint64_t k;
    uint64_t check;
};
struct blob {
    char bytes[40];
};
static int cmp_wide(const void *a, const void *b)
{
    uint64_t x = ((const struct wide_key *)a)->k, y = ((const struct wide_key *)b)->k;
    return (x > y) - (x < y);
}

static void test_wide_aligned_entries(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 8;
    struct btree t = BTREE_NEW(struct wide_key, struct blob, cmp_wide);
    for (int i = 0; i < 2000; i++) {
        struct wide_key k = {rnd() % 500, 0};
        k.check = ~k.k;
        struct blob b;
        memset(b.bytes, (int)(k.k & 0x7f), sizeof b.bytes);
        if (rnd() % 3)
            btree_insert(&t, &k, &b, NULL);
        else
            btree_remove(&t, &k, NULL, NULL);
        CHECK(&t);
    }
    struct btree_iter it;
    btree_iter_init(&it, &t);
    const void *k;
    void *v;
    uint64_t prev = 0;
    size_t n = 0;
    while (btree_iter_next(&it, &k, &v)) {
        const struct wide_key *wk = k;
        assert_int_equal((uintptr_t)wk % 16, 0);
        assert_int_equal(wk->check, ~wk->k);
        assert_true(n == 0 || wk->k > prev);
        for (size_t j = 0; j < 40; j++)
            assert_int_equal(((struct blob *)v)->bytes[j], wk->k & 0x7f);
        prev = wk->k, n++;
    }
    assert_int_equal(n, btree_len(&t));
    btree_free(&t, NULL);
    NO_LEAKS();
}

static int set_drops;
static void count_key(void *key, void *val)
{
    (void)val;
    assert_int_equal(*(uint32_t *)key % 2, 0);
    set_drops++;
}

static void test_set(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 21;
    ref_reset();
    struct btree_set s = BTREE_SET_NEW(uint32_t, cmp_u32);
    for (int i = 0; i < 6000; i++) {
        uint32_t k = (uint32_t)(rnd() % 1000) * 2, out;
        if (rnd() % 3) {
            assert_int_equal(btree_set_insert(&s, &k), !present[k]);
            if (!present[k]) ref_len++;
            present[k] = true;
        } else {
            assert_int_equal(btree_set_remove(&s, &k, &out), present[k]);
            if (present[k]) assert_int_equal(out, k), ref_len--;
            present[k] = false;
        }
        assert_int_equal(btree_set_contains(&s, &k), present[k]);
        assert_int_equal(btree_set_len(&s), ref_len);
        assert_int_equal(btree_set_check(&s), 0);
    }
    struct btree_iter it;
    btree_set_iter_init(&it, &s);
    uint32_t expect = 0;
    for (const uint32_t *k; (k = btree_set_iter_next(&it));) {
        while (!present[expect]) expect++;
        assert_int_equal(*k, expect++);
    }
    uint32_t lo = 0, hi = KEYS - 1;
    while (!present[lo]) lo++;
    while (!present[hi]) hi--;
    assert_int_equal(*(const uint32_t *)btree_set_first(&s), lo);
    assert_int_equal(*(const uint32_t *)btree_set_last(&s), hi);
    host_alloc_fail_after(0);
    bool added = true;
    uint32_t dup = lo;
    assert_int_equal(try_btree_set_insert(&s, &dup, &added), COLL_OK); /* present: no node */
    assert_false(added);
    host_alloc_fail_after(SIZE_MAX);
    set_drops = 0;
    btree_set_free(&s, count_key);
    assert_int_equal(set_drops, ref_len);
    NO_LEAKS();
}

static void test_check_finds_corruption(void **state)
{
    (void)state;
    host_alloc_install();
    struct btree t = BTREE_NEW(uint32_t, uint32_t, cmp_u32);
    for (uint32_t i = 0; i < 200; i++) btree_insert(&t, &i, &i, NULL);
    CHECK(&t);
    uint32_t *first = (uint32_t *)btree_first(&t, NULL);
    *first = 100; /* out of order in its leaf and above its parent's bound */
    assert_true(btree_check(&t) >= 2);
    *first = 0;
    CHECK(&t);
    t.len++;
    assert_int_equal(btree_check(&t), 1); /* the count disagrees */
    t.len--;
    t.height++;
    assert_true(btree_check(&t) > 0); /* the leaves are not at depth height */
    t.height--;
    CHECK(&t);
    btree_free(&t, NULL);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_bad_shapes),
        cmocka_unit_test(test_random_against_table),
        cmocka_unit_test(test_sequential_fill_and_drain),
        cmocka_unit_test(test_replace_keeps_key_returns_old_value),
        cmocka_unit_test(test_destructors_run_once),
        cmocka_unit_test(test_try_insert_oom_leaves_tree_whole),
        cmocka_unit_test(test_wide_aligned_entries),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_check_finds_corruption),
    };
    return RUN_TESTS(tests);
}
