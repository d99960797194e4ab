/* str: the NUL invariant through growth, UTF-8 encoding and decoding,
 * kformat against the C library's snprintf, and OOM leaving strings whole. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/str.h"

/* The invariants of kiln/str.h. */
static void check(const struct str *s)
{
    if (s->cap == 0) {
        assert_null(s->buf);
        assert_int_equal(s->len, 0);
    } else {
        assert_true(s->len < s->cap);
        assert_int_equal(s->buf[s->len], '\0');
    }
}

static void test_empty_and_from(void **state)
{
    (void)state;
    host_alloc_install();
    struct str s = str_new();
    check(&s);
    assert_string_equal(str_as_cstr(&s), "");
    assert_int_equal(str_len(&s), 0);
    NO_LEAKS();
    str_clear(&s);
    str_free(&s);
    s = str_from("hello");
    check(&s);
    assert_string_equal(str_as_cstr(&s), "hello");
    assert_int_equal(str_len(&s), 5);
    assert_int_equal(str_capacity(&s), 8); /* the minimum */
    str_push_str(&s, ", world");
    check(&s);
    assert_string_equal(str_as_cstr(&s), "hello, world");
    assert_int_equal(str_capacity(&s), 16);
    str_truncate(&s, 5);
    check(&s);
    assert_string_equal(str_as_cstr(&s), "hello");
    str_append(&s, "\0x", 2); /* a NUL inside: len counts it, the C view stops */
    check(&s);
    assert_int_equal(str_len(&s), 7);
    assert_string_equal(str_as_cstr(&s), "hello");
    assert_memory_equal(s.buf, "hello\0x", 8);
    str_clear(&s);
    check(&s);
    assert_string_equal(str_as_cstr(&s), "");
    assert_int_equal(host_alloc_live(), 1);
    str_free(&s);
    check(&s);
    NO_LEAKS();
    struct str e = str_from(""); /* nothing to copy: no allocation */
    check(&e);
    NO_LEAKS();
    struct str w = str_with_capacity(100);
    assert_int_equal(str_capacity(&w), 101);
    check(&w);
    assert_string_equal(str_as_cstr(&w), "");
    str_free(&w);
    NO_LEAKS();
}

static void test_growth_keeps_nul(void **state)
{
    (void)state;
    host_alloc_install();
    struct str s = str_new();
    char ref[3001];
    size_t caps = 0, last_cap = 0;
    for (int i = 0; i < 3000; i++) {
        char c = (char)('a' + i % 26);
        str_append(&s, &c, 1);
        ref[i] = c;
        ref[i + 1] = 0;
        check(&s);
        if (str_capacity(&s) != last_cap) {
            assert_true(last_cap == 0 || str_capacity(&s) == 2 * last_cap);
            last_cap = str_capacity(&s), caps++;
        }
    }
    assert_string_equal(str_as_cstr(&s), ref);
    assert_int_equal(caps, 10); /* 8, 16, ..., 4096 */
    str_free(&s);
    NO_LEAKS();
}

static void test_push_char_utf8(void **state)
{
    (void)state;
    host_alloc_install();
    struct str s = str_new();
    str_push_char(&s, 'A');
    str_push_char(&s, 0xE9);    /* é */
    str_push_char(&s, 0x20AC);  /* € */
    str_push_char(&s, 0x1F600); /* 😀 */
    check(&s);
    assert_string_equal(str_as_cstr(&s), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    assert_int_equal(str_len(&s), 10);
    EXPECT_PANIC(str_push_char(&s, 0xD800), "str_push_char: U+D800 is not a Unicode scalar value");
    EXPECT_PANIC(str_push_char(&s, 0xDFFF), "U+DFFF is not a Unicode scalar value");
    EXPECT_PANIC(try_str_push_char(&s, 0x110000), "U+110000 is not");
    assert_int_equal(str_len(&s), 10); /* untouched by the panics */
    check(&s);
    str_free(&s);
    NO_LEAKS();
}

/* Every scalar value encodes to the shortest form and decodes back; every
 * surrogate and everything above U+10FFFF is refused. */
static void test_utf8_round_trip_all_code_points(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp <= 0x110100; cp++) {
        char b[4];
        size_t n = str_utf8_encode(cp, b);
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            assert_int_equal(n, 0);
            continue;
        }
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        assert_int_equal(n, want);
        uint32_t back = 0xFFFFFFFF;
        assert_int_equal(str_utf8_decode(b, n, &back), n);
        assert_int_equal(back, cp);
        assert_int_equal(str_utf8_decode(b, n - 1, &back), 0); /* truncated */
    }
}

static void test_utf8_rejects_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t n;
    } bad[] = {
        {"\x80", 1},             /* a stray continuation byte */
        {"\xBF", 1},             /* another */
        {"\xC0\x80", 2},         /* overlong NUL */
        {"\xC1\xBF", 2},         /* overlong U+7F */
        {"\xE0\x80\x80", 3},     /* overlong */
        {"\xE0\x9F\xBF", 3},     /* overlong U+7FF */
        {"\xED\xA0\x80", 3},     /* the surrogate U+D800 */
        {"\xED\xBF\xBF", 3},     /* the surrogate U+DFFF */
        {"\xF0\x8F\xBF\xBF", 4}, /* overlong U+FFFF */
        {"\xF4\x90\x80\x80", 4}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4}, /* a lead byte past F4 */
        {"\xF8\x88\x80\x80", 4}, /* a 5-byte form */
        {"\xFF", 1},
        {"\xE2\x82", 2},     /* truncated */
        {"\xE2\x28\xAC", 3}, /* a continuation byte missing */
    };
    uint32_t cp;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (str_utf8_decode(bad[i].bytes, bad[i].n, &cp) != 0)
            fail_msg("case %zu decoded as U+%X", i, (unsigned)cp);
        assert_int_equal(str_utf8_valid_up_to(bad[i].bytes, bad[i].n), 0);
    }
    assert_int_equal(str_utf8_decode("", 0, &cp), 0);
    assert_int_equal(str_utf8_valid_up_to("abc\xE2\x82\xAC", 6), 6);
    assert_int_equal(str_utf8_valid_up_to("abc\xE2\x82", 5), 3);
    assert_int_equal(str_utf8_valid_up_to("ab\xC3\xA9\xED\xA0\x80z", 8), 4);
    assert_int_equal(str_utf8_decode("\xEF\xBF\xBF", 3, &cp), 3); /* U+FFFF is fine */
    assert_int_equal(cp, 0xFFFF);
}

