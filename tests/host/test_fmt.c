/* Host tests of lib/fmt.c: kvsnprintf against the C library's snprintf on a
 * large table of conversions x flags x widths x precisions x length modifiers
 * x edge values; truncation at every buffer size; and the number of
 * arguments each format consumes.
 *
 * Argument counting relies on the x86-64 System V ABI, where va_list is an
 * array type: kvformat(..., ap) advances the caller's ap, so the caller can
 * read the argument that follows and check it is the sentinel it passed. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "support.h"
#include "kiln/fmt.h"

_Static_assert(sizeof(va_list) > sizeof(void *), "the argument counting needs an array va_list");

/* Passed after the last argument of every checked format. */
#define SENTINEL 0x5e17e1a1c0ffee11LL
#define OUT_MAX  512
#define GUARD    32

static unsigned long checks, failures;

static void report(const char *fmt, const char *what, const char *want, int wn, const char *got,
                   int gn)
{
    if (++failures > 20) return;
    int wl = wn < 0 ? 0 : wn, gl = gn < 0 ? 0 : gn;
    print_error("format \"%s\": %s\n  want %d \"%.*s\"\n  got  %d \"%.*s\"\n", fmt, what, wn, wl,
                want, gn, gl, got);
}

/* A sink that counts its calls and keeps what it is given. */
struct collect {
    char text[OUT_MAX];
    size_t len, calls, empty_calls;
};

static void collect_sink(void *ctx, const char *s, size_t n)
{
    struct collect *c = ctx;
    c->calls++;
    if (n == 0) c->empty_calls++;
    for (size_t i = 0; i < n; i++)
        if (c->len < sizeof c->text) c->text[c->len++] = s[i];
}

/* Check kiln's output for fmt against want (wn bytes, NUL-free or not), then
 * that fmt consumed exactly the arguments before the trailing SENTINEL. */
static void expect(const char *want, int wn, const char *fmt, ...)
{
    char got[OUT_MAX + GUARD];
    va_list ap, copy;
    checks++;
    va_start(ap, fmt);

    memset(got, 0xa5, sizeof got);
    va_copy(copy, ap);
    int gn = kvsnprintf(got, OUT_MAX, fmt, copy);
    va_end(copy);
    if (wn >= OUT_MAX) fail_msg("test bug: \"%s\" is too long", fmt);
    if (gn != wn || memcmp(got, want, (size_t)wn + 1) != 0)
        report(fmt, "kvsnprintf differs", want, wn, got, gn);
    for (size_t i = OUT_MAX; i < sizeof got; i++)
        if ((unsigned char)got[i] != 0xa5) report(fmt, "wrote past size", want, wn, got, gn);

    struct collect c = {.len = 0};
    int fn = kvformat(collect_sink, &c, fmt, ap);
    long long next = va_arg(ap, long long);
    va_end(ap);
    if (fn != wn || c.len != (size_t)wn || memcmp(c.text, want, (size_t)wn) != 0)
        report(fmt, "kvformat differs", want, wn, c.text, (int)c.len);
    if (c.empty_calls != 0) report(fmt, "sink got an empty piece", want, wn, c.text, fn);
    if (next != SENTINEL) report(fmt, "consumed the wrong number of arguments", "", 0, "", 0);
}

/* Compare with the C library: same format, same arguments. */
#define VIA_LIBC(f, ...)                                                                           \
    do {                                                                                           \
        char want_[OUT_MAX];                                                                       \
        int wn_ = snprintf(want_, sizeof want_, f, __VA_ARGS__);                                   \
        expect(want_, wn_, f, __VA_ARGS__, SENTINEL);                                              \
    } while (0)

/* Pass the '*' arguments the format names, then the value. */
#define WITH_STARS(f, w, p, v)                                                                     \
    do {                                                                                           \
        if ((w).star && (p).star)                                                                  \
            VIA_LIBC(f, (w).arg, (p).arg, v);                                                      \
        else if ((w).star)                                                                         \
            VIA_LIBC(f, (w).arg, v);                                                               \
        else if ((p).star)                                                                         \
            VIA_LIBC(f, (p).arg, v);                                                               \
        else                                                                                       \
            VIA_LIBC(f, v);                                                                        \
    } while (0)

struct part {
    const char *text;
    int star, arg; /* star: the text holds a '*' taking arg */
};

