#include "kiln/serial.h"

#include <stdarg.h>
#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "kiln/fmt.h"
#include "kiln/keyboard.h"
#include "kiln/pic.h"
#include "kiln/spinlock.h"

#define COM1         0x3f8
#define REG_DATA     0 /* with DLAB: divisor low byte */
#define REG_IER      1 /* with DLAB: divisor high byte */
#define REG_FCR      2
#define REG_LCR      3
#define REG_MCR      4
#define REG_LSR      5
#define LSR_TX_EMPTY 0x20
#define LSR_RX_READY 0x01
#define IER_RX_READY 0x01

static struct spinlock serial_lock = SPINLOCK_INIT;
static bool ready, lock_broken, rx_on;

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00);  /* no interrupts while programming */
    outb(COM1 + REG_LCR, 0x80);  /* DLAB: set the baud divisor */
    outb(COM1 + REG_DATA, 0x01); /* 115200 / 1 */
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + REG_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + REG_MCR, 0x0b); /* DTR, RTS, OUT2 (OUT2 gates the IRQ line) */
    outb(COM1 + REG_IER, rx_on ? IER_RX_READY : 0);
    ready = true;
}

/* Every received byte, as the key press it stands for. The UART raises IRQ 4
 * while its receive FIFO holds data; reading it all lowers the line. */
static void serial_irq(void)
{
    while (inb(COM1 + REG_LSR) & LSR_RX_READY) {
        struct key_event ev;
        if (key_event_from_ascii(inb(COM1 + REG_DATA), &ev)) keyboard_deliver(&ev);
    }
}

void serial_input_init(void)
{
    if (!ready) serial_init();
    while (inb(COM1 + REG_LSR) & LSR_RX_READY) inb(COM1 + REG_DATA); /* stale bytes */
    rx_on = true;
    irq_set_handler(IRQ_COM1, serial_irq);
    outb(COM1 + REG_IER, IER_RX_READY);
}

static void put(char c)
{
    while (!(inb(COM1 + REG_LSR) & LSR_TX_EMPTY)) cpu_relax();
    outb(COM1 + REG_DATA, (uint8_t)c);
}

static void write_unlocked(const char *s, size_t n)
{
    if (!ready) serial_init();
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') put('\r');
        put(s[i]);
    }
}

void serial_write(const char *s, size_t n)
{
    if (lock_broken) {
        write_unlocked(s, n);
        return;
    }
    uint64_t flags = spin_lock_irqsave(&serial_lock);
    write_unlocked(s, n);
    spin_unlock_irqrestore(&serial_lock, flags);
}

static void sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    write_unlocked(s, n);
}

int serial_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    uint64_t flags = 0;
    if (!lock_broken) flags = spin_lock_irqsave(&serial_lock);
    int n = kvformat(sink, NULL, fmt, ap);
    if (!lock_broken) spin_unlock_irqrestore(&serial_lock, flags);
    va_end(ap);
    return n;
}

void serial_break_lock(void)
{
    lock_broken = true;
}
