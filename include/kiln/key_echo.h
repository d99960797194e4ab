/* What the blog's keyboard handler prints for a key (drivers/key_echo.c).
 *
 * The blog decodes with pc-keyboard 0.7 (Us104Key, HandleControl::Ignore) and
 * prints DecodedKey::Unicode(c) with print!("{}", c), DecodedKey::RawKey(k)
 * with print!("{:?}", k). So:
 * - a press of a key with a character prints the character, control
 *   characters too: Backspace 0x08, Tab '\t', Escape 0x1b, Delete 0x7f,
 *   Enter '\n' (the VGA writer shows each non-printable byte as ■);
 * - Ctrl does not change letters: Ctrl+C prints "c" (Ignore, not
 *   MapLettersToUnicode); shift and caps lock still do;
 * - keys without a character print their KeyCode name: "ArrowUp", "F1", and
 *   the modifiers and locks as well: "LShift", "LControl", "CapsLock", ...;
 * - with num lock off the keypad prints its other key's name (Numpad7
 *   "Home", Numpad8 "ArrowUp", ...), Numpad5 still '5', the keypad's '.'
 *   0x7f (Delete);
 * - a release prints nothing.
 * Pure code. */
#ifndef KILN_KEY_ECHO_H
#define KILN_KEY_ECHO_H

#include <stddef.h>

#include "kiln/scancode.h"

/* Always enough room for key_echo's text and its NUL. */
#define KEY_ECHO_MAX 24

/* Write what the blog prints for ev into buf (NUL-terminated, truncated to
 * size) and return its length (0: nothing). The modifiers come from the
 * event (ev->shift, caps_lock, num_lock). Panics when ev or buf is NULL or
 * size is 0. */
size_t key_echo(const struct key_event *ev, char *buf, size_t size);

#endif
