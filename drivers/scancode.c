/* The PS/2 scancode-set-1 decoder (contract in include/kiln/scancode.h).
 *
 * Two 128-entry tables map a code (byte & 0x7f) to a key, one plain and one
 * after 0xe0; bit 7 of the byte says release. Every index is masked to 7
 * bits, so any byte in any state is in bounds. Characters come from two more
 * tables indexed by key_code. Pure code: no port access, no globals written.
 */
#include <stddef.h>

#include "kiln/scancode.h"
#include "kiln/panic.h"

_Static_assert(KEY_COUNT <= 256, "key codes must fit the uint8_t tables");

/* Set 1 without prefix. Unlisted codes (0x00, 0x55, 0x56 (the ISO 102nd key,
 * absent on US 104), 0x59..0x7f) are KEY_NONE and ignored. */
static const uint8_t set1_plain[128] = {
    [0x01] = KEY_ESCAPE,   [0x02] = KEY_1,           [0x03] = KEY_2,           [0x04] = KEY_3,
    [0x05] = KEY_4,        [0x06] = KEY_5,           [0x07] = KEY_6,           [0x08] = KEY_7,
    [0x09] = KEY_8,        [0x0a] = KEY_9,           [0x0b] = KEY_0,           [0x0c] = KEY_MINUS,
    [0x0d] = KEY_EQUALS,   [0x0e] = KEY_BACKSPACE,   [0x0f] = KEY_TAB,         [0x10] = KEY_Q,
    [0x11] = KEY_W,        [0x12] = KEY_E,           [0x13] = KEY_R,           [0x14] = KEY_T,
    [0x15] = KEY_Y,        [0x16] = KEY_U,           [0x17] = KEY_I,           [0x18] = KEY_O,
    [0x19] = KEY_P,        [0x1a] = KEY_LBRACKET,    [0x1b] = KEY_RBRACKET,    [0x1c] = KEY_ENTER,
    [0x1d] = KEY_LCTRL,    [0x1e] = KEY_A,           [0x1f] = KEY_S,           [0x20] = KEY_D,
    [0x21] = KEY_F,        [0x22] = KEY_G,           [0x23] = KEY_H,           [0x24] = KEY_J,
    [0x25] = KEY_K,        [0x26] = KEY_L,           [0x27] = KEY_SEMICOLON,   [0x28] = KEY_QUOTE,
    [0x29] = KEY_BACKTICK, [0x2a] = KEY_LSHIFT,      [0x2b] = KEY_BACKSLASH,   [0x2c] = KEY_Z,
    [0x2d] = KEY_X,        [0x2e] = KEY_C,           [0x2f] = KEY_V,           [0x30] = KEY_B,
    [0x31] = KEY_N,        [0x32] = KEY_M,           [0x33] = KEY_COMMA,       [0x34] = KEY_PERIOD,
    [0x35] = KEY_SLASH,    [0x36] = KEY_RSHIFT,      [0x37] = KEY_KP_MULTIPLY, [0x38] = KEY_LALT,
    [0x39] = KEY_SPACE,    [0x3a] = KEY_CAPS_LOCK,   [0x3b] = KEY_F1,          [0x3c] = KEY_F2,
    [0x3d] = KEY_F3,       [0x3e] = KEY_F4,          [0x3f] = KEY_F5,          [0x40] = KEY_F6,
    [0x41] = KEY_F7,       [0x42] = KEY_F8,          [0x43] = KEY_F9,          [0x44] = KEY_F10,
    [0x45] = KEY_NUM_LOCK, [0x46] = KEY_SCROLL_LOCK, [0x47] = KEY_KP_7,        [0x48] = KEY_KP_8,
    [0x49] = KEY_KP_9,     [0x4a] = KEY_KP_SUBTRACT, [0x4b] = KEY_KP_4,        [0x4c] = KEY_KP_5,
    [0x4d] = KEY_KP_6,     [0x4e] = KEY_KP_ADD,      [0x4f] = KEY_KP_1,        [0x50] = KEY_KP_2,
    [0x51] = KEY_KP_3,     [0x52] = KEY_KP_0,        [0x53] = KEY_KP_PERIOD,   [0x54] = KEY_SYSRQ,
    [0x57] = KEY_F11,      [0x58] = KEY_F12,
};

