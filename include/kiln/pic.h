/* The 8259 programmable interrupt controller pair (arch/x86_64/pic.c). */
#ifndef KILN_PIC_H
#define KILN_PIC_H

#include <stdint.h>

#define PIC_PRIMARY_OFFSET   32 /* IRQ 0..7  -> vectors 32..39 */
#define PIC_SECONDARY_OFFSET 40 /* IRQ 8..15 -> vectors 40..47 */

enum irq { IRQ_TIMER = 0, IRQ_KEYBOARD = 1, IRQ_COM1 = 4 };

typedef void (*irq_handler)(void);

/* Remap both PICs to the offsets above, keeping the interrupt masks they
 * had, with an I/O delay between writes; route vectors 32..47 here. */
void pic_init(void);

/* Run h for IRQ line irq (0..15), unmasking the line (NULL masks it). The PIC code acknowledges the
 * interrupt after h returns: end-of-interrupt to both PICs for lines 8..15, to the primary only for
 * 0..7. Spurious IRQ 7 and 15 (not set in the in-service register) are counted and never
 * acknowledged wrongly. */
void irq_set_handler(uint8_t irq, irq_handler h);

/* Spurious interrupts seen so far on IRQ 7 and IRQ 15. */
uint64_t pic_spurious_count(void);

#endif
