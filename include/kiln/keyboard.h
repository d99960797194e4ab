/* The PS/2 keyboard on IRQ 1 (drivers/keyboard.c): bytes from port 0x60 go
 * through the scancode-set-1 decoder (drivers/scancode.c). */
#ifndef KILN_KEYBOARD_H
#define KILN_KEYBOARD_H

#include <stdint.h>

#include "kiln/scancode.h"

typedef void (*key_consumer)(const struct key_event *ev);

/* Reset the decoder and take IRQ 1. */
void keyboard_init(void);
/* Handle one byte as if read from port 0x60: decode it, and hand each key
 * press to the consumer. Bytes the decoder does not know are ignored. */
void keyboard_handle_byte(uint8_t byte);
/* Who receives key presses (NULL: the default, which prints a character, or
 * the key's name for keys that are not characters, modifiers excepted). */
void keyboard_set_consumer(key_consumer c);

#endif
