/* Host tests of drivers/scancode.c: every key of the US 104-key layout in
 * scancode set 1, the modifiers and locks, the prefixed sequences, and every
 * byte in every decoder state. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/scancode.h"

#include "scancode_layout.h"

static const struct key_row *find_row(uint8_t code, bool e0)
{
    for (size_t i = 0; i < LAYOUT_N; i++)
        if (layout[i].code == code && layout[i].e0 == e0) return &layout[i];
    return NULL;
}

static bool is_letter(const struct key_row *r)
{
    return r->ch >= 'a' && r->ch <= 'z';
}

static bool is_modifier_or_lock(enum key_code k)
{
    return k == KEY_LSHIFT || k == KEY_RSHIFT || k == KEY_LCTRL || k == KEY_RCTRL ||
           k == KEY_LALT || k == KEY_RALT || k == KEY_LWIN || k == KEY_RWIN || k == KEY_CAPS_LOCK ||
           k == KEY_NUM_LOCK || k == KEY_SCROLL_LOCK;
}

/* Feed raw bytes; return how many events they made, the last in *last. */
static int feed_all(struct scancode_decoder *d, const uint8_t *bytes, size_t n,
                    struct key_event *last)
{
    int events = 0;
    for (size_t i = 0; i < n; i++)
        if (scancode_feed(d, bytes[i], last)) events++;
    return events;
}

/* The decoders hold the same state (field by field: padding may differ). */
static void assert_same_decoder(const struct scancode_decoder *a, const struct scancode_decoder *b)
{
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->lshift, b->lshift);
    assert_int_equal(a->rshift, b->rshift);
    assert_int_equal(a->lctrl, b->lctrl);
    assert_int_equal(a->rctrl, b->rctrl);
    assert_int_equal(a->lalt, b->lalt);
    assert_int_equal(a->ralt, b->ralt);
    assert_int_equal(a->lwin, b->lwin);
    assert_int_equal(a->rwin, b->rwin);
    assert_int_equal(a->caps_lock, b->caps_lock);
    assert_int_equal(a->num_lock, b->num_lock);
    assert_int_equal(a->scroll_lock, b->scroll_lock);
    assert_int_equal(a->caps_held, b->caps_held);
    assert_int_equal(a->num_held, b->num_held);
    assert_int_equal(a->scroll_held, b->scroll_held);
}

static uint32_t type_key(struct scancode_decoder *d, const struct key_row *r)
{
    struct key_event ev = stroke(d, r, true);
    assert_int_equal(ev.key, r->key);
    assert_true(ev.pressed);
    struct key_event up = stroke(d, r, false);
    assert_int_equal(up.key, r->key);
    assert_false(up.pressed);
    assert_int_equal(up.ch, 0);
    return ev.ch;
}

static const struct key_row *row_of(enum key_code k)
{
    for (size_t i = 0; i < LAYOUT_N; i++)
        if (layout[i].key == k) return &layout[i];
    fail_msg("no layout row for key %d", (int)k);
    return NULL;
}

/* ---- every key ------------------------------------------------------------ */

static void test_every_key_press_and_release(void **state)
{
    (void)state;
    for (size_t i = 0; i < LAYOUT_N; i++) {
        const struct key_row *r = &layout[i];
        struct scancode_decoder d;
        scancode_init(&d);
        struct key_event ev = stroke(&d, r, true);
        if (ev.key != r->key || ev.ch != r->ch || !ev.pressed)
            fail_msg("%s%02x: got %s ch %#x, want %s ch %#x", r->e0 ? "e0 " : "", r->code,
                     key_name(ev.key), ev.ch, r->name, r->ch);
        assert_string_equal(key_name(ev.key), r->name);
        ev = stroke(&d, r, false);
        assert_int_equal(ev.key, r->key);
        assert_false(ev.pressed);
        assert_int_equal(ev.ch, 0);
    }
}

