/* lib/page_table_fmt.c: page-table entries as the x86_64 crate's Debug
 * prints them in the blog's post 9. */
#include <string.h>

#include "support.h"
#include "kiln/page_table_fmt.h"

static void an_entry_as_post_9_prints_it(void **state)
{
    (void)state;
    char buf[160];
    size_t n = page_table_entry_format(0x2000 | 0x1 | 0x2 | 0x20, buf, sizeof buf);
    assert_string_equal(
        buf, "PageTableEntry { addr: PhysAddr(0x2000), flags: PageTableFlags(PRESENT | WRITABLE | "
             "ACCESSED) }");
    assert_int_equal(n, strlen(buf));
}

static void every_flag_has_the_crates_name(void **state)
{
    (void)state;
    char buf[400];
    page_table_flags_format(~0ull, buf, sizeof buf);
    assert_string_equal(buf,
                        "PageTableFlags(PRESENT | WRITABLE | USER_ACCESSIBLE | WRITE_THROUGH | "
                        "NO_CACHE | ACCESSED | DIRTY | HUGE_PAGE | GLOBAL | BIT_9 | BIT_10 | "
                        "BIT_11 | BIT_52 | BIT_53 | BIT_54 | BIT_55 | BIT_56 | BIT_57 | "
                        "BIT_58 | BIT_59 | BIT_60 | BIT_61 | BIT_62 | NO_EXECUTE)");
    page_table_flags_format(0x1ull | 0x80 | (1ull << 63), buf, sizeof buf);
    assert_string_equal(buf, "PageTableFlags(PRESENT | HUGE_PAGE | NO_EXECUTE)");
}

static void the_address_bits_are_not_flags(void **state)
{
    (void)state;
    char buf[160];
    page_table_flags_format(0x000ffffffffff000ull, buf, sizeof buf);
    assert_string_equal(buf, "PageTableFlags(0x0)");
    page_table_entry_format(0x000ffffffffff000ull | (1ull << 63) | 1, buf, sizeof buf);
    assert_string_equal(buf, "PageTableEntry { addr: PhysAddr(0xffffffffff000), flags: "
                             "PageTableFlags(PRESENT | NO_EXECUTE) }");
    page_table_entry_format(0, buf, sizeof buf);
    assert_string_equal(buf, "PageTableEntry { addr: PhysAddr(0x0), flags: PageTableFlags(0x0) }");
}

/* snprintf-style: a short buffer gets a truncated, terminated prefix, and the
 * return value is the full length. */
static void a_short_buffer_truncates(void **state)
{
    (void)state;
    char full[160], small[20];
    uint64_t e = 0x1234000 | 0x3 | (1ull << 63);
    size_t n = page_table_entry_format(e, full, sizeof full);
    memset(small, 'x', sizeof small);
    assert_int_equal(page_table_entry_format(e, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    for (size_t size = 1; size < sizeof full; size++) {
        char b[160];
        assert_int_equal(page_table_entry_format(e, b, size), n);
        assert_int_equal(strlen(b), size - 1 < n ? size - 1 : n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_entry_as_post_9_prints_it),
        cmocka_unit_test(every_flag_has_the_crates_name),
        cmocka_unit_test(the_address_bits_are_not_flags),
        cmocka_unit_test(a_short_buffer_truncates),
    };
    return RUN_TESTS(tests);
}
