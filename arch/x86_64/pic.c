#include "kiln/pic.h"

#include <stdbool.h>
#include <stddef.h>

#include "arch/x86_64/cpu.h"
#include "kiln/idt.h"

#define PRIMARY_CMD    0x20
#define PRIMARY_DATA   0x21
#define SECONDARY_CMD  0xa0
#define SECONDARY_DATA 0xa1
#define ICW1_INIT_ICW4 0x11 /* start initialisation, ICW4 follows */
#define ICW4_8086      0x01
#define OCW3_READ_ISR  0x0b
#define CMD_EOI        0x20

static irq_handler irq_handlers[16];
static volatile uint64_t spurious;

static uint8_t read_isr(uint16_t cmd_port)
{
    outb(cmd_port, OCW3_READ_ISR);
    return inb(cmd_port);
}

/* IRQ 7 or 15 with its in-service bit clear was never really raised. */
static int is_spurious(uint8_t irq)
{
    if (irq == 7) return !(read_isr(PRIMARY_CMD) & 0x80);
    if (irq == 15) return !(read_isr(SECONDARY_CMD) & 0x80);
    return 0;
}

static void pic_dispatch(struct interrupt_frame *f)
{
    uint8_t irq = (uint8_t)(f->vector - PIC_PRIMARY_OFFSET);
    if (is_spurious(irq)) {
        spurious++;
        /* A spurious IRQ 15 still went through the primary's cascade line. */
        if (irq == 15) outb(PRIMARY_CMD, CMD_EOI);
        return;
    }
    if (irq_handlers[irq]) irq_handlers[irq]();
    if (irq >= 8) outb(SECONDARY_CMD, CMD_EOI);
    outb(PRIMARY_CMD, CMD_EOI);
}

void pic_init(void)
{
    uint8_t mask1 = inb(PRIMARY_DATA), mask2 = inb(SECONDARY_DATA);
    outb(PRIMARY_CMD, ICW1_INIT_ICW4);
    io_wait();
    outb(SECONDARY_CMD, ICW1_INIT_ICW4);
    io_wait();
    outb(PRIMARY_DATA, PIC_PRIMARY_OFFSET);
    io_wait();
    outb(SECONDARY_DATA, PIC_SECONDARY_OFFSET);
    io_wait();
    outb(PRIMARY_DATA, 4); /* the secondary sits on line 2 */
    io_wait();
    outb(SECONDARY_DATA, 2); /* its cascade identity */
    io_wait();
    outb(PRIMARY_DATA, ICW4_8086);
    io_wait();
    outb(SECONDARY_DATA, ICW4_8086);
    io_wait();
    outb(PRIMARY_DATA, mask1);
    outb(SECONDARY_DATA, mask2);
    for (int v = PIC_PRIMARY_OFFSET; v < PIC_PRIMARY_OFFSET + 16; v++)
        idt_set_handler((uint8_t)v, pic_dispatch);
}

/* Unmask line irq (and the cascade line 2 for the secondary's) or mask it. */
static void set_masked(uint8_t irq, bool masked)
{
    uint16_t port = irq < 8 ? PRIMARY_DATA : SECONDARY_DATA;
    uint8_t bit = (uint8_t)(1u << (irq & 7)), mask = inb(port);
    outb(port, masked ? mask | bit : mask & ~bit);
    if (irq >= 8 && !masked) set_masked(2, false);
}

void irq_set_handler(uint8_t irq, irq_handler h)
{
    if (irq >= 16) return;
    irq_handlers[irq] = h;
    set_masked(irq, h == NULL);
}

uint64_t pic_spurious_count(void)
{
    return spurious;
}
