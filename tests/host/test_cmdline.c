/* Host tests of lib/cmdline.c: the KEY and KEY=VALUE words GRUB passes. */
#include <string.h>

#include "support.h"
#include "kiln/cmdline.h"

static void finds_values_between_other_words(void **state)
{
    (void)state;
    char v[32];
    const char *line = "quiet ktest=heap_allocation::large_vec  demo=heap ktest_verbose=1";
    assert_true(cmdline_get(line, "ktest", v, sizeof v));
    assert_string_equal(v, "heap_allocation::large_vec");
    assert_true(cmdline_get(line, "demo", v, sizeof v));
    assert_string_equal(v, "heap");
    assert_true(cmdline_get(line, "ktest_verbose", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(cmdline_get(line, "quiet", v, sizeof v));
    assert_string_equal(v, "");
}

static void a_prefix_of_a_key_is_not_the_key(void **state)
{
    (void)state;
    char v[8] = "x";
    assert_false(cmdline_get("ktest_verbose=1", "ktest", v, sizeof v));
    assert_false(cmdline_get("ktest=1", "ktest_verbose", v, sizeof v));
    assert_false(cmdline_get("", "ktest", v, sizeof v));
    assert_false(cmdline_get("   ", "ktest", v, sizeof v));
    assert_string_equal(v, "x"); /* untouched when absent */
}

static void the_last_word_wins_and_values_may_hold_equals(void **state)
{
    (void)state;
    char v[16];
    assert_true(cmdline_get("a=1 a=2", "a", v, sizeof v));
    assert_string_equal(v, "2");
    assert_true(cmdline_get("a=x=y", "a", v, sizeof v));
    assert_string_equal(v, "x=y");
}

static void values_are_truncated_to_the_buffer(void **state)
{
    (void)state;
    char v[4];
    assert_true(cmdline_get("k=abcdef", "k", v, sizeof v));
    assert_string_equal(v, "abc");
    assert_true(cmdline_get("k=abcdef", "k", NULL, 0)); /* presence only */
}

static void bad_arguments_panic(void **state)
{
    (void)state;
    char v[4];
    EXPECT_PANIC(cmdline_get(NULL, "k", v, sizeof v), "cmdline_get: NULL command line");
    EXPECT_PANIC(cmdline_get("k", "", v, sizeof v), "empty key");
    EXPECT_PANIC(cmdline_get("k", "k", NULL, 4), "NULL out with size 4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_values_between_other_words),
        cmocka_unit_test(a_prefix_of_a_key_is_not_the_key),
        cmocka_unit_test(the_last_word_wins_and_values_may_hold_equals),
        cmocka_unit_test(values_are_truncated_to_the_buffer),
        cmocka_unit_test(bad_arguments_panic),
    };
    return RUN_TESTS(tests);
}