/* Set 1 after 0xe0. 0x2a and 0x36 (the fake shifts around PrintScreen and
 * the navigation keys) are deliberately KEY_NONE. */
static const uint8_t set1_e0[128] = {
    [0x10] = KEY_PREV_TRACK,   [0x19] = KEY_NEXT_TRACK,  [0x1c] = KEY_KP_ENTER,
    [0x1d] = KEY_RCTRL,        [0x20] = KEY_MUTE,        [0x21] = KEY_CALCULATOR,
    [0x22] = KEY_PLAY,         [0x24] = KEY_STOP,        [0x2e] = KEY_VOLUME_DOWN,
    [0x30] = KEY_VOLUME_UP,    [0x32] = KEY_WWW_HOME,    [0x35] = KEY_KP_DIVIDE,
    [0x37] = KEY_PRINT_SCREEN, [0x38] = KEY_RALT,        [0x46] = KEY_PAUSE, /* Ctrl+Break */
    [0x47] = KEY_HOME,         [0x48] = KEY_ARROW_UP,    [0x49] = KEY_PAGE_UP,
    [0x4b] = KEY_ARROW_LEFT,   [0x4d] = KEY_ARROW_RIGHT, [0x4f] = KEY_END,
    [0x50] = KEY_ARROW_DOWN,   [0x51] = KEY_PAGE_DOWN,   [0x52] = KEY_INSERT,
    [0x53] = KEY_DELETE,       [0x5b] = KEY_LWIN,        [0x5c] = KEY_RWIN,
    [0x5d] = KEY_APPS,         [0x5e] = KEY_POWER,       [0x5f] = KEY_SLEEP,
    [0x63] = KEY_WAKE,
};

/* The character of each key without shift (letters lower case). */
static const char plain_char[KEY_COUNT] = {
    [KEY_ESCAPE] = 0x1b,   [KEY_BACKTICK] = '`',    [KEY_1] = '1',
    [KEY_2] = '2',         [KEY_3] = '3',           [KEY_4] = '4',
    [KEY_5] = '5',         [KEY_6] = '6',           [KEY_7] = '7',
    [KEY_8] = '8',         [KEY_9] = '9',           [KEY_0] = '0',
    [KEY_MINUS] = '-',     [KEY_EQUALS] = '=',      [KEY_BACKSPACE] = 0x08,
    [KEY_KP_DIVIDE] = '/', [KEY_KP_MULTIPLY] = '*', [KEY_KP_SUBTRACT] = '-',
    [KEY_TAB] = '\t',      [KEY_Q] = 'q',           [KEY_W] = 'w',
    [KEY_E] = 'e',         [KEY_R] = 'r',           [KEY_T] = 't',
    [KEY_Y] = 'y',         [KEY_U] = 'u',           [KEY_I] = 'i',
    [KEY_O] = 'o',         [KEY_P] = 'p',           [KEY_LBRACKET] = '[',
    [KEY_RBRACKET] = ']',  [KEY_BACKSLASH] = '\\',  [KEY_DELETE] = 0x7f,
    [KEY_KP_7] = '7',      [KEY_KP_8] = '8',        [KEY_KP_9] = '9',
    [KEY_KP_ADD] = '+',    [KEY_A] = 'a',           [KEY_S] = 's',
    [KEY_D] = 'd',         [KEY_F] = 'f',           [KEY_G] = 'g',
    [KEY_H] = 'h',         [KEY_J] = 'j',           [KEY_K] = 'k',
    [KEY_L] = 'l',         [KEY_SEMICOLON] = ';',   [KEY_QUOTE] = '\'',
    [KEY_ENTER] = '\n',    [KEY_KP_4] = '4',        [KEY_KP_5] = '5',
    [KEY_KP_6] = '6',      [KEY_Z] = 'z',           [KEY_X] = 'x',
    [KEY_C] = 'c',         [KEY_V] = 'v',           [KEY_B] = 'b',
    [KEY_N] = 'n',         [KEY_M] = 'm',           [KEY_COMMA] = ',',
    [KEY_PERIOD] = '.',    [KEY_SLASH] = '/',       [KEY_KP_1] = '1',
    [KEY_KP_2] = '2',      [KEY_KP_3] = '3',        [KEY_KP_ENTER] = '\n',
    [KEY_SPACE] = ' ',     [KEY_KP_0] = '0',        [KEY_KP_PERIOD] = '.',
};