static const struct part widths[] = {
    {"", 0, 0}, {"1", 0, 0}, {"6", 0, 0}, {"25", 0, 0}, {"*", 1, 9}, {"*", 1, -9}, {"*", 1, 0},
};
static const struct part precisions[] = {
    {"", 0, 0},    {".", 0, 0},  {".0", 0, 0},  {".1", 0, 0}, {".4", 0, 0},
    {".24", 0, 0}, {".*", 1, 3}, {".*", 1, -1}, {".*", 1, 0},
};
static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned long long values[] = {
    0,
    1,
    (unsigned long long)-1,
    7,
    8,
    9,
    10,
    15,
    16,
    42,
    100,
    127,
    128,
    255,
    256,
    0x1234,
    32767,
    32768,
    65535,
    65536,
    INT_MAX,
    (unsigned long long)INT_MIN,
    UINT_MAX,
    0x100000001ull,
    LLONG_MAX,
    (unsigned long long)LLONG_MIN,
    ULLONG_MAX,
    0xdeadbeefcafebabeull,
    01234567,
    (unsigned long long)-1000000007LL,
};

/* "%" flags width precision length conv, the flags being the bits of mask. */
static void build(char *f, unsigned mask, const char *width, const char *prec, const char *len,
                  const char *conv)
{
    const char *flags = "-0+ #";
    char *p = f;
    *p++ = '%';
    for (unsigned i = 0; i < 5; i++)
        if (mask & (1u << i)) *p++ = flags[i];
    sprintf(p, "%s%s%s%s", width, prec, len, conv);
}

/* Pass v as the type the length modifier names, signed or not. */
static void check_integer(const char *f, const struct part *w, const struct part *p, size_t len,
                          bool is_signed, unsigned long long v)
{
    switch (len) {
    case 0: /* hh and h take an int; the formatter narrows it */
    case 1:
    case 2:
        if (is_signed)
            WITH_STARS(f, *w, *p, (int)v);
        else
            WITH_STARS(f, *w, *p, (unsigned)v);
        break;
    case 3:
        if (is_signed)
            WITH_STARS(f, *w, *p, (long)v);
        else
            WITH_STARS(f, *w, *p, (unsigned long)v);
        break;
    case 4:
        if (is_signed)
            WITH_STARS(f, *w, *p, (long long)v);
        else
            WITH_STARS(f, *w, *p, (unsigned long long)v);
        break;
    case 5:
        if (is_signed)
            WITH_STARS(f, *w, *p, (ssize_t)v);
        else
            WITH_STARS(f, *w, *p, (size_t)v);
        break;
    case 6:
        if (is_signed)
            WITH_STARS(f, *w, *p, (intmax_t)v);
        else
            WITH_STARS(f, *w, *p, (uintmax_t)v);
        break;
    default:
        if (is_signed)
            WITH_STARS(f, *w, *p, (ptrdiff_t)v);
        else
            WITH_STARS(f, *w, *p, (size_t)v);
        break;
    }
}

static void integers_match_libc(void **state)
{
    (void)state;
    const char *const convs[] = {"d", "i", "u", "x", "X", "o"};
    char f[64];
    checks = failures = 0;
    for (size_t c = 0; c < COUNT(convs); c++)
        for (unsigned mask = 0; mask < 32; mask++)
            for (size_t w = 0; w < COUNT(widths); w++)
                for (size_t p = 0; p < COUNT(precisions); p++)
                    for (size_t l = 0; l < COUNT(lengths); l++) {
                        build(f, mask, widths[w].text, precisions[p].text, lengths[l], convs[c]);
                        for (size_t v = 0; v < COUNT(values); v++)
                            check_integer(f, &widths[w], &precisions[p], l, c < 2, values[v]);
                    }
    print_message("# %lu integer formats checked\n", checks);
    assert_int_equal(failures, 0);
}

static void strings_and_chars_match_libc(void **state)
{
    (void)state;
    const char *const strings[] = {"",          "a",           "hello", "hello, world of text",
                                   "tab\tnl\n", "\xe9\xff hi", "12345", "123456",
                                   NULL};
    const int chars[] = {'A', 0, ' ', '%', 255, -1, 0x141 /* 'A' after narrowing */};
    char f[64];
    checks = failures = 0;
    for (unsigned mask = 0; mask < 32; mask++)
        for (size_t w = 0; w < COUNT(widths); w++)
            for (size_t p = 0; p < COUNT(precisions); p++) {
                build(f, mask, widths[w].text, precisions[p].text, "", "s");
                for (size_t s = 0; s < COUNT(strings); s++)
                    WITH_STARS(f, widths[w], precisions[p], strings[s]);
                build(f, mask, widths[w].text, precisions[p].text, "", "c");
                for (size_t c = 0; c < COUNT(chars); c++)
                    WITH_STARS(f, widths[w], precisions[p], chars[c]);
            }
    print_message("# %lu string and char formats checked\n", checks);
    assert_int_equal(failures, 0);
}