static void test_kformat_matches_snprintf(void **state)
{
    (void)state;
    host_alloc_install();
    struct str s = kformat("%d-%s-%x|%5u|%-4c|%%", -42, "abc", 255u, 7u, 'z');
    check(&s);
    assert_string_equal(str_as_cstr(&s), "-42-abc-ff|    7|z   |%");
    str_free(&s);
    s = kformat("current reference count is %zu", (size_t)2);
    assert_string_equal(str_as_cstr(&s), "current reference count is 2");
    str_free(&s);
    s = kformat("%s", "");
    check(&s);
    assert_string_equal(str_as_cstr(&s), "");
    str_free(&s);
    rng_state = 12345;
    char want[700];
    for (int i = 0; i < 500; i++) { /* random widths make outputs of 0..~600 bytes */
        unsigned w = (unsigned)(rnd() % 300);
        long long v = (long long)rnd();
        unsigned long long u = rnd();
        snprintf(want, sizeof want, "%*lld:%-*llx.%s", (int)w, v, (int)(w / 2), u, "end");
        s = kformat("%*lld:%-*llx.%s", (int)w, v, (int)(w / 2), u, "end");
        check(&s);
        assert_string_equal(str_as_cstr(&s), want);
        assert_int_equal(str_len(&s), strlen(want));
        str_appendf(&s, "+%d", i); /* Rust's write! onto an existing string */
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "+%d", i);
        assert_string_equal(str_as_cstr(&s), want);
        str_free(&s);
    }
    NO_LEAKS();
}

static void test_oom_leaves_string_whole(void **state)
{
    (void)state;
    host_alloc_install();
    struct str s = str_from("hello"); /* cap 8 */
    host_alloc_fail_after(0);
    assert_int_equal(try_str_push_str(&s, " world"), COLL_ALLOC_FAILED);
    assert_int_equal(try_str_push_char(&s, 0x1F600), COLL_ALLOC_FAILED); /* 5 + 4 + NUL > 8 */
    assert_int_equal(try_str_append(&s, "xyz", 3), COLL_ALLOC_FAILED);   /* 5 + 3 + NUL > 8 */
    assert_int_equal(try_str_reserve(&s, 100), COLL_ALLOC_FAILED);
    assert_int_equal(try_str_append(&s, "xy", 2), COLL_OK); /* fits without growing */
    str_truncate(&s, 5);
    check(&s);
    assert_string_equal(str_as_cstr(&s), "hello");
    /* the first piece fits, the second needs growth: all of it is undone */
    assert_int_equal(try_str_appendf(&s, "%s%s", "ab", "cdefghijkl"), COLL_ALLOC_FAILED);
    check(&s);
    assert_string_equal(str_as_cstr(&s), "hello");
    /* a piece that fits after one that failed does not hide the failure */
    assert_int_equal(try_str_appendf(&s, "%s%s", "cdefghijkl", "x"), COLL_ALLOC_FAILED);
    assert_string_equal(str_as_cstr(&s), "hello");
    EXPECT_PANIC(str_push_str(&s, " world"), "allocation error: Layout { size: 16, align: 1 }");
    assert_string_equal(str_as_cstr(&s), "hello");
    struct str f;
    assert_int_equal(try_kformat(&f, "%d", 1), COLL_ALLOC_FAILED);
    check(&f);
    assert_string_equal(str_as_cstr(&f), "");
    assert_int_equal(try_str_from(&f, "abc"), COLL_ALLOC_FAILED);
    check(&f);
    EXPECT_PANIC(kformat("%d", 1), "allocation error");
    host_alloc_fail_after(1); /* the first block, then no growth */
    assert_int_equal(try_kformat(&f, "%s %s", "twelve bytes", "and more than that"),
                     COLL_ALLOC_FAILED);
    check(&f);
    assert_int_equal(host_alloc_live(), 1); /* only s: the partial result was freed */
    host_alloc_fail_after(SIZE_MAX);
    assert_int_equal(try_kformat(&f, "%s %s", "twelve bytes", "and more"), COLL_OK);
    assert_string_equal(str_as_cstr(&f), "twelve bytes and more");
    str_free(&f);
    str_free(&s);
    NO_LEAKS();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_from),
        cmocka_unit_test(test_growth_keeps_nul),
        cmocka_unit_test(test_push_char_utf8),
        cmocka_unit_test(test_utf8_round_trip_all_code_points),
        cmocka_unit_test(test_utf8_rejects_malformed),
        cmocka_unit_test(test_kformat_matches_snprintf),
        cmocka_unit_test(test_oom_leaves_string_whole),
    };
    return RUN_TESTS(tests);
}
