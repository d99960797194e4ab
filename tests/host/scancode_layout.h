/* The US 104-key layout in scancode set 1 as the host tests of the decoder
 * (test_scancode.c) and of the echo (test_key_echo.c) expect it, and a
 * helper that feeds one key stroke. */
#ifndef KILN_TEST_SCANCODE_LAYOUT_H
#define KILN_TEST_SCANCODE_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "support.h"
#include "kiln/scancode.h"

struct key_row {
    uint8_t code; /* the make code, without 0x80 */
    bool e0;      /* sent after an 0xe0 prefix */
    enum key_code key;
    const char *name;
    uint32_t ch;      /* character of a plain press (num lock on), 0 for none */
    uint32_t shifted; /* character with shift held */
};

/* clang-format off */
static const struct key_row layout[] = {
    {0x01, 0, KEY_ESCAPE, "Escape", 0x1b, 0x1b},
    {0x02, 0, KEY_1, "Key1", '1', '!'}, {0x03, 0, KEY_2, "Key2", '2', '@'},
    {0x04, 0, KEY_3, "Key3", '3', '#'}, {0x05, 0, KEY_4, "Key4", '4', '$'},
    {0x06, 0, KEY_5, "Key5", '5', '%'}, {0x07, 0, KEY_6, "Key6", '6', '^'},
    {0x08, 0, KEY_7, "Key7", '7', '&'}, {0x09, 0, KEY_8, "Key8", '8', '*'},
    {0x0a, 0, KEY_9, "Key9", '9', '('}, {0x0b, 0, KEY_0, "Key0", '0', ')'},
    {0x0c, 0, KEY_MINUS, "OemMinus", '-', '_'}, {0x0d, 0, KEY_EQUALS, "OemPlus", '=', '+'},
    {0x0e, 0, KEY_BACKSPACE, "Backspace", 0x08, 0x08}, {0x0f, 0, KEY_TAB, "Tab", '\t', '\t'},
    {0x10, 0, KEY_Q, "Q", 'q', 'Q'}, {0x11, 0, KEY_W, "W", 'w', 'W'},
    {0x12, 0, KEY_E, "E", 'e', 'E'}, {0x13, 0, KEY_R, "R", 'r', 'R'},
    {0x14, 0, KEY_T, "T", 't', 'T'}, {0x15, 0, KEY_Y, "Y", 'y', 'Y'},
    {0x16, 0, KEY_U, "U", 'u', 'U'}, {0x17, 0, KEY_I, "I", 'i', 'I'},
    {0x18, 0, KEY_O, "O", 'o', 'O'}, {0x19, 0, KEY_P, "P", 'p', 'P'},
    {0x1a, 0, KEY_LBRACKET, "Oem4", '[', '{'},
    {0x1b, 0, KEY_RBRACKET, "Oem6", ']', '}'},
    {0x1c, 0, KEY_ENTER, "Return", '\n', '\n'}, {0x1d, 0, KEY_LCTRL, "LControl", 0, 0},
    {0x1e, 0, KEY_A, "A", 'a', 'A'}, {0x1f, 0, KEY_S, "S", 's', 'S'},
    {0x20, 0, KEY_D, "D", 'd', 'D'}, {0x21, 0, KEY_F, "F", 'f', 'F'},
    {0x22, 0, KEY_G, "G", 'g', 'G'}, {0x23, 0, KEY_H, "H", 'h', 'H'},
    {0x24, 0, KEY_J, "J", 'j', 'J'}, {0x25, 0, KEY_K, "K", 'k', 'K'},
    {0x26, 0, KEY_L, "L", 'l', 'L'}, {0x27, 0, KEY_SEMICOLON, "Oem1", ';', ':'},
    {0x28, 0, KEY_QUOTE, "Oem3", '\'', '"'}, {0x29, 0, KEY_BACKTICK, "Oem8", '`', '~'},
    {0x2a, 0, KEY_LSHIFT, "LShift", 0, 0}, {0x2b, 0, KEY_BACKSLASH, "Oem7", '\\', '|'},
    {0x2c, 0, KEY_Z, "Z", 'z', 'Z'}, {0x2d, 0, KEY_X, "X", 'x', 'X'},
    {0x2e, 0, KEY_C, "C", 'c', 'C'}, {0x2f, 0, KEY_V, "V", 'v', 'V'},
    {0x30, 0, KEY_B, "B", 'b', 'B'}, {0x31, 0, KEY_N, "N", 'n', 'N'},
    {0x32, 0, KEY_M, "M", 'm', 'M'}, {0x33, 0, KEY_COMMA, "OemComma", ',', '<'},
    {0x34, 0, KEY_PERIOD, "OemPeriod", '.', '>'}, {0x35, 0, KEY_SLASH, "Oem2", '/', '?'},
    {0x36, 0, KEY_RSHIFT, "RShift", 0, 0},
    {0x37, 0, KEY_KP_MULTIPLY, "NumpadMultiply", '*', '*'},
    {0x38, 0, KEY_LALT, "LAlt", 0, 0}, {0x39, 0, KEY_SPACE, "Spacebar", ' ', ' '},
    {0x3a, 0, KEY_CAPS_LOCK, "CapsLock", 0, 0},
    {0x3b, 0, KEY_F1, "F1", 0, 0}, {0x3c, 0, KEY_F2, "F2", 0, 0},
    {0x3d, 0, KEY_F3, "F3", 0, 0}, {0x3e, 0, KEY_F4, "F4", 0, 0},
    {0x3f, 0, KEY_F5, "F5", 0, 0}, {0x40, 0, KEY_F6, "F6", 0, 0},
    {0x41, 0, KEY_F7, "F7", 0, 0}, {0x42, 0, KEY_F8, "F8", 0, 0},
    {0x43, 0, KEY_F9, "F9", 0, 0}, {0x44, 0, KEY_F10, "F10", 0, 0},
    {0x45, 0, KEY_NUM_LOCK, "NumpadLock", 0, 0}, {0x46, 0, KEY_SCROLL_LOCK, "ScrollLock", 0, 0},
    {0x47, 0, KEY_KP_7, "Numpad7", '7', '7'}, {0x48, 0, KEY_KP_8, "Numpad8", '8', '8'},
    {0x49, 0, KEY_KP_9, "Numpad9", '9', '9'},
    {0x4a, 0, KEY_KP_SUBTRACT, "NumpadSubtract", '-', '-'},
    {0x4b, 0, KEY_KP_4, "Numpad4", '4', '4'}, {0x4c, 0, KEY_KP_5, "Numpad5", '5', '5'},
    {0x4d, 0, KEY_KP_6, "Numpad6", '6', '6'}, {0x4e, 0, KEY_KP_ADD, "NumpadAdd", '+', '+'},
    {0x4f, 0, KEY_KP_1, "Numpad1", '1', '1'}, {0x50, 0, KEY_KP_2, "Numpad2", '2', '2'},
    {0x51, 0, KEY_KP_3, "Numpad3", '3', '3'}, {0x52, 0, KEY_KP_0, "Numpad0", '0', '0'},
    {0x53, 0, KEY_KP_PERIOD, "NumpadPeriod", '.', '.'}, {0x54, 0, KEY_SYSRQ, "SysRq", 0, 0},
    {0x57, 0, KEY_F11, "F11", 0, 0}, {0x58, 0, KEY_F12, "F12", 0, 0},
    /* extended keys */
    {0x10, 1, KEY_PREV_TRACK, "PrevTrack", 0, 0}, {0x19, 1, KEY_NEXT_TRACK, "NextTrack", 0, 0},
    {0x1c, 1, KEY_KP_ENTER, "NumpadEnter", '\n', '\n'},
    {0x1d, 1, KEY_RCTRL, "RControl", 0, 0}, {0x20, 1, KEY_MUTE, "Mute", 0, 0},
    {0x21, 1, KEY_CALCULATOR, "Calculator", 0, 0}, {0x22, 1, KEY_PLAY, "Play", 0, 0},
    {0x24, 1, KEY_STOP, "Stop", 0, 0}, {0x2e, 1, KEY_VOLUME_DOWN, "VolumeDown", 0, 0},
    {0x30, 1, KEY_VOLUME_UP, "VolumeUp", 0, 0}, {0x32, 1, KEY_WWW_HOME, "WWWHome", 0, 0},
    {0x35, 1, KEY_KP_DIVIDE, "NumpadDivide", '/', '/'},
    {0x37, 1, KEY_PRINT_SCREEN, "PrintScreen", 0, 0}, {0x38, 1, KEY_RALT, "RAltGr", 0, 0},
    {0x46, 1, KEY_PAUSE, "PauseBreak", 0, 0}, {0x47, 1, KEY_HOME, "Home", 0, 0},
    {0x48, 1, KEY_ARROW_UP, "ArrowUp", 0, 0}, {0x49, 1, KEY_PAGE_UP, "PageUp", 0, 0},
    {0x4b, 1, KEY_ARROW_LEFT, "ArrowLeft", 0, 0}, {0x4d, 1, KEY_ARROW_RIGHT, "ArrowRight", 0, 0},
    {0x4f, 1, KEY_END, "End", 0, 0}, {0x50, 1, KEY_ARROW_DOWN, "ArrowDown", 0, 0},
    {0x51, 1, KEY_PAGE_DOWN, "PageDown", 0, 0}, {0x52, 1, KEY_INSERT, "Insert", 0, 0},
    {0x53, 1, KEY_DELETE, "Delete", 0x7f, 0x7f}, {0x5b, 1, KEY_LWIN, "LWin", 0, 0},
    {0x5c, 1, KEY_RWIN, "RWin", 0, 0}, {0x5d, 1, KEY_APPS, "Apps", 0, 0},
    {0x5e, 1, KEY_POWER, "Power", 0, 0}, {0x5f, 1, KEY_SLEEP, "Sleep", 0, 0},
    {0x63, 1, KEY_WAKE, "Wake", 0, 0},
};
/* clang-format on */
#define LAYOUT_N (sizeof layout / sizeof layout[0])

/* Feed the bytes of one key press or release; expect exactly one event. */
static inline struct key_event stroke(struct scancode_decoder *d, const struct key_row *r,
                                      bool press)
{
    struct key_event ev = {0};
    if (r->e0) assert_false(scancode_feed(d, 0xe0, &ev));
    assert_true(scancode_feed(d, (uint8_t)(r->code | (press ? 0 : 0x80)), &ev));
    assert_int_equal(d->state, SCANCODE_IDLE);
    return ev;
}

#endif