/* %p is compared with %#lx: the C library prints the same for a non-null
 * pointer. '+' and ' ' are left out: kiln ignores them for %p (a pointer has
 * no sign), while the C library prints them. */
static void pointers_match_hex_with_prefix(void **state)
{
    (void)state;
    int local;
    const uintptr_t ptrs[] = {
        1, 0x12, 0xdeadbeef, UINTPTR_MAX, 0xffffffff80000000u, (uintptr_t)&local};
    char kf[64], lf[64];
    checks = failures = 0;
    for (unsigned mask = 0; mask < 32; mask++) {
        if (mask & (4 | 8)) continue;
        for (size_t w = 0; w < COUNT(widths); w++)
            for (size_t p = 0; p < COUNT(precisions); p++) {
                build(kf, mask, widths[w].text, precisions[p].text, "", "p");
                build(lf, mask | 16, widths[w].text, precisions[p].text, "l", "x");
                for (size_t i = 0; i < COUNT(ptrs); i++) {
                    char want[OUT_MAX];
                    int wn;
                    void *ptr = (void *)ptrs[i];
                    unsigned long bits = ptrs[i];
                    const struct part *wp = &widths[w], *pp = &precisions[p];
                    if (wp->star && pp->star) {
                        wn = snprintf(want, sizeof want, lf, wp->arg, pp->arg, bits);
                        expect(want, wn, kf, wp->arg, pp->arg, ptr, SENTINEL);
                    } else if (wp->star) {
                        wn = snprintf(want, sizeof want, lf, wp->arg, bits);
                        expect(want, wn, kf, wp->arg, ptr, SENTINEL);
                    } else if (pp->star) {
                        wn = snprintf(want, sizeof want, lf, pp->arg, bits);
                        expect(want, wn, kf, pp->arg, ptr, SENTINEL);
                    } else {
                        wn = snprintf(want, sizeof want, lf, bits);
                        expect(want, wn, kf, ptr, SENTINEL);
                    }
                }
            }
    }
    print_message("# %lu pointer formats checked\n", checks);
    assert_int_equal(failures, 0);
}

/* Expect a literal result; the arguments end with SENTINEL. */
#define EXPECT_TEXT(want, ...) expect(want, (int)strlen(want), __VA_ARGS__, SENTINEL)

static void null_pointer_and_null_string(void **state)
{
    (void)state;
    failures = 0;
    EXPECT_TEXT("0x0", "%p", (void *)NULL);
    EXPECT_TEXT("[  0x0]", "[%5p]", (void *)NULL);
    EXPECT_TEXT("[0x0  ]", "[%-5p]", (void *)NULL);
    EXPECT_TEXT("[0x000]", "[%05p]", (void *)NULL);
    EXPECT_TEXT("0x12", "%+p", (void *)0x12);
    EXPECT_TEXT("0x12", "% p", (void *)0x12);
    EXPECT_TEXT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    EXPECT_TEXT("(null)", "%s", (char *)NULL);
    EXPECT_TEXT("[  (null)]", "[%8s]", (char *)NULL);
    EXPECT_TEXT("[(null)]", "[%.6s]", (char *)NULL);
    EXPECT_TEXT("[]", "[%.5s]", (char *)NULL); /* as glibc: too short for all of it */
    assert_int_equal(failures, 0);
}

static void unknown_conversions_print_as_written_and_take_nothing(void **state)
{
    (void)state;
    failures = 0;
    EXPECT_TEXT("%y", "%y");
    EXPECT_TEXT("%q", "%q");
    EXPECT_TEXT("%n", "%n"); /* never a write through an argument */
    EXPECT_TEXT("%f %e %g %a", "%f %e %g %a");
    EXPECT_TEXT("%", "%");
    EXPECT_TEXT("abc%", "abc%");
    EXPECT_TEXT("%-08.3", "%-08.3");
    EXPECT_TEXT("%l", "%l");
    EXPECT_TEXT("%hh", "%hh");
    EXPECT_TEXT("%-5y|", "%-5y|");
    EXPECT_TEXT("%*y", "%*y");
    EXPECT_TEXT("%*.*q", "%*.*q");
    EXPECT_TEXT("%lc %ls %hs %zp %jc", "%lc %ls %hs %zp %jc");
    EXPECT_TEXT("%lll", "%lll");
    EXPECT_TEXT("%llld", "%llld");
    EXPECT_TEXT("%hhhd", "%hhhd");
    EXPECT_TEXT("%5%", "%5%");
    EXPECT_TEXT("%-%", "%-%");
    EXPECT_TEXT("%", "%");
    EXPECT_TEXT("1%y2", "%d%y%d", 1, 2);
    EXPECT_TEXT("%y5", "%y%d", 5);
    EXPECT_TEXT("7 %*y x", "%d %*y %s", 7, "x");
    EXPECT_TEXT("ab%", "%s%", "ab");
    EXPECT_TEXT("\xe9%\xe9", "\xe9%\xe9");
    assert_int_equal(failures, 0);
}

