#include "kiln/vga.h"

#include "kiln/vmem.h"

#define VGA_PHYS 0xb8000
#define BLANK    ' '

static uint8_t color = VGA_BLACK << 4 | VGA_YELLOW;
static size_t column;

static volatile uint16_t *buffer(void)
{
    return phys_to_virt(VGA_PHYS);
}
static uint16_t cell(uint8_t ch)
{
    return (uint16_t)color << 8 | ch;
}

static void clear_row(size_t row)
{
    for (size_t col = 0; col < VGA_WIDTH; col++) buffer()[row * VGA_WIDTH + col] = cell(BLANK);
}

static void new_line(void)
{
    volatile uint16_t *b = buffer();
    for (size_t i = 0; i < (VGA_HEIGHT - 1) * VGA_WIDTH; i++) b[i] = b[i + VGA_WIDTH];
    clear_row(VGA_HEIGHT - 1);
    column = 0;
}

static void write_byte(uint8_t byte)
{
    if (byte == '\n') {
        new_line();
        return;
    }
    if (column >= VGA_WIDTH) new_line();
    buffer()[(VGA_HEIGHT - 1) * VGA_WIDTH + column++] = cell(byte);
}

void vga_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        write_byte((b >= 0x20 && b <= 0x7e) || b == '\n' ? b : 0xfe);
    }
}

void vga_clear(void)
{
    for (size_t row = 0; row < VGA_HEIGHT; row++) clear_row(row);
    column = 0;
}

void vga_set_color(enum vga_color fg, enum vga_color bg)
{
    color = (uint8_t)(bg << 4 | fg);
}

uint16_t vga_cell(size_t row, size_t col)
{
    return row < VGA_HEIGHT && col < VGA_WIDTH ? buffer()[row * VGA_WIDTH + col] : 0;
}
