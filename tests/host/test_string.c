/* Host tests of lib/string.c: kiln's copies, built as kiln_memcpy & co.
 * (string_rename.h), against the C library on every small size, alignment
 * and overlap. Buffers are sized exactly where it matters, so AddressSanitizer
 * reports any byte read or written past the end. */

/* kiln's declarations under the kiln_ names, then the C library's own. */
#include "string_rename.h"
#include "kiln/string.h"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strstr

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define MAX_OFF 16
#define MAX_LEN 300

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Fill n bytes with a pattern that differs at every offset and per seed. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 31 + seed * 17 + 1);
}

static void memcpy_matches_libc_at_every_offset_and_length(void **state)
{
    (void)state;
    for (size_t so = 0; so <= MAX_OFF; so++)
        for (size_t dof = 0; dof <= MAX_OFF; dof++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                /* Exact sizes: ASan sees one byte too many at either end. */
                unsigned char *src = malloc(so + n + 1);
                unsigned char *got = malloc(dof + n + 1);
                unsigned char *want = malloc(dof + n + 1);
                fill(src, so + n + 1, 1);
                fill(got, dof + n + 1, 2);
                fill(want, dof + n + 1, 2);
                void *r = kiln_memcpy(got + dof, src + so, n);
                memcpy(want + dof, src + so, n);
                assert_ptr_equal(r, got + dof);
                if (memcmp(got, want, dof + n + 1) != 0)
                    fail_msg("memcpy src+%zu dst+%zu len %zu differs", so, dof, n);
                free(src), free(got), free(want);
            }
}

static void memmove_handles_overlap_both_ways(void **state)
{
    (void)state;
    enum { SIZE = 2 * MAX_OFF + MAX_LEN + 8 };
    unsigned char got[SIZE], want[SIZE];
    for (size_t so = 0; so <= 2 * MAX_OFF; so++)
        for (size_t dof = 0; dof <= 2 * MAX_OFF; dof++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                fill(got, SIZE, (unsigned)n);
                fill(want, SIZE, (unsigned)n);
                void *r = kiln_memmove(got + dof, got + so, n);
                memmove(want + dof, want + so, n);
                assert_ptr_equal(r, got + dof);
                if (memcmp(got, want, SIZE) != 0)
                    fail_msg("memmove src+%zu dst+%zu len %zu differs", so, dof, n);
            }
}

static void memmove_across_distant_overlaps(void **state)
{
    (void)state;
    /* Distances from 1 to 200 bytes, forwards and backwards, long copies. */
    enum { SIZE = 1200 };
    unsigned char got[SIZE], want[SIZE];
    for (size_t dist = 1; dist <= 200; dist++)
        for (int backward = 0; backward <= 1; backward++)
            for (size_t base = 0; base < 9; base++) {
                size_t n = 900 - base;
                size_t so = backward ? base : base + dist, dof = backward ? base + dist : base;
                fill(got, SIZE, (unsigned)dist);
                fill(want, SIZE, (unsigned)dist);
                kiln_memmove(got + dof, got + so, n);
                memmove(want + dof, want + so, n);
                if (memcmp(got, want, SIZE) != 0)
                    fail_msg("memmove dist %zu backward %d base %zu differs", dist, backward, base);
            }
}

static void memset_matches_libc_and_stays_in_bounds(void **state)
{
    (void)state;
    const int values[] = {0, 0xa5, 0x7f, 0x80, 0xff, 0x1ab /* stores 0xab */, -1, -128};
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
        for (size_t off = 0; off <= MAX_OFF; off++)
            for (size_t n = 0; n <= MAX_LEN; n++) {
                unsigned char *got = malloc(off + n), *want = malloc(off + n + 1);
                fill(got, off + n, 3);
                fill(want, off + n, 3);
                void *r = kiln_memset(got + off, values[v], n);
                memset(want + off, values[v], n);
                assert_ptr_equal(r, got + off);
                if (memcmp(got, want, off + n) != 0)
                    fail_msg("memset %d at +%zu len %zu differs", values[v], off, n);
                free(got), free(want);
            }
}

