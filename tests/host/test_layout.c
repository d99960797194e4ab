/* Layouts: the checked constructor and its rejections. */
#include <string.h>

#include "support.h"
#include "kiln/alloc.h"

struct layout_case {
    size_t size, align;
    enum layout_error want;
};

static const struct layout_case cases[] = {
    {0, 1, LAYOUT_OK},
    {1, 1, LAYOUT_OK},
    {24, 8, LAYOUT_OK},
    {4096, 4096, LAYOUT_OK},
    {0, (size_t)1 << 63, LAYOUT_OK},
    {SIZE_MAX, 1, LAYOUT_OK},
    {SIZE_MAX - 7, 8, LAYOUT_OK},
    {8, 0, LAYOUT_ALIGN_ZERO},
    {0, 0, LAYOUT_ALIGN_ZERO},
    {8, 3, LAYOUT_ALIGN_NOT_POWER_OF_TWO},
    {8, 12, LAYOUT_ALIGN_NOT_POWER_OF_TWO},
    {8, SIZE_MAX, LAYOUT_ALIGN_NOT_POWER_OF_TWO},
    {SIZE_MAX - 6, 8, LAYOUT_SIZE_OVERFLOW},
    {SIZE_MAX, 2, LAYOUT_SIZE_OVERFLOW},
    {1, (size_t)1 << 63, LAYOUT_OK},
    {((size_t)1 << 63) + 1, (size_t)1 << 63, LAYOUT_SIZE_OVERFLOW},
};

static void test_layout_new_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct layout_case *c = &cases[i];
        struct layout out = {12345, 678};
        enum layout_error e = layout_new(c->size, c->align, &out);
        if (e != c->want)
            fail_msg("case %zu {%zu, %zu}: got %s, want %s", i, c->size, c->align,
                     layout_error_name(e), layout_error_name(c->want));
        assert_int_equal(layout_check((struct layout){c->size, c->align}), c->want);
        if (e == LAYOUT_OK) {
            assert_int_equal(out.size, c->size);
            assert_int_equal(out.align, c->align);
        } else { /* untouched on an error */
            assert_int_equal(out.size, 12345);
            assert_int_equal(out.align, 678);
        }
    }
}

static void test_layout_array(void **state)
{
    (void)state;
    struct layout out = {0, 0};
    assert_int_equal(layout_array(24, 8, 1000, &out), LAYOUT_OK);
    assert_int_equal(out.size, 24000);
    assert_int_equal(out.align, 8);
    assert_int_equal(layout_array(0, 8, SIZE_MAX, &out), LAYOUT_OK);
    assert_int_equal(out.size, 0);
    assert_int_equal(layout_array(8, 8, 0, &out), LAYOUT_OK);
    assert_int_equal(out.size, 0);
    out = (struct layout){1, 1};
    assert_int_equal(layout_array(16, 8, SIZE_MAX / 8, &out), LAYOUT_SIZE_OVERFLOW);
    assert_int_equal(layout_array(2, 1, SIZE_MAX / 2 + 1, &out), LAYOUT_SIZE_OVERFLOW);
    /* the product fits, the padding does not */
    assert_int_equal(layout_array(1, 16, SIZE_MAX - 3, &out), LAYOUT_SIZE_OVERFLOW);
    assert_int_equal(layout_array(8, 0, 1, &out), LAYOUT_ALIGN_ZERO);
    assert_int_equal(layout_array(SIZE_MAX, 6, SIZE_MAX, &out), LAYOUT_ALIGN_NOT_POWER_OF_TWO);
    assert_int_equal(out.size, 1); /* untouched on every error */
    assert_int_equal(out.align, 1);
}

static void test_layout_for_and_names(void **state)
{
    (void)state;
    struct layout l = layout_for(uint64_t);
    assert_int_equal(l.size, 8);
    assert_int_equal(l.align, _Alignof(uint64_t));
    assert_string_equal(layout_error_name(LAYOUT_OK), "LAYOUT_OK");
    assert_string_equal(layout_error_name(LAYOUT_ALIGN_ZERO), "LAYOUT_ALIGN_ZERO");
    assert_string_equal(layout_error_name(LAYOUT_ALIGN_NOT_POWER_OF_TWO),
                        "LAYOUT_ALIGN_NOT_POWER_OF_TWO");
    assert_string_equal(layout_error_name(LAYOUT_SIZE_OVERFLOW), "LAYOUT_SIZE_OVERFLOW");
    assert_string_equal(layout_error_name((enum layout_error)99), "LAYOUT_?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_new_table),
        cmocka_unit_test(test_layout_array),
        cmocka_unit_test(test_layout_for_and_names),
    };
    return RUN_TESTS(tests);
}