static void test_every_key_with_shift(void **state)
{
    (void)state;
    const struct key_row *shifts[] = {row_of(KEY_LSHIFT), row_of(KEY_RSHIFT)};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < LAYOUT_N; i++) {
            const struct key_row *r = &layout[i];
            if (is_modifier_or_lock(r->key)) continue;
            struct scancode_decoder d;
            scancode_init(&d);
            stroke(&d, shifts[s], true);
            assert_true(scancode_shift(&d));
            uint32_t ch = type_key(&d, r);
            if (ch != r->shifted)
                fail_msg("%s+%s: ch %#x, want %#x", shifts[s]->name, r->name, ch, r->shifted);
            stroke(&d, shifts[s], false);
            assert_false(scancode_shift(&d));
            assert_int_equal(type_key(&d, r), r->ch);
        }
    }
}

static void test_caps_lock(void **state)
{
    (void)state;
    const struct key_row *caps = row_of(KEY_CAPS_LOCK), *shift = row_of(KEY_LSHIFT);
    struct scancode_decoder d;
    scancode_init(&d);
    type_key(&d, caps);
    assert_true(d.caps_lock);
    for (size_t i = 0; i < LAYOUT_N; i++) {
        const struct key_row *r = &layout[i];
        if (is_modifier_or_lock(r->key)) continue;
        /* caps: letters upper case, everything else unchanged */
        uint32_t want = is_letter(r) ? r->shifted : r->ch;
        assert_int_equal(type_key(&d, r), want);
        /* caps + shift: letters lower case, symbols still shifted */
        stroke(&d, shift, true);
        want = is_letter(r) ? r->ch : r->shifted;
        assert_int_equal(type_key(&d, r), want);
        stroke(&d, shift, false);
    }
    type_key(&d, caps);
    assert_false(d.caps_lock);
    assert_int_equal(type_key(&d, row_of(KEY_A)), 'a');
}

static void test_lock_keys_ignore_typematic_repeat(void **state)
{
    (void)state;
    const enum key_code locks[] = {KEY_CAPS_LOCK, KEY_NUM_LOCK, KEY_SCROLL_LOCK};
    for (size_t i = 0; i < 3; i++) {
        struct scancode_decoder d;
        scancode_init(&d);
        bool *flag = locks[i] == KEY_CAPS_LOCK  ? &d.caps_lock
                     : locks[i] == KEY_NUM_LOCK ? &d.num_lock
                                                : &d.scroll_lock;
        bool before = *flag;
        const struct key_row *r = row_of(locks[i]);
        for (int rep = 0; rep < 4; rep++) stroke(&d, r, true); /* held: typematic repeats */
        assert_int_equal(*flag, !before);
        stroke(&d, r, false);
        assert_int_equal(*flag, !before);
        type_key(&d, r);
        assert_int_equal(*flag, before);
    }
}

static void test_num_lock_gates_keypad_digits(void **state)
{
    (void)state;
    struct scancode_decoder d;
    scancode_init(&d);
    assert_true(d.num_lock);
    type_key(&d, row_of(KEY_NUM_LOCK));
    assert_false(d.num_lock);
    for (size_t i = 0; i < LAYOUT_N; i++) {
        const struct key_row *r = &layout[i];
        bool gated = (r->key >= KEY_KP_7 && r->key <= KEY_KP_9) ||
                     (r->key >= KEY_KP_4 && r->key <= KEY_KP_6) ||
                     (r->key >= KEY_KP_1 && r->key <= KEY_KP_3) || r->key == KEY_KP_0 ||
                     r->key == KEY_KP_PERIOD;
        if (is_modifier_or_lock(r->key)) continue;
        assert_int_equal(type_key(&d, r), gated ? 0 : r->ch);
    }
    type_key(&d, row_of(KEY_NUM_LOCK));
    assert_int_equal(type_key(&d, row_of(KEY_KP_5)), '5');
}

