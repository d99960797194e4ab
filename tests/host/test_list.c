/* list: the intrusive list (order, removal while iterating, corruption
 * checks) and the owning linked list against a reference array. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/box.h"
#include "kiln/list.h"

struct item {
    int value;
    struct list_node node; /* not first: container_of must subtract */
};

/* The values of the intrusive list at head, front to back, into out. */
static size_t values(struct list_node *head, int *out)
{
    size_t n = 0;
    list_for_each (pos, head) out[n++] = list_entry(pos, struct item, node)->value;
    return n;
}

static void test_intrusive_order_and_remove(void **state)
{
    (void)state;
    struct list_node head = LIST_HEAD_INIT(head);
    assert_true(list_empty(&head));
    assert_null(list_first(&head));
    assert_null(list_last(&head));
    struct item it[6];
    for (int i = 0; i < 6; i++) it[i].value = i;
    list_push_back(&head, &it[2].node);
    list_push_back(&head, &it[3].node);
    list_push_front(&head, &it[1].node);
    list_push_front(&head, &it[0].node);
    list_push_back(&head, &it[4].node);
    list_push_back(&head, &it[5].node);
    int got[6];
    assert_int_equal(values(&head, got), 6);
    for (int i = 0; i < 6; i++) assert_int_equal(got[i], i);
    assert_ptr_equal(container_of(list_first(&head), struct item, node), &it[0]);
    assert_ptr_equal(container_of(list_last(&head), struct item, node), &it[5]);
    list_remove(&it[3].node);
    assert_null(it[3].node.next);
    list_for_each_safe (pos, &head) /* remove the even ones while walking */
    {
        if (list_entry(pos, struct item, node)->value % 2 == 0) list_remove(pos);
    }
    assert_int_equal(values(&head, got), 2);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 5);
    list_for_each_safe (pos, &head) list_remove(pos);
    assert_true(list_empty(&head));
    list_init(&head);
    assert_true(list_empty(&head));
}

static void test_intrusive_misuse_panics(void **state)
{
    (void)state;
    struct list_node head;
    list_init(&head);
    struct item a = {1, {0}}, b = {2, {0}}, c = {3, {0}};
    list_push_back(&head, &a.node);
    list_push_back(&head, &b.node);
    list_remove(&a.node);
    EXPECT_PANIC(list_remove(&a.node), "list_remove: node");
    EXPECT_PANIC(list_remove(&a.node), "is not on a list");
    struct list_node *saved = b.node.prev;
    b.node.prev = &c.node; /* a corrupted back pointer */
    EXPECT_PANIC(list_remove(&b.node), "list_remove: corrupt list around node");
    b.node.prev = saved;
    b.node.next = &c.node; /* a corrupted forward pointer */
    EXPECT_PANIC(list_push_back(&head, &c.node), "list: corrupt list");
    b.node.next = &head;
    list_remove(&b.node);
    assert_true(list_empty(&head));
}

/* A reference double-ended sequence: ref[lo..hi). */
#define REF_CAP 4096
static uint32_t ref[REF_CAP];
static size_t lo, hi;

static void compare(struct owned_list *l)
{
    assert_int_equal(owned_list_len(l), hi - lo);
    size_t i = lo;
    OWNED_LIST_FOR_EACH (l, uint32_t, it) assert_int_equal(*it, ref[i++]);
    assert_int_equal(i, hi);
    i = hi; /* and backwards */
    for (uint32_t *it = owned_list_back(l); it; it = owned_list_prev(l, it))
        assert_int_equal(*it, ref[--i]);
    assert_int_equal(i, lo);
    if (hi > lo) {
        assert_int_equal(*(uint32_t *)owned_list_front(l), ref[lo]);
        assert_int_equal(*(uint32_t *)owned_list_back(l), ref[hi - 1]);
    } else {
        assert_null(owned_list_front(l));
        assert_null(owned_list_back(l));
    }
    assert_int_equal(host_alloc_live(), hi - lo); /* one block per element */
}