static void memcmp_sign_matches_libc_for_every_difference(void **state)
{
    (void)state;
    enum { LEN = 72 };
    unsigned char a[LEN + MAX_OFF], b[LEN + MAX_OFF];
    /* Byte pairs whose order differs between signed and unsigned chars too. */
    const unsigned char pairs[][2] = {{1, 2}, {2, 1}, {0x7f, 0x80}, {0x80, 0x7f}, {0, 0xff}};
    for (size_t ao = 0; ao <= MAX_OFF; ao++)
        for (size_t bo = 0; bo <= MAX_OFF; bo += 3)
            for (size_t n = 0; n <= LEN; n++) {
                fill(a + ao, n, 4);
                fill(b + bo, n, 4);
                assert_int_equal(kiln_memcmp(a + ao, b + bo, n), 0);
                for (size_t at = 0; at < n; at++)
                    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
                        unsigned char sa = a[ao + at], sb = b[bo + at];
                        a[ao + at] = pairs[p][0];
                        b[bo + at] = pairs[p][1];
                        int got = kiln_memcmp(a + ao, b + bo, n);
                        int want = memcmp(a + ao, b + bo, n);
                        if (sign(got) != sign(want) || got == 0)
                            fail_msg("memcmp len %zu diff at %zu: %d, libc %d", n, at, got, want);
                        /* Only the first difference counts. */
                        if (at + 1 < n) {
                            b[bo + n - 1] ^= 0x55;
                            assert_int_equal(sign(kiln_memcmp(a + ao, b + bo, n)), sign(want));
                            b[bo + n - 1] ^= 0x55;
                        }
                        a[ao + at] = sa;
                        b[bo + at] = sb;
                    }
            }
}

/* A NUL-terminated copy of s in a heap block of exactly strlen(s)+1 bytes. */
static char *exact(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(malloc(n), s, n);
}

static void strlen_and_strnlen_stop_at_the_terminator(void **state)
{
    (void)state;
    char text[MAX_LEN + 1];
    for (size_t n = 0; n <= MAX_LEN; n++) {
        memset(text, 'x', n);
        text[n] = 0;
        for (size_t off = 0; off <= MAX_OFF && off <= n; off++) {
            char *s = exact(text + off);
            assert_int_equal(kiln_strlen(s), n - off);
            assert_int_equal(kiln_strnlen(s, SIZE_MAX), n - off);
            assert_int_equal(kiln_strnlen(s, n - off + 1), n - off);
            assert_int_equal(kiln_strnlen(s, n - off), n - off);
            if (n - off > 0) assert_int_equal(kiln_strnlen(s, n - off - 1), n - off - 1);
            assert_int_equal(kiln_strnlen(s, 0), 0);
            free(s);
        }
    }
    /* strnlen reads nothing at or past max: no terminator in the block. */
    char *raw = malloc(5);
    memcpy(raw, "abcde", 5);
    assert_int_equal(kiln_strnlen(raw, 5), 5);
    assert_int_equal(kiln_strnlen(raw, 3), 3);
    free(raw);
    assert_int_equal(kiln_strlen("\xff\x80"), 2);
}

