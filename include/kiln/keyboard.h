/* The PS/2 keyboard on IRQ 1 (drivers/keyboard.c): bytes from port 0x60 go
 * through the scancode-set-1 decoder (drivers/scancode.c).
 *
 * Two ways, chosen by the consumer. With a consumer set, IRQ 1 decodes and
 * hands it each key press (post 7's way: tests/kernel/interrupts.c). With
 * none (the default), IRQ 1 only queues the scancode for the keyboard task
 * (post 12's way: kiln/scancode_stream.h), which echoes through
 * keyboard_echo; before that task has made its stream, scancodes are dropped
 * with "WARNING: scancode queue uninitialized", as in the post. */
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
/* Hand one key press to the consumer, or to keyboard_echo when there is
 * none: where keyboard_handle_byte and serial input (drivers/serial.c, IRQ 4)
 * meet, so a byte typed on COM1 echoes as the same key on PS/2 does. */
void keyboard_deliver(const struct key_event *ev);
/* Who receives the key presses that IRQ 1 and keyboard_handle_byte decode
 * (NULL: IRQ 1 queues scancodes for the keyboard task instead, and
 * keyboard_handle_byte echoes through keyboard_echo). */
void keyboard_set_consumer(key_consumer c);
/* The echo of a key press, the one place that decides how typed keys look:
 * what the blog's handler prints (kiln/key_echo.h), the character or the
 * key's name, modifiers included. Used by the keyboard task and by
 * keyboard_handle_byte. */
void keyboard_echo(const struct key_event *ev);

#endif
