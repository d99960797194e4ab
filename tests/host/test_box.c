/* box: typed construction, alignment, OOM, and the blog's heap tests. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/box.h"

struct point {
    int x, y;
};

struct wide {
    _Alignas(64) unsigned char bytes[64];
};

static void test_new_and_free(void **state)
{
    (void)state;
    host_alloc_install();
    int *i = BOX_NEW(int, 41 + 1);
    struct point *p = BOX_NEW(struct point, {1, 2});
    struct point *q = BOX_NEW(struct point, *p);
    assert_int_equal(*i, 42);
    assert_int_equal(p->x, 1);
    assert_int_equal(p->y, 2);
    assert_ptr_not_equal(p, q);
    assert_memory_equal(p, q, sizeof *p);
    assert_int_equal(host_alloc_live(), 3);
    BOX_FREE(i); /* the host allocator checks the layout given back */
    BOX_FREE(p);
    BOX_FREE(q);
    struct point *none = NULL;
    BOX_FREE(none); /* dropping None */
    NO_LEAKS();
}

static void test_alignment(void **state)
{
    (void)state;
    host_alloc_install();
    for (int k = 0; k < 16; k++) {
        struct wide *w = BOX_NEW(struct wide, {{(unsigned char)k}});
        assert_int_equal((uintptr_t)w % 64, 0);
        assert_int_equal(w->bytes[0], k);
        BOX_FREE(w);
    }
    char *c = BOX_NEW(char, 'c');
    assert_int_equal(*c, 'c');
    BOX_FREE(c);
    NO_LEAKS();
}

static void test_oom(void **state)
{
    (void)state;
    host_alloc_install();
    host_alloc_fail_after(0);
    assert_null(TRY_BOX_NEW(uint64_t, 1));
    EXPECT_PANIC(BOX_NEW(uint64_t, 1), "allocation error: Layout { size: 8, align: 8 }");
    assert_null(try_box_new("x", (struct layout){1, 3})); /* an invalid layout */
    host_alloc_fail_after(1);
    uint64_t *a = TRY_BOX_NEW(uint64_t, 5);
    assert_non_null(a);
    assert_null(TRY_BOX_NEW(uint64_t, 6));
    assert_int_equal(*a, 5);
    BOX_FREE(a);
    NO_LEAKS();
}

/* The blog's tests/heap_allocation.rs: simple_allocation, many_boxes,
 * many_boxes_long_lived. */
static void test_blog_heap_allocation(void **state)
{
    (void)state;
    host_alloc_install();
    uint64_t *x = BOX_NEW(uint64_t, 41), *y = BOX_NEW(uint64_t, 13);
    assert_int_equal(*x, 41);
    assert_int_equal(*y, 13);
    BOX_FREE(x);
    BOX_FREE(y);
    uint64_t *long_lived = BOX_NEW(uint64_t, 1);
    for (uint64_t i = 0; i < 100000; i++) {
        uint64_t *b = BOX_NEW(uint64_t, i);
        assert_int_equal(*b, i);
        BOX_FREE(b);
    }
    assert_int_equal(*long_lived, 1);
    BOX_FREE(long_lived);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_free),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_oom),
        cmocka_unit_test(test_blog_heap_allocation),
    };
    return RUN_TESTS(tests);
}
