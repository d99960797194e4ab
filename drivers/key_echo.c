/* The blog's keyboard echo (contract in include/kiln/key_echo.h). */
#include "kiln/key_echo.h"

#include "kiln/panic.h"
#include "kiln/string.h"

/* The letter keys, lower case. */
static const char letter[KEY_COUNT] = {
    [KEY_A] = 'a', [KEY_B] = 'b', [KEY_C] = 'c', [KEY_D] = 'd', [KEY_E] = 'e', [KEY_F] = 'f',
    [KEY_G] = 'g', [KEY_H] = 'h', [KEY_I] = 'i', [KEY_J] = 'j', [KEY_K] = 'k', [KEY_L] = 'l',
    [KEY_M] = 'm', [KEY_N] = 'n', [KEY_O] = 'o', [KEY_P] = 'p', [KEY_Q] = 'q', [KEY_R] = 'r',
    [KEY_S] = 's', [KEY_T] = 't', [KEY_U] = 'u', [KEY_V] = 'v', [KEY_W] = 'w', [KEY_X] = 'x',
    [KEY_Y] = 'y', [KEY_Z] = 'z',
};

/* pc-keyboard's keypad with num lock off: the key each digit stands for. */
static const enum key_code numpad_other[KEY_COUNT] = {
    [KEY_KP_7] = KEY_HOME,       [KEY_KP_8] = KEY_ARROW_UP,    [KEY_KP_9] = KEY_PAGE_UP,
    [KEY_KP_4] = KEY_ARROW_LEFT, [KEY_KP_6] = KEY_ARROW_RIGHT, [KEY_KP_1] = KEY_END,
    [KEY_KP_2] = KEY_ARROW_DOWN, [KEY_KP_3] = KEY_PAGE_DOWN,   [KEY_KP_0] = KEY_INSERT,
};

static size_t put_char(char c, char *buf, size_t size)
{
    if (size > 1) {
        buf[0] = c;
        buf[1] = 0;
    } else {
        buf[0] = 0;
    }
    return 1;
}

static size_t put_name(enum key_code k, char *buf, size_t size)
{
    const char *name = key_name(k);
    size_t n = strlen(name);
    size_t copy = n < size - 1 ? n : size - 1;
    memcpy(buf, name, copy);
    buf[copy] = 0;
    return n;
}

size_t key_echo(const struct key_event *ev, char *buf, size_t size)
{
    if (ev == NULL || buf == NULL || size == 0) panic("key_echo: event or buffer is NULL or empty");
    buf[0] = 0;
    if (!ev->pressed || (unsigned)ev->key >= KEY_COUNT || ev->key == KEY_NONE) return 0;
    enum key_code k = ev->key;
    if (letter[k]) { /* HandleControl::Ignore: Ctrl leaves letters alone */
        bool upper = ev->shift != ev->caps_lock;
        return put_char(upper ? (char)(letter[k] - 'a' + 'A') : letter[k], buf, size);
    }
    if (!ev->num_lock) {
        if (numpad_other[k]) return put_name(numpad_other[k], buf, size);
        if (k == KEY_KP_5) return put_char('5', buf, size);
        if (k == KEY_KP_PERIOD) return put_char(0x7f, buf, size);
    }
    if (ev->ch != 0 && ev->ch < 0x80) return put_char((char)ev->ch, buf, size);
    return put_name(k, buf, size);
}
