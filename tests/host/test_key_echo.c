/* Host tests of drivers/key_echo.c: what the blog's keyboard handler prints
 * for each key event (pc-keyboard 0.7, Us104Key, HandleControl::Ignore). */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/key_echo.h"
#include "scancode_layout.h"

/* ---- the blog's echo (drivers/key_echo.c) ------------------------------- */

/* Feed bytes as the keyboard IRQ does and concatenate what the blog's
 * handler would print for each event. */
static const char *echo_of(const uint8_t *bytes, size_t n)
{
    static char out[512];
    struct scancode_decoder d;
    scancode_init(&d);
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        struct key_event ev;
        if (!scancode_feed(&d, bytes[i], &ev)) continue;
        char text[KEY_ECHO_MAX];
        size_t t = key_echo(&ev, text, sizeof text);
        assert_int_equal(t, strlen(text));
        assert_true(len + t < sizeof out);
        memcpy(out + len, text, t + 1);
        len += t;
    }
    return out;
}
#define ECHO(...) echo_of((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static void test_echo_as_the_blog(void **state)
{
    (void)state;
    /* characters on press, nothing on release */
    assert_string_equal(ECHO(0x23, 0xa3, 0x17, 0x97, 0x02, 0x82), "hi1");
    /* the modifiers print their names, as pc-keyboard's RawKey */
    assert_string_equal(ECHO(0x2a, 0x1e, 0x9e, 0xaa, 0x1e, 0x9e), "LShiftAa");
    assert_string_equal(ECHO(0x36, 0x03, 0x83, 0xb6), "RShift@");
    assert_string_equal(ECHO(0x1d, 0x2e, 0xae, 0x9d), "LControlc"); /* Ctrl+C: "c" */
    assert_string_equal(ECHO(0xe0, 0x1d, 0x2a, 0x2e, 0xe0, 0x9d), "RControlLShiftC");
    assert_string_equal(ECHO(0x38, 0xb8, 0xe0, 0x38, 0xe0, 0xb8), "LAltRAltGr");
    assert_string_equal(ECHO(0xe0, 0x5b, 0xe0, 0x5c, 0xe0, 0x5d), "LWinRWinApps");
    /* caps lock: letters upper case, shift turns them back */
    assert_string_equal(ECHO(0x3a, 0xba, 0x1e, 0x2a, 0x1e, 0x02), "CapsLockALShifta!");
    /* control characters as the characters themselves */
    assert_string_equal(ECHO(0x0e, 0x0f, 0x01, 0x1c, 0xe0, 0x53, 0xe0, 0x1c), "\b\t\x1b\n\x7f\n");
    assert_string_equal(ECHO(0x39, 0x4e, 0x37, 0x4a, 0xe0, 0x35), " +*-/");
    /* keys without a character: their names */
    assert_string_equal(ECHO(0xe0, 0x48, 0xe0, 0x50, 0xe0, 0x4b, 0xe0, 0x4d),
                        "ArrowUpArrowDownArrowLeftArrowRight");
    assert_string_equal(
        ECHO(0x3b, 0x58, 0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x49, 0xe0, 0x51, 0xe0, 0x52),
        "F1F12HomeEndPageUpPageDownInsert");
    assert_string_equal(ECHO(0x46, 0xe0, 0x37, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5),
                        "ScrollLockPrintScreenPauseBreak");
    /* typematic repeat of a held key repeats the echo */
    assert_string_equal(ECHO(0x2a, 0x2a, 0x2a, 0xaa), "LShiftLShiftLShift");
}

static void test_echo_keypad_and_num_lock(void **state)
{
    (void)state;
    /* num lock on (the start): digits and '.' */
    assert_string_equal(ECHO(0x47, 0x48, 0x49, 0x4b, 0x4c, 0x4d, 0x4f, 0x50, 0x51, 0x52, 0x53),
                        "789456123"
                        "0.");
    /* num lock off: the keys they stand for; 5 stays, '.' is Delete's 0x7f */
    assert_string_equal(ECHO(0x45, 0xc5, 0x47, 0x48, 0x49, 0x4b, 0x4c, 0x4d),
                        "NumpadLockHomeArrowUpPageUpArrowLeft5ArrowRight");
    assert_string_equal(ECHO(0x45, 0xc5, 0x4f, 0x50, 0x51, 0x52, 0x53),
                        "NumpadLockEndArrowDownPageDownInsert\x7f");
    /* and on again */
    assert_string_equal(ECHO(0x45, 0xc5, 0x45, 0xc5, 0x47), "NumpadLockNumpadLock7");
}

/* Every key of the layout, pressed alone: its character (letters lower
 * case, controls included) or its name; a release echoes nothing. */
static void test_echo_every_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < LAYOUT_N; i++) {
        const struct key_row *r = &layout[i];
        struct scancode_decoder d;
        scancode_init(&d);
        struct key_event ev = stroke(&d, r, true);
        char text[KEY_ECHO_MAX], want[KEY_ECHO_MAX];
        if (r->ch)
            snprintf(want, sizeof want, "%c", (char)r->ch);
        else
            snprintf(want, sizeof want, "%s", r->name);
        key_echo(&ev, text, sizeof text);
        assert_string_equal(text, want);
        ev = stroke(&d, r, false);
        assert_int_equal(key_echo(&ev, text, sizeof text), 0);
        assert_string_equal(text, "");
    }
}

static void test_echo_truncates_and_checks_arguments(void **state)
{
    (void)state;
    struct key_event ev = {.key = KEY_ARROW_RIGHT, .pressed = true, .num_lock = true};
    char small[6];
    assert_int_equal(key_echo(&ev, small, sizeof small), strlen("ArrowRight"));
    assert_string_equal(small, "Arrow");
    ev = (struct key_event){.key = KEY_A, .pressed = true, .ch = 'a', .num_lock = true};
    assert_int_equal(key_echo(&ev, small, 1), 1);
    assert_string_equal(small, "");
    ev = (struct key_event){.key = KEY_COUNT, .pressed = true};
    assert_int_equal(key_echo(&ev, small, sizeof small), 0);
    EXPECT_PANIC(key_echo(NULL, small, sizeof small), "key_echo");
    EXPECT_PANIC(key_echo(&ev, NULL, sizeof small), "key_echo");
    EXPECT_PANIC(key_echo(&ev, small, 0), "key_echo");
}

/* Bytes typed in a terminal (serial input) echo as the same keys would. */
static void test_echo_of_terminal_bytes(void **state)
{
    (void)state;
    static const struct {
        uint8_t byte;
        const char *echo;
    } cases[] = {
        {'a', "a"},   {'A', "A"},   {'!', "!"},   {'~', "~"},     {0x03, "c"}, /* Ctrl+C, as the
                                                                                  blog */
        {'\r', "\n"}, {0x7f, "\b"}, {'\t', "\t"}, {0x1b, "\x1b"}, {'5', "5"},  {' ', " "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct key_event ev;
        char text[KEY_ECHO_MAX];
        assert_true(key_event_from_ascii(cases[i].byte, &ev));
        key_echo(&ev, text, sizeof text);
        if (strcmp(text, cases[i].echo) != 0)
            fail_msg("byte %#x echoes \"%s\", want \"%s\"", cases[i].byte, text, cases[i].echo);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_as_the_blog),
        cmocka_unit_test(test_echo_keypad_and_num_lock),
        cmocka_unit_test(test_echo_every_key),
        cmocka_unit_test(test_echo_truncates_and_checks_arguments),
        cmocka_unit_test(test_echo_of_terminal_bytes),
    };
    return RUN_TESTS(tests);
}
