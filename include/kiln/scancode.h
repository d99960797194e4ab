/* The PS/2 scancode-set-1 decoder, US 104-key layout (drivers/scancode.c).
 *
 * Pure: the keyboard driver reads port 0x60 and feeds each byte here; the
 * decoder keeps the prefix and modifier state and turns bytes into key events,
 * as pc-keyboard's Keyboard::add_byte + process_keyevent do for the blog.
 *
 *   press:   code            release: code | 0x80
 *   extended keys:   0xe0 code / 0xe0 (code | 0x80)
 *   Pause:   e1 1d 45 e1 9d c5 (sent whole on press): a press, then a release
 *   PrintScreen:     e0 2a e0 37 / e0 b7 e0 aa (the e0 2a / e0 aa "fake
 *                    shifts" are dropped, so shift state is untouched)
 *
 * Characters (key_event.ch):
 * - letters: upper case iff shift XOR caps lock; with ctrl held, the control
 *   character (Ctrl+A = 0x01 ... Ctrl+Z = 0x1a) whatever shift and caps say;
 * - digits and punctuation: the US shifted symbol with shift (caps lock has
 *   no effect; ctrl neither);
 * - Enter and keypad Enter '\n', Tab '\t', Backspace 0x08, Escape 0x1b,
 *   Delete 0x7f, Space ' ';
 * - keypad digits and '.': only while num lock is on (it starts on), and
 *   shift does not change them; keypad / * - + always;
 * - everything else (modifiers, locks, F-keys, arrows, ...): 0.
 * Releases always carry ch == 0. Alt and AltGr do not change characters.
 */
#ifndef KILN_SCANCODE_H
#define KILN_SCANCODE_H

#include <stdbool.h>
#include <stdint.h>

/* The physical keys, in keyboard order (row by row, left to right). */
/* clang-format off */
enum key_code {
    KEY_NONE = 0,
    /* top row */
    KEY_ESCAPE, KEY_F1, KEY_F2, KEY_F3, KEY_F4, KEY_F5, KEY_F6, KEY_F7, KEY_F8, KEY_F9, KEY_F10,
    KEY_F11, KEY_F12, KEY_PRINT_SCREEN, KEY_SYSRQ, KEY_SCROLL_LOCK, KEY_PAUSE,
    /* digit row */
    KEY_BACKTICK, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0, KEY_MINUS,
    KEY_EQUALS, KEY_BACKSPACE, KEY_INSERT, KEY_HOME, KEY_PAGE_UP, KEY_NUM_LOCK, KEY_KP_DIVIDE,
    KEY_KP_MULTIPLY, KEY_KP_SUBTRACT,
    /* QWERTY row */
    KEY_TAB, KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P, KEY_LBRACKET,
    KEY_RBRACKET, KEY_BACKSLASH, KEY_DELETE, KEY_END, KEY_PAGE_DOWN, KEY_KP_7, KEY_KP_8, KEY_KP_9,
    KEY_KP_ADD,
    /* home row */
    KEY_CAPS_LOCK, KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L, KEY_SEMICOLON,
    KEY_QUOTE, KEY_ENTER, KEY_KP_4, KEY_KP_5, KEY_KP_6,
    /* bottom row */
    KEY_LSHIFT, KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M, KEY_COMMA, KEY_PERIOD, KEY_SLASH,
    KEY_RSHIFT, KEY_ARROW_UP, KEY_KP_1, KEY_KP_2, KEY_KP_3, KEY_KP_ENTER,
    /* space row */
    KEY_LCTRL, KEY_LWIN, KEY_LALT, KEY_SPACE, KEY_RALT, KEY_RWIN, KEY_APPS, KEY_RCTRL,
    KEY_ARROW_LEFT, KEY_ARROW_DOWN, KEY_ARROW_RIGHT, KEY_KP_0, KEY_KP_PERIOD,
    /* multimedia and ACPI keys (all e0-prefixed) */
    KEY_PREV_TRACK, KEY_NEXT_TRACK, KEY_MUTE, KEY_CALCULATOR, KEY_PLAY, KEY_STOP,
    KEY_VOLUME_DOWN, KEY_VOLUME_UP, KEY_WWW_HOME, KEY_POWER, KEY_SLEEP, KEY_WAKE,
    KEY_COUNT
};
/* clang-format on */

/* Where the decoder is inside a multi-byte sequence. */
enum scancode_state {
    SCANCODE_IDLE = 0, /* between sequences */
    SCANCODE_E0,       /* after 0xe0 */
    SCANCODE_E1,       /* after 0xe1 */
    SCANCODE_E1_1D,    /* after 0xe1 0x1d (Pause make) */
    SCANCODE_E1_9D,    /* after 0xe1 0x9d (Pause break) */
};

/* Readable by callers; changed only by scancode_feed. Each modifier flag is
 * true while that key is held. A lock flag flips on the first press of its
 * key; typematic repeats of a held key (*_held) do not flip it again. */
struct scancode_decoder {
    enum scancode_state state;
    bool lshift, rshift, lctrl, rctrl, lalt, ralt, lwin, rwin;
    bool caps_lock, num_lock, scroll_lock;
    bool caps_held, num_held, scroll_held;
};

struct key_event {
    enum key_code key;
    bool pressed; /* false: released */
    uint32_t ch;  /* the character a press produces (see the top), else 0 */
    /* The decoder's state once this event is taken in: either shift held,
     * caps lock on, num lock on (what pc-keyboard's layouts read). */
    bool shift, caps_lock, num_lock;
};

/* Reset *d: idle, no modifier held, caps and scroll lock off, num lock on. */
void scancode_init(struct scancode_decoder *d);

/* Feed one byte read from port 0x60. Returns true and fills *out when the
 * byte completes a key event; false for a prefix, an unassigned code, or the
 * dropped half of a sequence (*out is then untouched). Any byte is accepted in
 * any state: a byte that breaks a sequence returns the decoder to idle.
 * Panics when d or out is NULL. */
bool scancode_feed(struct scancode_decoder *d, uint8_t byte, struct key_event *out);

/* True while either key of the pair is held. */
bool scancode_shift(const struct scancode_decoder *d);
bool scancode_ctrl(const struct scancode_decoder *d);
bool scancode_alt(const struct scancode_decoder *d);

/* The key press a terminal's byte stands for (serial input, so typing in a
 * terminal reaches the same consumer as the PS/2 keyboard): printable ASCII
 * as the US-layout key that types it (not the keypad's), '\r' and '\n' as
 * Enter ('\n'), 0x08 and 0x7f as Backspace (0x08), '\t' as Tab, 0x1b as
 * Escape, 0x01..0x1a as Ctrl+letter (ch = the byte, as the decoder reports
 * Ctrl+letter). Returns false, leaving *out alone, for any other byte. */
bool key_event_from_ascii(uint8_t byte, struct key_event *out);

/* The key's name as pc-keyboard 0.7's KeyCode (the blog's version) spells
 * it: "ArrowUp", "F1", "LShift", "Return", "Key1", "Oem8" (the backtick),
 * "Spacebar", ...; "Unknown" outside the enum. */
const char *key_name(enum key_code key);

#endif
