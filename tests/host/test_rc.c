/* rc: counts, the destructor exactly once, layout and alignment, misuse, OOM,
 * and the blog's reference-counting demo. */
#include <stdint.h>
#include <string.h>

#include "support.h"
#include "kiln/rc.h"
#include "kiln/str.h"
#include "kiln/vec.h"

static int drops;
static const void *dropped;
static void count_drop(void *value)
{
    drops++;
    dropped = value;
}

static void vec_drop(void *value)
{
    vec_free(value);
}

struct wide {
    _Alignas(128) uint32_t word;
};

static void test_clone_and_drop(void **state)
{
    (void)state;
    host_alloc_install();
    drops = 0;
    int *a = RC_NEW(int, count_drop, 7);
    assert_int_equal(*a, 7);
    assert_int_equal(rc_strong_count(a), 1);
    int *b = rc_clone(a), *c = rc_clone(b);
    assert_ptr_equal(a, b);
    assert_ptr_equal(b, c);
    assert_int_equal(rc_strong_count(c), 3);
    *b = 8; /* one value, three handles */
    assert_int_equal(*c, 8);
    assert_false(rc_drop(a));
    assert_false(rc_drop(c));
    assert_int_equal(rc_strong_count(b), 1);
    assert_int_equal(drops, 0);
    assert_int_equal(host_alloc_live(), 1);
    assert_true(rc_drop(b));
    assert_int_equal(drops, 1);
    assert_ptr_equal(dropped, b);
    NO_LEAKS();
    int *n = RC_NEW(int, NULL, 1); /* no destructor */
    assert_true(rc_drop(n));
    NO_LEAKS();
}

/* Rust's alloc crate demo in the blog's "Heap Allocation" post. */
static void test_blog_demo(void **state)
{
    (void)state;
    host_alloc_install();
    struct vec v = VEC_NEW(int);
    for (int i = 1; i <= 3; i++) VEC_PUSH(&v, int, i);
    struct vec *reference_counted = RC_NEW(struct vec, vec_drop, v);
    struct vec *cloned_reference = rc_clone(reference_counted);
    struct str s = kformat("current reference count is %zu", rc_strong_count(cloned_reference));
    assert_string_equal(str_as_cstr(&s), "current reference count is 2");
    str_free(&s);
    rc_drop(reference_counted);
    s = kformat("reference count is %zu now", rc_strong_count(cloned_reference));
    assert_string_equal(str_as_cstr(&s), "reference count is 1 now");
    str_free(&s);
    assert_int_equal(VEC_AT(cloned_reference, int, 2), 3);
    assert_int_equal(host_alloc_live(), 2); /* the rc block and the vec's buffer */
    assert_true(rc_drop(cloned_reference));
    NO_LEAKS(); /* the destructor freed the vec's buffer */
}

static void test_alignment(void **state)
{
    (void)state;
    host_alloc_install();
    for (int i = 0; i < 8; i++) {
        struct wide *w = RC_NEW(struct wide, NULL, {(uint32_t)i});
        char *c = RC_NEW(char, NULL, 'a');
        assert_int_equal((uintptr_t)w % 128, 0);
        assert_int_equal(w->word, i);
        assert_int_equal(rc_strong_count(w), 1);
        assert_int_equal(*c, 'a');
        assert_true(rc_drop(c));
        assert_true(rc_drop(w));
    }
    /* a raw layout: 3 bytes aligned to 1 */
    char *r = rc_new("abc", (struct layout){3, 1}, NULL);
    assert_memory_equal(r, "abc", 3);
    rc_drop(r);
    NO_LEAKS();
}

static void test_misuse_panics(void **state)
{
    (void)state;
    host_alloc_install();
    _Alignas(16) unsigned char fake[256] = {0};
    EXPECT_PANIC(rc_clone(NULL), "rc_clone: NULL is not an rc value");
    EXPECT_PANIC(rc_strong_count(fake + 128), "is not a live rc value");
    EXPECT_PANIC(rc_drop(fake + 128), "rc_drop:");
    EXPECT_PANIC(rc_new("x", (struct layout){1, 3}, NULL), "rc_new: invalid layout {1, 3}");
    assert_null(try_rc_new("x", (struct layout){1, 3}, NULL));
    assert_null(try_rc_new("x", (struct layout){SIZE_MAX - 8, 8}, NULL));
    EXPECT_PANIC(rc_new("x", (struct layout){PTRDIFF_MAX, 1}, NULL), "overflows a layout");
    NO_LEAKS();
}

static void test_oom(void **state)
{
    (void)state;
    host_alloc_install();
    drops = 0;
    host_alloc_fail_after(0);
    assert_null(TRY_RC_NEW(int, count_drop, 1));
    EXPECT_PANIC(RC_NEW(int, count_drop, 1), "allocation error");
    assert_int_equal(drops, 0); /* nothing was made, nothing is dropped */
    host_alloc_fail_after(SIZE_MAX);
    int *a = TRY_RC_NEW(int, count_drop, 1);
    assert_non_null(a);
    assert_true(rc_drop(a));
    assert_int_equal(drops, 1);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clone_and_drop),
        cmocka_unit_test(test_blog_demo),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_misuse_panics),
        cmocka_unit_test(test_oom),
    };
    return RUN_TESTS(tests);
}
