/* The assertion macros of kiln/panic.h: what they report when they fail. */
#include <string.h>

#include "support.h"
#include "kiln/panic.h"

static void kassert_names_the_expression(void **state)
{
    (void)state;
    int ready = 0;
    kassert(ready == 0);
    EXPECT_PANIC(kassert(ready == 1), "assertion failed: ready == 1");
}

static void kassert_eq_prints_both_values(void **state)
{
    (void)state;
    kassert_eq(2 + 2, 4);
    EXPECT_PANIC(kassert_eq(2 + 2, 5), "assertion `left == right` failed: 2 + 2 == 5");
    EXPECT_PANIC(kassert_eq(2 + 2, 5), "left: 4 (0x4)");
    EXPECT_PANIC(kassert_eq(-1, 7), "left: -1");
    EXPECT_PANIC(kassert_eq(-1, 7), "right: 7 (0x7)");
}

static void panic_names_file_and_line(void **state)
{
    (void)state;
    EXPECT_PANIC(panic("boom %d", 42), "panicked at tests/host/test_panic.c:");
    EXPECT_PANIC(panic("boom %d", 42), ": boom 42");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kassert_names_the_expression),
        cmocka_unit_test(kassert_eq_prints_both_values),
        cmocka_unit_test(panic_names_file_and_line),
    };
    return RUN_TESTS(tests);
}
