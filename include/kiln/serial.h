/* COM1, a 16550 UART at port 0x3f8 (drivers/serial.c). */
#ifndef KILN_SERIAL_H
#define KILN_SERIAL_H

#include <stddef.h>

/* Program COM1: 115200 baud (divisor 1), 8N1, FIFO on, interrupts off.
 * serial_write calls it on first use, so output works before any init. */
void serial_init(void);

/* Take COM1's receive interrupt (IRQ 4): each byte typed in the terminal
 * becomes a key press (key_event_from_ascii) for keyboard_deliver, the same
 * path as the PS/2 keyboard. Call after pic_init; kernel_init does. */
void serial_input_init(void);

/* Write n bytes, waiting on the transmit-holding-empty bit before each; "\n"
 * goes out as "\r\n". Takes the serial lock (interrupt-safe). */
void serial_write(const char *s, size_t n);

/* kprintf to COM1 only (the test protocol); returns the bytes written. */
int serial_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stop taking the serial lock: the panic path may have interrupted a holder. */
void serial_break_lock(void);

#endif