static void test_ctrl_letters_give_control_characters(void **state)
{
    (void)state;
    const enum key_code ctrls[] = {KEY_LCTRL, KEY_RCTRL};
    for (size_t c = 0; c < 2; c++) {
        struct scancode_decoder d;
        scancode_init(&d);
        stroke(&d, row_of(ctrls[c]), true);
        assert_true(scancode_ctrl(&d));
        for (size_t i = 0; i < LAYOUT_N; i++) {
            const struct key_row *r = &layout[i];
            if (!is_letter(r)) continue;
            assert_int_equal(type_key(&d, r), r->ch - 'a' + 1);
            stroke(&d, row_of(KEY_LSHIFT), true); /* shift does not change it */
            assert_int_equal(type_key(&d, r), r->ch - 'a' + 1);
            stroke(&d, row_of(KEY_LSHIFT), false);
        }
        /* digits and punctuation keep their characters */
        assert_int_equal(type_key(&d, row_of(KEY_1)), '1');
        assert_int_equal(type_key(&d, row_of(KEY_SLASH)), '/');
        stroke(&d, row_of(ctrls[c]), false);
        assert_false(scancode_ctrl(&d));
        assert_int_equal(type_key(&d, row_of(KEY_C)), 'c');
    }
}

static void test_modifier_tracking(void **state)
{
    (void)state;
    struct scancode_decoder d;
    scancode_init(&d);
    struct key_event ev;
    /* both shifts: releasing one keeps the shift */
    assert_true(scancode_feed(&d, 0x2a, &ev));
    assert_true(d.lshift);
    assert_true(scancode_feed(&d, 0x36, &ev));
    assert_true(d.rshift);
    assert_true(scancode_feed(&d, 0xaa, &ev));
    assert_false(d.lshift);
    assert_true(scancode_shift(&d));
    assert_int_equal(type_key(&d, row_of(KEY_A)), 'A');
    assert_true(scancode_feed(&d, 0xb6, &ev));
    assert_false(scancode_shift(&d));
    assert_int_equal(type_key(&d, row_of(KEY_A)), 'a');

    /* every modifier flag follows its key */
    const struct {
        enum key_code key;
        size_t offset;
    } mods[] = {
        {KEY_LSHIFT, offsetof(struct scancode_decoder, lshift)},
        {KEY_RSHIFT, offsetof(struct scancode_decoder, rshift)},
        {KEY_LCTRL, offsetof(struct scancode_decoder, lctrl)},
        {KEY_RCTRL, offsetof(struct scancode_decoder, rctrl)},
        {KEY_LALT, offsetof(struct scancode_decoder, lalt)},
        {KEY_RALT, offsetof(struct scancode_decoder, ralt)},
        {KEY_LWIN, offsetof(struct scancode_decoder, lwin)},
        {KEY_RWIN, offsetof(struct scancode_decoder, rwin)},
    };
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        bool *flag = (bool *)((char *)&d + mods[i].offset);
        stroke(&d, row_of(mods[i].key), true);
        assert_true(*flag);
        struct scancode_decoder copy = d;
        *(bool *)((char *)&copy + mods[i].offset) = false;
        struct scancode_decoder fresh;
        scancode_init(&fresh);
        assert_same_decoder(&copy, &fresh); /* nothing else changed */
        stroke(&d, row_of(mods[i].key), false);
        assert_false(*flag);
    }
    /* alt and AltGr do not change characters */
    stroke(&d, row_of(KEY_LALT), true);
    assert_true(scancode_alt(&d));
    assert_int_equal(type_key(&d, row_of(KEY_X)), 'x');
    stroke(&d, row_of(KEY_LALT), false);
    stroke(&d, row_of(KEY_RALT), true);
    assert_int_equal(type_key(&d, row_of(KEY_2)), '2');
    stroke(&d, row_of(KEY_RALT), false);
    assert_false(scancode_alt(&d));
}