static void test_owning_random_against_reference(void **state)
{
    (void)state;
    host_alloc_install();
    rng_state = 0xfeedface;
    lo = hi = REF_CAP / 2;
    struct owned_list l;
    OWNED_LIST_INIT(&l, uint32_t);
    for (int step = 0; step < 6000; step++) {
        uint32_t x = (uint32_t)rnd(), out = 0;
        switch (rnd() % 4) {
        case 0:
            if (hi == REF_CAP) break;
            OWNED_LIST_PUSH_BACK(&l, uint32_t, x);
            ref[hi++] = x;
            break;
        case 1:
            if (lo == 0) break;
            OWNED_LIST_PUSH_FRONT(&l, uint32_t, x);
            ref[--lo] = x;
            break;
        case 2:
            assert_int_equal(owned_list_pop_back(&l, &out), hi > lo);
            if (hi > lo) assert_int_equal(out, ref[--hi]);
            break;
        case 3:
            assert_int_equal(owned_list_pop_front(&l, &out), hi > lo);
            if (hi > lo) assert_int_equal(out, ref[lo++]);
            break;
        }
        if (step % 16 == 0 || hi - lo < 4) compare(&l);
    }
    compare(&l);
    owned_list_free(&l, NULL);
    assert_int_equal(owned_list_len(&l), 0);
    assert_true(list_empty(&l.head));
    NO_LEAKS();
    uint32_t out = 5;
    assert_false(owned_list_pop_front(&l, &out));
    assert_false(owned_list_pop_back(&l, NULL));
    assert_int_equal(out, 5);
}

static int drops;
static void drop_boxed(void *elem)
{
    int **b = elem;
    assert_int_equal(**b, drops); /* front to back */
    drops++;
    BOX_FREE(*b);
}

static void test_free_runs_destructor_once_each(void **state)
{
    (void)state;
    host_alloc_install();
    struct owned_list l;
    OWNED_LIST_INIT(&l, int *);
    for (int i = 0; i < 100; i++) OWNED_LIST_PUSH_BACK(&l, int *, BOX_NEW(int, i));
    assert_int_equal(host_alloc_live(), 200);
    drops = 0;
    owned_list_free(&l, drop_boxed);
    assert_int_equal(drops, 100);
    NO_LEAKS();
    owned_list_free(&l, drop_boxed); /* an empty list: nothing more */
    assert_int_equal(drops, 100);
}

struct wide {
    _Alignas(64) char tag;
};

static void test_alignment_oom_and_type_check(void **state)
{
    (void)state;
    host_alloc_install();
    struct owned_list l;
    OWNED_LIST_INIT(&l, struct wide);
    assert_int_equal(l.value_offset, 64);
    for (char c = 'a'; c < 'k'; c++) OWNED_LIST_PUSH_FRONT(&l, struct wide, {c});
    char want = 'j';
    OWNED_LIST_FOR_EACH (&l, struct wide, it) {
        assert_int_equal((uintptr_t)it % 64, 0);
        assert_int_equal(it->tag, want--);
    }
    host_alloc_fail_after(0);
    struct wide w = {'z'};
    assert_int_equal(try_owned_list_push_back(&l, &w), COLL_ALLOC_FAILED);
    assert_int_equal(try_owned_list_push_front(&l, &w), COLL_ALLOC_FAILED);
    EXPECT_PANIC(owned_list_push_back(&l, &w), "allocation error: Layout { size: 128, align: 64 }");
    assert_int_equal(owned_list_len(&l), 10);
    assert_int_equal(((struct wide *)owned_list_front(&l))->tag, 'j');
    assert_int_equal(((struct wide *)owned_list_back(&l))->tag, 'a');
    host_alloc_fail_after(SIZE_MAX);
    assert_int_equal(try_owned_list_push_back(&l, &w), COLL_OK);
    assert_int_equal(((struct wide *)owned_list_back(&l))->tag, 'z');
    EXPECT_PANIC(OWNED_LIST_PUSH_BACK(&l, int, 1), "a 4-byte type used on a list of 64-byte");
    EXPECT_PANIC(owned_list_init(&l, 0, 1), "element size 0");
    owned_list_free(&l, NULL);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intrusive_order_and_remove),
        cmocka_unit_test(test_intrusive_misuse_panics),
        cmocka_unit_test(test_owning_random_against_reference),
        cmocka_unit_test(test_free_runs_destructor_once_each),
        cmocka_unit_test(test_alignment_oom_and_type_check),
    };
    return RUN_TESTS(tests);
}
