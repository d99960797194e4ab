#include "kiln/init.h"

#include "arch/x86_64/cpu.h"
#include "kiln/boot.h"
#include "kiln/console.h"
#include "kiln/gdt.h"
#include "kiln/heap.h"
#include "kiln/idt.h"
#include "kiln/keyboard.h"
#include "kiln/memory.h"
#include "kiln/panic.h"
#include "kiln/pic.h"
#include "kiln/serial.h"
#include "kiln/timer.h"

void kernel_init(void)
{
    gdt_init();
    idt_init();
    exceptions_init();
    pic_init();
    timer_init();
    keyboard_init();
    serial_input_init();
    sti();
}

const struct boot_info *kernel_boot_with_heap(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys);
    console_init(&bi->fb);
    kernel_init();
    memory_init(bi);
    heap_set_cmdline(bi->cmdline);
    enum map_error e = heap_init(memory_frame_source());
    if (e != MAP_OK) panic("heap initialization failed: %s", map_error_name(e));
    return bi;
}
