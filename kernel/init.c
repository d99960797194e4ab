#include "kiln/init.h"

#include "arch/x86_64/cpu.h"
#include "kiln/gdt.h"
#include "kiln/idt.h"
#include "kiln/keyboard.h"
#include "kiln/pic.h"
#include "kiln/timer.h"

void kernel_init(void)
{
    gdt_init();
    idt_init();
    exceptions_init();
    pic_init();
    timer_init();
    keyboard_init();
    sti();
}
