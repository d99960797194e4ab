/* The B-tree map and set of lib/ on the real kernel heap, against plain
 * reference arrays with fixed seeds: order, membership, destructors run once
 * per entry, and the heap given back (heap_stats().used as before,
 * heap_check() == 0). */
// run: built
// run: linked_list @cmdline=alloc=linked_list
// run: fixed_block @cmdline=alloc=fixed_block
#include <stdint.h>

#include "kiln/btree.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/string.h"

#include "collections_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    heap_set_max(HEAP_SIZE); /* the post's fixed 100 KiB heap: no growth */
    ktest_main();
}

#define MAP_KEYS 4000
static int map_val[MAP_KEYS], perm[MAP_KEYS], drop_prev;
static bool map_has[MAP_KEYS];
static unsigned entry_drops;

static void map_drop(void *key, void *val) /* must see keys in order, each once */
{
    int k = *(int *)key;
    kassert(k > drop_prev && k < MAP_KEYS && map_has[k] && *(int *)val == map_val[k]);
    drop_prev = k;
    entry_drops++;
}

static void shuffle(int *a, int n)
{
    for (int i = 0; i < n; i++) a[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng() % (uint32_t)(i + 1)), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* The whole map against the reference: invariants, order, values, ends. */
static void map_assert_equals(const struct btree *t)
{
    kassert_eq(btree_check(t), 0);
    struct btree_iter it;
    btree_iter_init(&it, t);
    const void *key;
    void *val;
    size_t n = 0;
    for (int k = 0; k < MAP_KEYS; k++) {
        if (!map_has[k]) continue;
        kassert(btree_iter_next(&it, &key, &val));
        kassert(in_heap(key, sizeof(int)) && in_heap(val, sizeof(int)));
        kassert(*(const int *)key == k && *(int *)val == map_val[k]);
        if (n++ == 0) kassert(btree_first(t, NULL) == key);
        if (n == btree_len(t)) kassert(btree_last(t, NULL) == key);
    }
    kassert(!btree_iter_next(&it, &key, &val));
    kassert_eq(btree_len(t), n);
    if (n == 0) kassert(btree_first(t, NULL) == NULL && btree_last(t, NULL) == NULL);
}

static void map_insert(struct btree *t, int k, int v)
{
    int old = -1;
    kassert_eq(btree_insert(t, &k, &v, &old), map_has[k]);
    if (map_has[k]) kassert_eq(old, map_val[k]);
    map_has[k] = true;
    map_val[k] = v;
    kassert_eq(*(int *)btree_get(t, &k), v);
}

static void map_remove(struct btree *t, int k)
{
    int ko = -1, vo = -1;
    kassert_eq(btree_remove(t, &k, &ko, &vo), map_has[k]);
    if (map_has[k]) kassert(ko == k && vo == map_val[k]);
    map_has[k] = false;
    kassert(btree_get(t, &k) == NULL);
}

KTEST(btree_map_matches_a_reference)
{
    size_t used0 = heap_used();
    rng_state = 2024;
    memset(map_has, 0, sizeof map_has);
    struct btree t = BTREE_NEW(int, int, cmp_int);
    map_assert_equals(&t);
    kassert_eq(heap_used(), used0);

    /* 2000 distinct keys: more than a tree of height 2 holds (1727). */
    shuffle(perm, MAP_KEYS);
    for (int i = 0; i < 2000; i++) {
        map_insert(&t, perm[i], (int)rng());
        if (i % 64 == 0) kassert_eq(btree_check(&t), 0);
    }
    kassert(btree_len(&t) == 2000 && t.height >= 3);
    map_assert_equals(&t);
    for (int op = 0; op < 6000; op++) { /* inserts, replacements and removals */
        int k = (int)(rng() % MAP_KEYS), probe = (int)(rng() % MAP_KEYS);
        if (rng() % 2)
            map_insert(&t, k, (int)rng());
        else
            map_remove(&t, k);
        int *v = btree_get(&t, &probe);
        kassert(v ? map_has[probe] && *v == map_val[probe] : !map_has[probe]);
        if (op % 64 == 0) kassert_eq(btree_check(&t), 0);
        if (op % 1000 == 0) map_assert_equals(&t);
    }
    map_assert_equals(&t);

    /* Remove about half in random order, then btree_free the rest. */
    shuffle(perm, MAP_KEYS);
    for (int i = 0; i < MAP_KEYS / 2; i++) {
        map_remove(&t, perm[i]);
        if (i % 64 == 0) kassert_eq(btree_check(&t), 0);
    }
    map_assert_equals(&t);
    size_t left = btree_len(&t);
    drop_prev = -1, entry_drops = 0;
    btree_free(&t, map_drop);
    kassert(left > 0 && entry_drops == left && btree_len(&t) == 0 && btree_check(&t) == 0);
    assert_heap_back_to(used0);
}

/* Ordered by k alone, so the tag shows which of two equal keys is kept. */
struct tagged {
    int k, tag;
};

static int cmp_tagged(const void *a, const void *b)
{
    return cmp_int(&((const struct tagged *)a)->k, &((const struct tagged *)b)->k);
}

#define SET_KEYS 1000
static bool set_has[SET_KEYS];
static int set_tag[SET_KEYS];

static void set_drop(void *key, void *val) /* must see keys in order, each once */
{
    (void)val;
    const struct tagged *t = key;
    kassert(t->k > drop_prev && t->k < SET_KEYS && set_has[t->k] && t->tag == set_tag[t->k]);
    drop_prev = t->k;
    entry_drops++;
}

KTEST(btree_set_order_membership_and_drops)
{
    size_t used0 = heap_used(), n = 0;
    rng_state = 7;
    memset(set_has, 0, sizeof set_has);
    struct btree_set s = BTREE_SET_NEW(struct tagged, cmp_tagged);
    for (int i = 0; i < 1500; i++) {
        int k = (int)(rng() % SET_KEYS);
        bool added = btree_set_insert(&s, &(struct tagged){k, i});
        kassert_eq(added, !set_has[k]); /* a duplicate keeps the first key */
        if (added) set_tag[k] = i, set_has[k] = true, n++;
        if (i % 64 == 0) kassert_eq(btree_set_check(&s), 0);
    }
    kassert(btree_set_len(&s) == n && btree_set_check(&s) == 0);
    struct btree_iter it;
    btree_set_iter_init(&it, &s);
    for (int k = 0; k < SET_KEYS; k++) {
        kassert_eq(btree_set_contains(&s, &(struct tagged){k, 0}), set_has[k]);
        if (!set_has[k]) continue;
        const struct tagged *t = btree_set_iter_next(&it);
        kassert(t != NULL && in_heap(t, sizeof *t) && t->k == k && t->tag == set_tag[k]);
    }
    kassert(btree_set_iter_next(&it) == NULL);
    int first = 0, last = SET_KEYS - 1;
    while (!set_has[first]) first++;
    while (!set_has[last]) last--;
    kassert_eq(((const struct tagged *)btree_set_first(&s))->k, first);
    kassert_eq(((const struct tagged *)btree_set_last(&s))->k, last);
    for (int i = 0; i < 400; i++) {
        int k = (int)(rng() % SET_KEYS);
        struct tagged out = {-1, -1};
        kassert_eq(btree_set_remove(&s, &(struct tagged){k, -2}, &out), set_has[k]);
        if (set_has[k]) kassert(out.k == k && out.tag == set_tag[k]);
        n -= set_has[k];
        set_has[k] = false;
        kassert(!btree_set_contains(&s, &(struct tagged){k, 0}));
    }
    kassert(btree_set_len(&s) == n && btree_set_check(&s) == 0);
    drop_prev = -1, entry_drops = 0;
    btree_set_free(&s, set_drop);
    kassert(entry_drops == n && btree_set_len(&s) == 0);
    assert_heap_back_to(used0);
}
