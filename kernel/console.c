#include "kiln/console.h"

#include <stdarg.h>
#include <stdbool.h>

#include "kiln/fbcon.h"
#include "kiln/fmt.h"
#include "kiln/serial.h"
#include "kiln/spinlock.h"

static struct spinlock console_lock = SPINLOCK_INIT;
static enum console_display display = CONSOLE_VGA;
static bool lock_broken;
static console_mirror mirror;

static uint64_t lock(void)
{
    return lock_broken ? 0 : spin_lock_irqsave(&console_lock);
}
static void unlock(uint64_t flags)
{
    if (!lock_broken) spin_unlock_irqrestore(&console_lock, flags);
}

static void write_unlocked(const char *s, size_t n)
{
    if (display == CONSOLE_VGA)
        vga_write(s, n);
    else if (display == CONSOLE_FRAMEBUFFER)
        fbcon_write(s, n);
    if (mirror)
        mirror(s, n);
    else
        serial_write(s, n);
}

void console_set_mirror(console_mirror m)
{
    uint64_t flags = lock();
    mirror = m;
    unlock(flags);
}

enum console_display console_init(const struct boot_framebuffer *fb)
{
    uint64_t flags = lock();
    if (fb->kind == FB_EGA_TEXT)
        display = CONSOLE_VGA;
    else if (fbcon_init(fb))
        display = CONSOLE_FRAMEBUFFER;
    else
        display = CONSOLE_SERIAL_ONLY;
    unlock(flags);
    return display;
}

enum console_display console_display(void)
{
    return display;
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = lock();
    write_unlocked(s, n);
    unlock(flags);
}

void console_clear(void)
{
    uint64_t flags = lock();
    if (display == CONSOLE_VGA)
        vga_clear();
    else if (display == CONSOLE_FRAMEBUFFER)
        fbcon_clear();
    unlock(flags);
}

void console_set_color(enum vga_color fg, enum vga_color bg)
{
    uint64_t flags = lock();
    vga_set_color(fg, bg);
    if (display == CONSOLE_FRAMEBUFFER) fbcon_set_color(fg, bg);
    unlock(flags);
}

static void sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    write_unlocked(s, n);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    uint64_t flags = lock();
    int n = kvformat(sink, NULL, fmt, ap);
    unlock(flags);
    va_end(ap);
    return n;
}

void console_break_lock(void)
{
    lock_broken = true;
    serial_break_lock();
}