/* With shift, where it differs (US layout). Letters are handled apart. */
static const char shifted_char[KEY_COUNT] = {
    [KEY_BACKTICK] = '~',  [KEY_1] = '!',        [KEY_2] = '@',        [KEY_3] = '#',
    [KEY_4] = '$',         [KEY_5] = '%',        [KEY_6] = '^',        [KEY_7] = '&',
    [KEY_8] = '*',         [KEY_9] = '(',        [KEY_0] = ')',        [KEY_MINUS] = '_',
    [KEY_EQUALS] = '+',    [KEY_LBRACKET] = '{', [KEY_RBRACKET] = '}', [KEY_BACKSLASH] = '|',
    [KEY_SEMICOLON] = ':', [KEY_QUOTE] = '"',    [KEY_COMMA] = '<',    [KEY_PERIOD] = '>',
    [KEY_SLASH] = '?',
};

/* clang-format off */
static const char *const names[KEY_COUNT] = {
    [KEY_NONE] = "None", [KEY_ESCAPE] = "Escape", [KEY_F1] = "F1", [KEY_F2] = "F2",
    [KEY_F3] = "F3", [KEY_F4] = "F4", [KEY_F5] = "F5", [KEY_F6] = "F6", [KEY_F7] = "F7",
    [KEY_F8] = "F8", [KEY_F9] = "F9", [KEY_F10] = "F10", [KEY_F11] = "F11", [KEY_F12] = "F12",
    [KEY_PRINT_SCREEN] = "PrintScreen", [KEY_SYSRQ] = "SysRq", [KEY_SCROLL_LOCK] = "ScrollLock",
    [KEY_PAUSE] = "PauseBreak", [KEY_BACKTICK] = "Oem8", [KEY_1] = "Key1", [KEY_2] = "Key2",
    [KEY_3] = "Key3", [KEY_4] = "Key4", [KEY_5] = "Key5", [KEY_6] = "Key6", [KEY_7] = "Key7",
    [KEY_8] = "Key8", [KEY_9] = "Key9", [KEY_0] = "Key0", [KEY_MINUS] = "OemMinus",
    [KEY_EQUALS] = "OemPlus", [KEY_BACKSPACE] = "Backspace", [KEY_INSERT] = "Insert",
    [KEY_HOME] = "Home", [KEY_PAGE_UP] = "PageUp", [KEY_NUM_LOCK] = "NumpadLock",
    [KEY_KP_DIVIDE] = "NumpadDivide", [KEY_KP_MULTIPLY] = "NumpadMultiply",
    [KEY_KP_SUBTRACT] = "NumpadSubtract", [KEY_TAB] = "Tab", [KEY_Q] = "Q", [KEY_W] = "W",
    [KEY_E] = "E", [KEY_R] = "R", [KEY_T] = "T", [KEY_Y] = "Y", [KEY_U] = "U", [KEY_I] = "I",
    [KEY_O] = "O", [KEY_P] = "P", [KEY_LBRACKET] = "Oem4",
    [KEY_RBRACKET] = "Oem6", [KEY_BACKSLASH] = "Oem7",
    [KEY_DELETE] = "Delete", [KEY_END] = "End", [KEY_PAGE_DOWN] = "PageDown",
    [KEY_KP_7] = "Numpad7", [KEY_KP_8] = "Numpad8", [KEY_KP_9] = "Numpad9",
    [KEY_KP_ADD] = "NumpadAdd", [KEY_CAPS_LOCK] = "CapsLock", [KEY_A] = "A", [KEY_S] = "S",
    [KEY_D] = "D", [KEY_F] = "F", [KEY_G] = "G", [KEY_H] = "H", [KEY_J] = "J", [KEY_K] = "K",
    [KEY_L] = "L", [KEY_SEMICOLON] = "Oem1", [KEY_QUOTE] = "Oem3", [KEY_ENTER] = "Return",
    [KEY_KP_4] = "Numpad4", [KEY_KP_5] = "Numpad5", [KEY_KP_6] = "Numpad6",
    [KEY_LSHIFT] = "LShift", [KEY_Z] = "Z", [KEY_X] = "X", [KEY_C] = "C", [KEY_V] = "V",
    [KEY_B] = "B", [KEY_N] = "N", [KEY_M] = "M", [KEY_COMMA] = "OemComma",
    [KEY_PERIOD] = "OemPeriod", [KEY_SLASH] = "Oem2", [KEY_RSHIFT] = "RShift",
    [KEY_ARROW_UP] = "ArrowUp", [KEY_KP_1] = "Numpad1", [KEY_KP_2] = "Numpad2",
    [KEY_KP_3] = "Numpad3", [KEY_KP_ENTER] = "NumpadEnter", [KEY_LCTRL] = "LControl",
    [KEY_LWIN] = "LWin", [KEY_LALT] = "LAlt", [KEY_SPACE] = "Spacebar", [KEY_RALT] = "RAltGr",
    [KEY_RWIN] = "RWin", [KEY_APPS] = "Apps", [KEY_RCTRL] = "RControl",
    [KEY_ARROW_LEFT] = "ArrowLeft", [KEY_ARROW_DOWN] = "ArrowDown",
    [KEY_ARROW_RIGHT] = "ArrowRight", [KEY_KP_0] = "Numpad0", [KEY_KP_PERIOD] = "NumpadPeriod",
    [KEY_PREV_TRACK] = "PrevTrack", [KEY_NEXT_TRACK] = "NextTrack", [KEY_MUTE] = "Mute",
    [KEY_CALCULATOR] = "Calculator", [KEY_PLAY] = "Play", [KEY_STOP] = "Stop",
    [KEY_VOLUME_DOWN] = "VolumeDown", [KEY_VOLUME_UP] = "VolumeUp", [KEY_WWW_HOME] = "WWWHome",
    [KEY_POWER] = "Power", [KEY_SLEEP] = "Sleep", [KEY_WAKE] = "Wake",
};
/* clang-format on */

