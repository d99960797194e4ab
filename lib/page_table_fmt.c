/* Page-table entries in the x86_64 crate's Debug shape
 * (include/kiln/page_table_fmt.h). */
#include "kiln/page_table_fmt.h"

#include <stdbool.h>

#include "kiln/fmt.h"

#define ADDR_MASK 0x000ffffffffff000ull

/* The x86_64 crate's PageTableFlags, bit by bit (NULL: part of the address). */
static const char *flag_name(unsigned bit)
{
    static const char *const low[12] = {
        "PRESENT", "WRITABLE",  "USER_ACCESSIBLE", "WRITE_THROUGH", "NO_CACHE", "ACCESSED",
        "DIRTY",   "HUGE_PAGE", "GLOBAL",          "BIT_9",         "BIT_10",   "BIT_11",
    };
    static const char *const high[12] = {
        "BIT_52", "BIT_53", "BIT_54", "BIT_55", "BIT_56", "BIT_57",
        "BIT_58", "BIT_59", "BIT_60", "BIT_61", "BIT_62", "NO_EXECUTE",
    };
    if (bit < 12) return low[bit];
    if (bit >= 52 && bit < 64) return high[bit - 52];
    return NULL;
}

/* Append to buf at *n, snprintf-style (keeps counting past the end). */
static void append(char *buf, size_t size, size_t *n, const char *s)
{
    size_t at = *n < size ? *n : size;
    *n += (size_t)ksnprintf(buf + at, size - at, "%s", s);
}

size_t page_table_flags_format(uint64_t entry, char *buf, size_t size)
{
    size_t n = 0;
    append(buf, size, &n, "PageTableFlags(");
    uint64_t flags = entry & ~ADDR_MASK;
    bool any = false;
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(flags & (1ull << bit))) continue;
        if (any) append(buf, size, &n, " | ");
        append(buf, size, &n, flag_name(bit));
        any = true;
    }
    append(buf, size, &n, any ? ")" : "0x0)");
    return n;
}

size_t page_table_entry_format(uint64_t entry, char *buf, size_t size)
{
    size_t n = (size_t)ksnprintf(buf, size, "PageTableEntry { addr: PhysAddr(0x%llx), flags: ",
                                 (unsigned long long)(entry & ADDR_MASK));
    size_t at = n < size ? n : size;
    n += page_table_flags_format(entry, buf + at, size - at);
    at = n < size ? n : size;
    n += (size_t)ksnprintf(buf + at, size - at, " }");
    return n;
}