static void percent_and_plain_text(void **state)
{
    (void)state;
    failures = 0;
    EXPECT_TEXT("%", "%%");
    EXPECT_TEXT("100%", "100%%");
    EXPECT_TEXT("%%d", "%%%%d");
    EXPECT_TEXT("%3", "%%%d", 3);
    EXPECT_TEXT("", "");
    EXPECT_TEXT("no conversions at all", "no conversions at all");
    EXPECT_TEXT("a\tb\nc", "a\tb\nc");
    /* Repeated flags in any order mean the same. */
    EXPECT_TEXT("+5   |", "%-+-5d|", 5);
    EXPECT_TEXT("3    |", "%0-5d|", 3);
    EXPECT_TEXT("+7", "%+ d", 7);
    EXPECT_TEXT("0x00ff", "%0#6x", 255);
    /* '*' widths: negative means '-', negative precision means none. */
    EXPECT_TEXT("[42   ]", "[%*d]", -5, 42);
    EXPECT_TEXT("[00042]", "[%0*d]", 5, 42);
    EXPECT_TEXT("[42]", "[%.*d]", -3, 42);
    EXPECT_TEXT("[  042]", "[%*.*d]", 5, 3, 42);
    EXPECT_TEXT("[]", "[%.0d]", 0);
    EXPECT_TEXT("[0]", "[%#.0o]", 0);
    EXPECT_TEXT("-9223372036854775808", "%lld", LLONG_MIN);
    EXPECT_TEXT("-2147483648", "%d", INT_MIN);
    EXPECT_TEXT("1777777777777777777777", "%llo", ULLONG_MAX);
    EXPECT_TEXT("-128 255", "%hhd %hhu", 0x180, -1);
    assert_int_equal(failures, 0);
}

/* Format fmt at every buffer size from 0 to its length + 1. */
static void truncate_at_every_size(const char *fmt, ...)
{
    char full[OUT_MAX], want[OUT_MAX];
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = kvsnprintf(full, sizeof full, fmt, copy);
    va_end(copy);
    va_copy(copy, ap);
    assert_int_equal(vsnprintf(want, sizeof want, fmt, copy), n);
    va_end(copy);
    assert_memory_equal(full, want, (size_t)n + 1);

    for (size_t size = 0; size <= (size_t)n + 1; size++) {
        /* Exactly size bytes for ASan, then guard bytes checked by hand. */
        char *exact = size ? malloc(size) : NULL;
        char guarded[OUT_MAX + GUARD];
        memset(guarded, 0xa5, sizeof guarded);
        va_copy(copy, ap);
        assert_int_equal(kvsnprintf(exact, size, fmt, copy), n);
        va_end(copy);
        va_copy(copy, ap);
        assert_int_equal(kvsnprintf(guarded, size, fmt, copy), n);
        va_end(copy);
        if (size > 0) {
            size_t kept = size - 1 < (size_t)n ? size - 1 : (size_t)n;
            assert_memory_equal(exact, full, kept);
            assert_int_equal(exact[kept], 0);
            assert_memory_equal(guarded, full, kept);
            assert_int_equal(guarded[kept], 0);
        }
        for (size_t i = size; i < sizeof guarded; i++)
            if ((unsigned char)guarded[i] != 0xa5)
                fail_msg("\"%s\" at size %zu wrote byte %zu", fmt, size, i);
        free(exact);
    }
    va_end(ap);
}

static void truncation_keeps_a_prefix_and_the_full_length(void **state)
{
    (void)state;
    truncate_at_every_size("");
    truncate_at_every_size("x");
    truncate_at_every_size("hello, %s! %d + %d = %#x", "kiln", 40, 2, 42);
    truncate_at_every_size("[%-20s|%20s]", "left", "right");
    truncate_at_every_size("%0*lld|%+.30d", 40, LLONG_MIN, 7);
    truncate_at_every_size("%c%c%c", 'a', 0, 'b');
    truncate_at_every_size("%*s", 300, "wide");
}