const char *key_name(enum key_code key)
{
    if ((unsigned)key >= KEY_COUNT || names[key] == NULL) return "Unknown";
    return names[key];
}

void scancode_init(struct scancode_decoder *d)
{
    if (d == NULL) panic("scancode_init: decoder is NULL");
    *d = (struct scancode_decoder){.state = SCANCODE_IDLE, .num_lock = true};
}

bool scancode_shift(const struct scancode_decoder *d)
{
    return d->lshift || d->rshift;
}
bool scancode_ctrl(const struct scancode_decoder *d)
{
    return d->lctrl || d->rctrl;
}
bool scancode_alt(const struct scancode_decoder *d)
{
    return d->lalt || d->ralt;
}

/* Keypad keys that type only while num lock is on. */
static const bool numlock_key[KEY_COUNT] = {
    [KEY_KP_0] = true, [KEY_KP_1] = true, [KEY_KP_2] = true,      [KEY_KP_3] = true,
    [KEY_KP_4] = true, [KEY_KP_5] = true, [KEY_KP_6] = true,      [KEY_KP_7] = true,
    [KEY_KP_8] = true, [KEY_KP_9] = true, [KEY_KP_PERIOD] = true,
};

/* The character a press of k produces under the current modifiers. */
static uint32_t key_char(const struct scancode_decoder *d, enum key_code k)
{
    char c = plain_char[k];
    if (c >= 'a' && c <= 'z') {
        if (scancode_ctrl(d)) return (uint32_t)(c - 'a' + 1);
        return (uint32_t)(scancode_shift(d) != d->caps_lock ? c - 'a' + 'A' : c);
    }
    if (numlock_key[k]) return d->num_lock ? (uint32_t)c : 0;
    if (scancode_shift(d) && shifted_char[k] != 0) return (uint32_t)shifted_char[k];
    return (uint32_t)(unsigned char)c;
}

/* Flip *lock on the first press of its key, not on typematic repeats. */
static void toggle_lock(bool *lock, bool *held, bool pressed)
{
    if (pressed && !*held) *lock = !*lock;
    *held = pressed;
}

