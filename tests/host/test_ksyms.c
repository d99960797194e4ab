/* Host tests of lib/ksyms.c: symbol and line lookup over a hand-built table
 * shaped as tools/ksyms.sh generates it. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/ksyms.h"

#define BASE 0xffffffff80101000ull

/* names: "alpha\0beta\0gamma\0a.c\0b.h\0" */
static const char names[] = "alpha\0beta\0gamma\0a.c\0b.h";
static const struct ksym_func funcs[] = {
    {BASE + 0x00, 0x10, 0},  /* alpha [0x00, 0x10) */
    {BASE + 0x20, 0x30, 6},  /* beta  [0x20, 0x50): a gap before it */
    {BASE + 0x50, 0x08, 11}, /* gamma [0x50, 0x58) */
};
static const uint32_t files[] = {17, 21};
static const struct ksym_line lines[] = {
    {0x00, 0, 10}, {0x08, 0, 11}, {0x20, 0, 20}, {0x30, 1, 5}, {0x50, 0, 40},
};
static const struct ksym_table table = {funcs, 3, lines, 5, BASE, files, 2, names};

static void finds_function_offset_and_line(void **state)
{
    (void)state;
    struct ksym_where w = ksym_lookup(&table, BASE + 0x0c);
    assert_string_equal(w.function, "alpha");
    assert_int_equal(w.offset, 0x0c);
    assert_string_equal(w.file, "a.c");
    assert_int_equal(w.line, 11);
    w = ksym_lookup(&table, BASE + 0x34); /* an inlined header line inside beta */
    assert_string_equal(w.function, "beta");
    assert_int_equal(w.offset, 0x14);
    assert_string_equal(w.file, "b.h");
    assert_int_equal(w.line, 5);
}

static void first_and_last_bytes_of_each_function(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(ksym_lookup(&table, funcs[i].addr).function, names + funcs[i].name);
        struct ksym_where w = ksym_lookup(&table, funcs[i].addr + funcs[i].size - 1);
        assert_string_equal(w.function, names + funcs[i].name);
        assert_int_equal(w.offset, funcs[i].size - 1);
    }
}

static void gaps_and_outside_addresses_find_nothing(void **state)
{
    (void)state;
    uint64_t outside[] = {0, BASE - 1, BASE + 0x10, BASE + 0x1f, BASE + 0x58, UINT64_MAX};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        struct ksym_where w = ksym_lookup(&table, outside[i]);
        assert_null(w.function);
        assert_null(w.file);
    }
    assert_null(ksym_lookup(NULL, BASE).function);
    struct ksym_table empty = {0};
    assert_null(ksym_lookup(&empty, BASE).function);
}

static void formats_as_function_offset_file_line(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(ksym_format(&table, BASE + 0x22, buf, sizeof buf),
                     (int)strlen("beta+0x2 (a.c:20)"));
    assert_string_equal(buf, "beta+0x2 (a.c:20)");
    ksym_format(&table, BASE + 0x1f, buf, sizeof buf);
    assert_string_equal(buf, "0xffffffff8010101f");
    struct ksym_table no_lines = table;
    no_lines.line_count = 0;
    ksym_format(&no_lines, BASE + 0x51, buf, sizeof buf);
    assert_string_equal(buf, "gamma+0x1");
    /* Truncation keeps a NUL-terminated prefix and reports the whole length. */
    assert_int_equal(ksym_format(&table, BASE + 0x22, buf, 5), (int)strlen("beta+0x2 (a.c:20)"));
    assert_string_equal(buf, "beta");
}

static void agrees_with_a_linear_scan_everywhere(void **state)
{
    (void)state;
    for (uint64_t a = BASE - 4; a < BASE + 0x60; a++) {
        const char *want = NULL;
        for (size_t i = 0; i < 3; i++)
            if (a >= funcs[i].addr && a < funcs[i].addr + funcs[i].size)
                want = names + funcs[i].name;
        struct ksym_where w = ksym_lookup(&table, a);
        if (!want) {
            assert_null(w.function);
            continue;
        }
        assert_string_equal(w.function, want);
        unsigned line = 0;
        for (size_t i = 0; i < 5; i++)
            if (BASE + lines[i].addr <= a) line = lines[i].line;
        assert_int_equal(w.line, line);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_function_offset_and_line),
        cmocka_unit_test(first_and_last_bytes_of_each_function),
        cmocka_unit_test(gaps_and_outside_addresses_find_nothing),
        cmocka_unit_test(formats_as_function_offset_file_line),
        cmocka_unit_test(agrees_with_a_linear_scan_everywhere),
    };
    return RUN_TESTS(tests);
}