static void strcmp_and_strncmp_match_libc(void **state)
{
    (void)state;
    const char *const words[] = {"",      "a",        "b",       "ab",         "abc",
                                 "abd",   "abcd",     "ABC",     "\x7f",       "\x80",
                                 "\xff",  "a\xff",    "a\x01",   "hello",      "hello world",
                                 "hellp", "hello\t!", "zzzzzzz", "0123456789", "012345678"};
    const size_t count = sizeof words / sizeof words[0];
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < count; j++) {
            char *a = exact(words[i]), *b = exact(words[j]);
            if (sign(kiln_strcmp(a, b)) != sign(strcmp(a, b)))
                fail_msg("strcmp(\"%s\", \"%s\") = %d, libc %d", a, b, kiln_strcmp(a, b),
                         strcmp(a, b));
            for (size_t n = 0; n <= 14; n++)
                if (sign(kiln_strncmp(a, b, n)) != sign(strncmp(a, b, n)))
                    fail_msg("strncmp(\"%s\", \"%s\", %zu) = %d, libc %d", a, b, n,
                             kiln_strncmp(a, b, n), strncmp(a, b, n));
            assert_int_equal(kiln_strncmp(a, b, SIZE_MAX) == 0, strcmp(a, b) == 0);
            free(a), free(b);
        }
    assert_int_equal(kiln_strcmp("same", "same"), 0);
    assert_true(kiln_strcmp("\x80", "\x7f") > 0); /* bytes compare unsigned */
    assert_true(kiln_strncmp("abcX", "abcY", 4) < 0);
    assert_int_equal(kiln_strncmp("abcX", "abcY", 3), 0);
    assert_int_equal(kiln_strncmp("x", "y", 0), 0);
}

static void strchr_finds_first_match_and_the_terminator(void **state)
{
    (void)state;
    char *s = exact("kiln: a small \xe9kernel, kiln!");
    size_t n = strlen(s);
    for (int c = -128; c < 256 + 8; c++)
        if (kiln_strchr(s, c) != strchr(s, c))
            fail_msg("strchr(s, %d) = %p, libc %p", c, (void *)kiln_strchr(s, c),
                     (void *)strchr(s, c));
    assert_ptr_equal(kiln_strchr(s, 'k'), s);
    assert_ptr_equal(kiln_strchr(s, '!'), s + n - 1);
    assert_ptr_equal(kiln_strchr(s, 0), s + n);
    assert_ptr_equal(kiln_strchr(s, 0x100), s + n); /* (char)0x100 == 0 */
    assert_ptr_equal(kiln_strchr(s, 0x100 + 'a'), strchr(s, 'a'));
    assert_ptr_equal(kiln_strchr(s, 0xe9), strchr(s, 0xe9));
    assert_non_null(kiln_strchr(s, 0xe9));
    assert_ptr_equal(kiln_strchr(s, (char)0xe9), kiln_strchr(s, 0xe9));
    assert_null(kiln_strchr(s, 'Q'));
    free(s);
    char *empty = exact("");
    assert_ptr_equal(kiln_strchr(empty, 0), empty);
    assert_null(kiln_strchr(empty, 'a'));
    free(empty);
}

static void strstr_matches_libc(void **state)
{
    (void)state;
    static const char *const hay[] = {"", "a", "kiln", "kikiln", "aaaab", "double free at 0x10"};
    static const char *const pins[] = {"", "a", "k", "kiln", "iln", "aab", "free", "x", "kilnx"};
    for (size_t i = 0; i < sizeof hay / sizeof hay[0]; i++)
        for (size_t j = 0; j < sizeof pins / sizeof pins[0]; j++) {
            char *h = exact(hay[i]), *n = exact(pins[j]);
            char *want = strstr(h, n);
            if (kiln_strstr(h, n) != want)
                fail_msg("strstr(\"%s\", \"%s\") = %p, libc %p", h, n, (void *)kiln_strstr(h, n),
                         (void *)want);
            free(h), free(n);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memcpy_matches_libc_at_every_offset_and_length),
        cmocka_unit_test(memmove_handles_overlap_both_ways),
        cmocka_unit_test(memmove_across_distant_overlaps),
        cmocka_unit_test(memset_matches_libc_and_stays_in_bounds),
        cmocka_unit_test(memcmp_sign_matches_libc_for_every_difference),
        cmocka_unit_test(strlen_and_strnlen_stop_at_the_terminator),
        cmocka_unit_test(strcmp_and_strncmp_match_libc),
        cmocka_unit_test(strchr_finds_first_match_and_the_terminator),
        cmocka_unit_test(strstr_matches_libc),
    };
    return RUN_TESTS(tests);
}