/* Complete an event for key (KEY_NONE: nothing, return false). */
static bool emit(struct scancode_decoder *d, enum key_code key, bool pressed, struct key_event *out)
{
    if (key == KEY_NONE) return false;
    /* clang-format off */
    switch (key) {
    case KEY_LSHIFT: d->lshift = pressed; break;
    case KEY_RSHIFT: d->rshift = pressed; break;
    case KEY_LCTRL: d->lctrl = pressed; break;
    case KEY_RCTRL: d->rctrl = pressed; break;
    case KEY_LALT: d->lalt = pressed; break;
    case KEY_RALT: d->ralt = pressed; break;
    case KEY_LWIN: d->lwin = pressed; break;
    case KEY_RWIN: d->rwin = pressed; break;
    case KEY_CAPS_LOCK: toggle_lock(&d->caps_lock, &d->caps_held, pressed); break;
    case KEY_NUM_LOCK: toggle_lock(&d->num_lock, &d->num_held, pressed); break;
    case KEY_SCROLL_LOCK: toggle_lock(&d->scroll_lock, &d->scroll_held, pressed); break;
    default: break;
    }
    /* clang-format on */
    out->key = key;
    out->pressed = pressed;
    out->ch = pressed ? key_char(d, key) : 0;
    out->shift = scancode_shift(d);
    out->caps_lock = d->caps_lock;
    out->num_lock = d->num_lock;
    return true;
}

bool scancode_feed(struct scancode_decoder *d, uint8_t byte, struct key_event *out)
{
    if (d == NULL || out == NULL) panic("scancode_feed: decoder or event is NULL");
    /* A prefix always starts a new sequence, whatever was pending. */
    if (byte == 0xe0) {
        d->state = SCANCODE_E0;
        return false;
    }
    if (byte == 0xe1) {
        d->state = SCANCODE_E1;
        return false;
    }
    enum scancode_state state = d->state;
    d->state = SCANCODE_IDLE;
    bool pressed = (byte & 0x80) == 0;
    switch (state) {
    case SCANCODE_IDLE:
        return emit(d, set1_plain[byte & 0x7f], pressed, out);
    case SCANCODE_E0:
        return emit(d, set1_e0[byte & 0x7f], pressed, out);
    case SCANCODE_E1:
        if (byte == 0x1d) d->state = SCANCODE_E1_1D;
        if (byte == 0x9d) d->state = SCANCODE_E1_9D;
        return false;
    case SCANCODE_E1_1D:
        return byte == 0x45 && emit(d, KEY_PAUSE, true, out);
    case SCANCODE_E1_9D:
        return byte == 0xc5 && emit(d, KEY_PAUSE, false, out);
    }
    return false; /* a corrupted state: now idle again */
}

/* A key that types c without the numeric keypad, or KEY_NONE. */
static enum key_code key_typing(char c, bool *shifted)
{
    for (int k = 0; k < KEY_COUNT; k++) {
        if (names[k] && names[k][0] == 'N' && names[k][1] == 'u') continue; /* Numpad* */
        if (plain_char[k] == c) {
            *shifted = false;
            return (enum key_code)k;
        }
        if (shifted_char[k] == c) {
            *shifted = true;
            return (enum key_code)k;
        }
    }
    return KEY_NONE;
}

bool key_event_from_ascii(uint8_t byte, struct key_event *out)
{
    if (!out) panic("key_event_from_ascii: NULL out");
    bool shifted = false;
    enum key_code key = KEY_NONE;
    uint32_t ch = byte;
    if (byte == '\r' || byte == '\n') {
        key = KEY_ENTER, ch = '\n';
    } else if (byte == 0x08 || byte == 0x7f) { /* a terminal's Backspace sends either */
        key = KEY_BACKSPACE, ch = 0x08;
    } else if (byte == '\t' || byte == 0x1b) {
        key = key_typing((char)byte, &shifted);
    } else if (byte >= 0x01 && byte <= 0x1a) { /* Ctrl+letter, as the decoder reports it */
        key = key_typing((char)('a' + byte - 1), &shifted);
    } else if (byte >= 'A' && byte <= 'Z') {
        key = key_typing((char)(byte - 'A' + 'a'), &shifted);
    } else if (byte >= 0x20 && byte < 0x7f) {
        key = key_typing((char)byte, &shifted);
    }
    if (key == KEY_NONE) return false;
    /* The modifiers as a keyboard would have them: shift for capitals and
     * shifted symbols, num lock on (the decoder's start). */
    *out = (struct key_event){.key = key,
                              .pressed = true,
                              .ch = ch,
                              .shift = shifted || (byte >= 'A' && byte <= 'Z'),
                              .num_lock = true};
    return true;
}