static void size_zero_takes_a_null_buffer(void **state)
{
    (void)state;
    assert_int_equal(ksnprintf(NULL, 0, "%d and %s", 12345, "more"), 14);
    char one = 'x';
    assert_int_equal(ksnprintf(&one, 1, "%s", "abc"), 3);
    assert_int_equal(one, 0);
    char buf[8] = "xxxxxxx";
    assert_int_equal(ksnprintf(buf, 0, "%d", 5), 1);
    assert_int_equal(buf[0], 'x'); /* size 0: not even a NUL */
}

static void huge_widths_count_and_overflow_to_minus_one(void **state)
{
    (void)state;
    assert_int_equal(ksnprintf(NULL, 0, "%*d", 100000, 5), 100000);
    char buf[4];
    assert_int_equal(ksnprintf(buf, sizeof buf, "%*d", 100000, 5), 100000);
    assert_string_equal(buf, "   ");
    /* Exactly INT_MAX bytes is a length; one more is not. (Called through a
     * pointer: the compiler would rightly warn about the overflow.) */
    int (*volatile call)(char *, size_t, const char *, ...) = ksnprintf;
    assert_int_equal(call(NULL, 0, "%*d", INT_MAX, 5), INT_MAX);
    assert_int_equal(call(NULL, 0, "%*d%d", INT_MAX, 5, 6), -1);
    assert_int_equal(call(NULL, 0, "%-*d", INT_MIN, 5), -1); /* width 2^31 */
    /* A width written in digits saturates instead of wrapping. */
    const char *volatile digits = "%99999999999999999999d";
    assert_int_equal(call(NULL, 0, digits, 1), INT_MAX);
}

/* kvformat through a variadic wrapper without a format attribute. */
static int format_to(struct collect *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvformat(collect_sink, c, fmt, ap);
    va_end(ap);
    return n;
}

static void sink_gets_no_empty_pieces_and_the_total(void **state)
{
    (void)state;
    struct collect c = {.len = 0};
    int n = format_to(&c, "%s%s%d%.0d%s", "", "ab", 7, 0, "");
    assert_int_equal(n, 3);
    assert_int_equal(c.len, 3);
    assert_memory_equal(c.text, "ab7", 3);
    assert_int_equal(c.empty_calls, 0);
    struct collect wide = {.len = 0};
    assert_int_equal(format_to(&wide, "%400s", "x"), 400);
    assert_true(wide.calls > 1); /* padding is streamed, not buffered */
    assert_int_equal(wide.text[398], ' ');
    assert_int_equal(wide.text[399], 'x');
    /* Pads longer than one piece, on both sides, against the C library. */
    char want[OUT_MAX];
    int wn = snprintf(want, sizeof want, "%300d|%-200s|", -5, "pad");
    failures = 0;
    expect(want, wn, "%300d|%-200s|", -5, "pad", SENTINEL);
    assert_int_equal(failures, 0);
}

static void null_format_or_sink_panics(void **state)
{
    (void)state;
    const char *volatile no_format = NULL;
    struct collect c = {.len = 0};
    EXPECT_PANIC(format_to(&c, no_format), "NULL format");
    char buf[4];
    int (*volatile call)(char *, size_t, const char *, ...) = ksnprintf;
    EXPECT_PANIC(call(buf, sizeof buf, no_format), "NULL format");
}

static int format_without_sink(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_sink volatile no_sink = NULL;
    int n = kvformat(no_sink, NULL, fmt, ap);
    va_end(ap);
    return n;
}

static void null_sink_panics(void **state)
{
    (void)state;
    EXPECT_PANIC(format_without_sink("x"), "NULL sink");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers_match_libc),
        cmocka_unit_test(strings_and_chars_match_libc),
        cmocka_unit_test(pointers_match_hex_with_prefix),
        cmocka_unit_test(null_pointer_and_null_string),
        cmocka_unit_test(unknown_conversions_print_as_written_and_take_nothing),
        cmocka_unit_test(percent_and_plain_text),
        cmocka_unit_test(truncation_keeps_a_prefix_and_the_full_length),
        cmocka_unit_test(size_zero_takes_a_null_buffer),
        cmocka_unit_test(huge_widths_count_and_overflow_to_minus_one),
        cmocka_unit_test(sink_gets_no_empty_pieces_and_the_total),
        cmocka_unit_test(null_format_or_sink_panics),
        cmocka_unit_test(null_sink_panics),
    };
    return RUN_TESTS(tests);
}
