#include "kiln/fbcon.h"

#include <stdint.h>

#include "kiln/string.h"
#include "kiln/vmem.h"

extern const uint8_t console_font[], console_font_end[];

#define PSF1_MAGIC0   0x36
#define PSF1_MAGIC1   0x04
#define PSF1_MODE_512 0x01
#define GLYPH_WIDTH   8

/* The 16 VGA colours as 8-bit red, green, blue. */
static const uint8_t palette[16][3] = {
    {0, 0, 0},     {0, 0, 170},     {0, 170, 0},    {0, 170, 170},   {170, 0, 0},   {170, 0, 170},
    {170, 85, 0},  {170, 170, 170}, {85, 85, 85},   {85, 85, 255},   {85, 255, 85}, {85, 255, 255},
    {255, 85, 85}, {255, 85, 255},  {255, 255, 85}, {255, 255, 255},
};

static struct {
    uint8_t *base;
    uint32_t pitch, width, height, bytes_pp;
    struct boot_framebuffer fb;
    const uint8_t *glyphs;
    uint32_t glyph_height, glyph_count;
    size_t cols, rows, column;
    uint32_t fg, bg;
} con;

static uint32_t channel(uint8_t value, uint8_t pos, uint8_t size)
{
    return size ? ((uint32_t)value >> (8 - (size > 8 ? 8 : size))) << pos : 0;
}

static uint32_t pixel_of(enum vga_color c)
{
    const uint8_t *rgb = palette[c & 15];
    return channel(rgb[0], con.fb.red_pos, con.fb.red_size) |
           channel(rgb[1], con.fb.green_pos, con.fb.green_size) |
           channel(rgb[2], con.fb.blue_pos, con.fb.blue_size);
}

static void put_pixel(uint8_t *p, uint32_t v)
{
    for (uint32_t i = 0; i < con.bytes_pp; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_pixel(const uint8_t *p)
{
    uint32_t v = 0;
    for (uint32_t i = 0; i < con.bytes_pp; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static const uint8_t *glyph(uint8_t ch)
{
    return con.glyphs + (size_t)ch * con.glyph_height;
}

static uint8_t *cell_origin(size_t row, size_t col)
{
    return con.base + row * con.glyph_height * con.pitch + col * GLYPH_WIDTH * con.bytes_pp;
}

static void draw_glyph(size_t col, size_t row, uint8_t ch)
{
    const uint8_t *g = glyph(ch);
    uint8_t *line = cell_origin(row, col);
    for (uint32_t y = 0; y < con.glyph_height; y++, line += con.pitch)
        for (uint32_t x = 0; x < GLYPH_WIDTH; x++)
            put_pixel(line + x * con.bytes_pp, (g[y] & (0x80 >> x)) ? con.fg : con.bg);
}

bool fbcon_cell_shows(size_t row, size_t col, uint8_t ch)
{
    if (row >= con.rows || col >= con.cols) return false;
    const uint8_t *g = glyph(ch), *line = cell_origin(row, col);
    for (uint32_t y = 0; y < con.glyph_height; y++, line += con.pitch)
        for (uint32_t x = 0; x < GLYPH_WIDTH; x++)
            if (get_pixel(line + x * con.bytes_pp) != ((g[y] & (0x80 >> x)) ? con.fg : con.bg))
                return false;
    return true;
}

static void clear_rows(size_t first, size_t count)
{
    for (size_t y = first * con.glyph_height; y < (first + count) * con.glyph_height; y++)
        for (uint32_t x = 0; x < con.width; x++)
            put_pixel(con.base + y * con.pitch + x * con.bytes_pp, con.bg);
}

static void new_line(void)
{
    size_t text_row = con.glyph_height * con.pitch;
    memmove(con.base, con.base + text_row, (con.rows - 1) * text_row);
    clear_rows(con.rows - 1, 1);
    con.column = 0;
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
    const uint8_t *f = console_font;
    if (fb->kind != FB_RGB || (fb->bpp != 24 && fb->bpp != 32)) return false;
    if (fb->addr + (uint64_t)fb->pitch * fb->height > BOOT_DIRECT_MAP_BYTES) return false;
    if (console_font_end - f < 4 || f[0] != PSF1_MAGIC0 || f[1] != PSF1_MAGIC1) return false;
    con.glyph_height = f[3];
    con.glyph_count = (f[2] & PSF1_MODE_512) ? 512 : 256;
    if ((size_t)(console_font_end - f) < 4 + (size_t)con.glyph_count * con.glyph_height)
        return false;
    con.glyphs = f + 4;
    con.fb = *fb;
    con.base = phys_to_virt(fb->addr);
    con.pitch = fb->pitch;
    con.width = fb->width;
    con.height = fb->height;
    con.bytes_pp = fb->bpp / 8;
    con.cols = fb->width / GLYPH_WIDTH;
    con.rows = fb->height / con.glyph_height;
    if (con.cols == 0 || con.rows == 0) return false;
    fbcon_set_color(VGA_YELLOW, VGA_BLACK);
    fbcon_clear();
    return true;
}

void fbcon_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        if (b == '\n') {
            new_line();
            continue;
        }
        if (con.column >= con.cols) new_line();
        draw_glyph(con.column++, con.rows - 1, b >= 0x20 && b <= 0x7e ? b : 0xfe);
    }
}

void fbcon_clear(void)
{
    clear_rows(0, con.rows);
    con.column = 0;
}

void fbcon_set_color(enum vga_color fg, enum vga_color bg)
{
    con.fg = pixel_of(fg);
    con.bg = pixel_of(bg);
}

size_t fbcon_columns(void)
{
    return con.cols;
}
size_t fbcon_rows(void)
{
    return con.rows;
}