/* ---- sequences and junk ---------------------------------------------------- */

static void test_pause_and_print_screen(void **state)
{
    (void)state;
    struct scancode_decoder d;
    scancode_init(&d);
    struct key_event ev;
    int events = 0;
    const uint8_t pause[] = {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
    for (size_t i = 0; i < sizeof pause; i++) {
        if (!scancode_feed(&d, pause[i], &ev)) continue;
        events++;
        assert_int_equal(ev.key, KEY_PAUSE);
        assert_int_equal(ev.pressed, events == 1);
        assert_int_equal(i, events == 1 ? 2 : 5);
    }
    assert_int_equal(events, 2);
    assert_false(d.lctrl); /* the 1d inside the sequence is not Ctrl */
    assert_int_equal(d.state, SCANCODE_IDLE);

    /* PrintScreen's fake shifts leave the shift state alone */
    const uint8_t prtsc_down[] = {0xe0, 0x2a, 0xe0, 0x37};
    assert_int_equal(feed_all(&d, prtsc_down, 4, &ev), 1);
    assert_int_equal(ev.key, KEY_PRINT_SCREEN);
    assert_true(ev.pressed);
    assert_false(scancode_shift(&d));
    const uint8_t prtsc_up[] = {0xe0, 0xb7, 0xe0, 0xaa};
    assert_int_equal(feed_all(&d, prtsc_up, 4, &ev), 1);
    assert_int_equal(ev.key, KEY_PRINT_SCREEN);
    assert_false(ev.pressed);

    /* with shift held, the fake shift release does not drop it */
    stroke(&d, row_of(KEY_LSHIFT), true);
    const uint8_t nav[] = {0xe0, 0xaa, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x2a};
    assert_int_equal(feed_all(&d, nav, sizeof nav, &ev), 2);
    assert_int_equal(ev.key, KEY_ARROW_UP);
    assert_true(scancode_shift(&d));

    /* a broken Pause sequence yields nothing and ends idle */
    const uint8_t broken[][3] = {
        {0xe1, 0x1d, 0x46}, {0xe1, 0x9d, 0x45}, {0xe1, 0x2a, 0x00}, {0xe1, 0x1e, 0x00}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(feed_all(&d, broken[i], 3, &ev), 0);
        assert_int_equal(d.state, SCANCODE_IDLE);
        assert_false(d.rshift || d.lctrl || d.num_lock == false); /* swallowed, not decoded */
        assert_int_equal(type_key(&d, row_of(KEY_B)), 'B');       /* shift still held */
    }
}

static void test_unknown_codes_ignored(void **state)
{
    (void)state;
    for (int e0 = 0; e0 < 2; e0++) {
        for (int code = 0; code < 0x80; code++) {
            if (find_row((uint8_t)code, e0) || code == 0x60 || code == 0x61) continue;
            for (int release = 0; release < 2; release++) {
                struct scancode_decoder d, before;
                scancode_init(&d);
                stroke(&d, row_of(KEY_RSHIFT), true);
                type_key(&d, row_of(KEY_CAPS_LOCK));
                before = d;
                struct key_event ev = {.key = KEY_WAKE, .pressed = true, .ch = 77};
                if (e0) assert_false(scancode_feed(&d, 0xe0, &ev));
                if (scancode_feed(&d, (uint8_t)(code | (release ? 0x80 : 0)), &ev))
                    fail_msg("%s%02x decoded as %s", e0 ? "e0 " : "", code | (release << 7),
                             key_name(ev.key));
                assert_int_equal(ev.key, KEY_WAKE); /* *out untouched */
                assert_int_equal(ev.ch, 77);
                assert_same_decoder(&d, &before);
                assert_int_equal(type_key(&d, row_of(KEY_Q)), 'q'); /* caps + shift */
            }
        }
    }
}

/* Every byte in every state: no crash (ASan and UBSan watch the tables), a
 * valid event or none, and the decoder idle afterwards unless the byte was a
 * prefix. */
static void test_every_byte_in_every_state(void **state)
{
    (void)state;
    const uint8_t prefixes[][2] = {{0}, {0xe0}, {0xe1}, {0xe1, 0x1d}, {0xe1, 0x9d}};
    const size_t prefix_len[] = {0, 1, 1, 2, 2};
    for (size_t p = 0; p < 5; p++) {
        for (int b = 0; b < 256; b++) {
            struct scancode_decoder d;
            struct key_event ev = {0};
            scancode_init(&d);
            assert_int_equal(feed_all(&d, prefixes[p], prefix_len[p], &ev), 0);
            bool got = scancode_feed(&d, (uint8_t)b, &ev);
            if (got) {
                assert_true(ev.key > KEY_NONE && ev.key < KEY_COUNT);
                assert_string_not_equal(key_name(ev.key), "Unknown");
                assert_int_equal(ev.pressed, (b & 0x80) == 0);
                if (p >= 3) assert_int_equal(ev.key, KEY_PAUSE);
            }
            if (b == 0xe0)
                assert_int_equal(d.state, SCANCODE_E0);
            else if (b == 0xe1)
                assert_int_equal(d.state, SCANCODE_E1);
            else if (p == 2 && b == 0x1d)
                assert_int_equal(d.state, SCANCODE_E1_1D);
            else if (p == 2 && b == 0x9d)
                assert_int_equal(d.state, SCANCODE_E1_9D);
            else
                assert_int_equal(d.state, SCANCODE_IDLE);
            /* after any prefix + byte, a fresh prefix-free sequence decodes */
            scancode_feed(&d, 0x00, &ev);
            assert_int_equal(d.state, SCANCODE_IDLE);
        }
    }
    /* a corrupted state value resets rather than indexing anything */
    struct scancode_decoder d;
    struct key_event ev;
    scancode_init(&d);
    d.state = (enum scancode_state)99;
    assert_false(scancode_feed(&d, 0x1e, &ev));
    assert_int_equal(d.state, SCANCODE_IDLE);
    assert_true(scancode_feed(&d, 0x1e, &ev));
    assert_int_equal(ev.ch, 'a');
}

static void test_key_names(void **state)
{
    (void)state;
    for (int k = KEY_NONE + 1; k < KEY_COUNT; k++) {
        const char *name = key_name((enum key_code)k);
        assert_non_null(name);
        assert_true(name[0] != 0);
        assert_string_not_equal(name, "Unknown");
        for (int j = KEY_NONE + 1; j < k; j++)
            assert_string_not_equal(name, key_name((enum key_code)j));
        row_of((enum key_code)k); /* every key is in the layout table */
    }
    assert_string_equal(key_name(KEY_NONE), "None");
    assert_string_equal(key_name(KEY_COUNT), "Unknown");
    assert_string_equal(key_name((enum key_code) - 1), "Unknown");
    assert_string_equal(key_name(KEY_ARROW_UP), "ArrowUp");
    assert_string_equal(key_name(KEY_F1), "F1");
    assert_string_equal(key_name(KEY_LSHIFT), "LShift");
    assert_string_equal(key_name(KEY_ENTER), "Return");
}

/* The event carries the modifier state the echo needs, so an echo far from
 * the decoder (the keyboard task's) sees the same. */
static void test_events_carry_the_modifiers(void **state)
{
    (void)state;
    struct scancode_decoder d;
    struct key_event ev;
    scancode_init(&d);
    assert_true(scancode_feed(&d, 0x1e, &ev));
    assert_false(ev.shift || ev.caps_lock);
    assert_true(ev.num_lock);
    assert_true(scancode_feed(&d, 0x2a, &ev)); /* LShift down: already shifted */
    assert_true(ev.shift);
    assert_true(scancode_feed(&d, 0x3a, &ev)); /* Caps Lock: already on */
    assert_true(ev.caps_lock);
    assert_true(scancode_feed(&d, 0x45, &ev)); /* Num Lock: now off */
    assert_false(ev.num_lock);
    assert_true(scancode_feed(&d, 0xaa, &ev)); /* LShift up */
    assert_false(ev.shift);
    assert_true(ev.caps_lock);
}

static void test_null_arguments_panic(void **state)
{
    (void)state;
    struct scancode_decoder d;
    struct key_event ev;
    scancode_init(&d);
    EXPECT_PANIC(scancode_feed(NULL, 0x1e, &ev), "scancode_feed");
    EXPECT_PANIC(scancode_feed(&d, 0x1e, NULL), "scancode_feed");
    EXPECT_PANIC(scancode_init(NULL), "scancode_init");
}

/* Serial input: each byte a terminal sends stands for the key press the PS/2
 * decoder would report for the same key. */
static void test_ascii_bytes_as_key_presses(void **state)
{
    (void)state;
    struct key_event ev;
    for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
        const struct key_row *r = &layout[i];
        if (strncmp(r->name, "Numpad", 6) == 0) continue;
        uint32_t chars[2] = {r->ch, r->shifted};
        for (int s = 0; s < 2; s++) {
            uint32_t c = chars[s];
            if (c < 0x20 || c >= 0x7f) continue;
            assert_true(key_event_from_ascii((uint8_t)c, &ev));
            assert_int_equal(ev.key, r->key);
            assert_int_equal(ev.ch, c);
            assert_true(ev.pressed);
        }
    }
    assert_true(key_event_from_ascii('\r', &ev));
    assert_int_equal(ev.key, KEY_ENTER);
    assert_int_equal(ev.ch, '\n');
    assert_true(key_event_from_ascii(0x7f, &ev));
    assert_int_equal(ev.key, KEY_BACKSPACE);
    assert_int_equal(ev.ch, 0x08);
    assert_true(key_event_from_ascii(0x1b, &ev));
    assert_int_equal(ev.key, KEY_ESCAPE);
    assert_true(key_event_from_ascii('\t', &ev));
    assert_int_equal(ev.key, KEY_TAB);
    for (uint8_t c = 1; c <= 26; c++) {
        if (c == '\t' || c == '\n' || c == '\r' || c == 0x08) continue;
        assert_true(key_event_from_ascii(c, &ev));
        assert_int_equal(ev.ch, c);
        char letter[2] = {(char)('A' + c - 1), 0};
        assert_string_equal(key_name(ev.key), letter);
    }
    ev.key = KEY_F1;
    uint8_t refused[] = {0x00, 0x1c, 0x1d, 0x1e, 0x1f, 0x80, 0xff};
    for (size_t i = 0; i < sizeof refused; i++) assert_false(key_event_from_ascii(refused[i], &ev));
    assert_int_equal(ev.key, KEY_F1); /* untouched */
    EXPECT_PANIC(key_event_from_ascii('a', NULL), "key_event_from_ascii: NULL out");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_press_and_release),
        cmocka_unit_test(test_every_key_with_shift),
        cmocka_unit_test(test_caps_lock),
        cmocka_unit_test(test_lock_keys_ignore_typematic_repeat),
        cmocka_unit_test(test_num_lock_gates_keypad_digits),
        cmocka_unit_test(test_ctrl_letters_give_control_characters),
        cmocka_unit_test(test_modifier_tracking),
        cmocka_unit_test(test_pause_and_print_screen),
        cmocka_unit_test(test_unknown_codes_ignored),
        cmocka_unit_test(test_every_byte_in_every_state),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_null_arguments_panic),
        cmocka_unit_test(test_ascii_bytes_as_key_presses),
        cmocka_unit_test(test_events_carry_the_modifiers),
    };
    return RUN_TESTS(tests);
}
