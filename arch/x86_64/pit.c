#include "kiln/timer.h"

#include "arch/x86_64/cpu.h"
#include "kiln/console.h"
#include "kiln/pic.h"

#define PIT_CHANNEL0      0x40
#define PIT_COMMAND       0x43
#define PIT_BASE_HZ       1193182
#define PIT_CH0_LOHI_RATE 0x34 /* channel 0, low then high byte, mode 2 */

static volatile uint64_t ticks;
static volatile bool dots;
static void (*volatile tick_hook)(uint64_t);

static void timer_irq(void)
{
    uint64_t t = __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
    if (dots) print(".");
    void (*hook)(uint64_t) = tick_hook;
    if (hook) hook(t);
}

void timer_init(void)
{
    uint16_t divisor = PIT_BASE_HZ / TIMER_HZ;
    outb(PIT_COMMAND, PIT_CH0_LOHI_RATE);
    outb(PIT_CHANNEL0, divisor & 0xff);
    outb(PIT_CHANNEL0, divisor >> 8);
    irq_set_handler(IRQ_TIMER, timer_irq);
}

uint64_t timer_ticks(void)
{
    return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}
void timer_set_dots(bool on)
{
    dots = on;
}
void timer_set_hook(void (*hook)(uint64_t))
{
    tick_hook = hook;
}
