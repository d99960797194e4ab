/* The kernel's symbol table, for backtraces with names (lib/ksyms.c, pure).
 *
 * Like Linux's kallsyms, the table is built from the linked kernel and linked
 * into it by a second pass (tools/ksyms.sh; the Makefile's link recipe): the
 * first link carries an empty table, tools/ksyms.sh reads that ELF's function
 * symbols (nm) and line table (readelf's decoded DWARF lines), and the second
 * link carries the result. The table lives in .rodata, after .text, so adding
 * it moves no function; the recipe checks that by regenerating it.
 *
 *   funcs: sorted by addr; a function covers [addr, addr + size)
 *   lines: sorted by addr; a row holds from its addr to the next row's
 *   names: NUL-terminated strings; name and file are offsets into it
 */
#ifndef KILN_KSYMS_H
#define KILN_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym_func {
    uint64_t addr;
    uint32_t size;
    uint32_t name;
};

struct ksym_line {
    uint32_t addr; /* offset from ksym_table.line_base */
    uint16_t file;
    uint16_t line;
};

struct ksym_table {
    const struct ksym_func *funcs;
    size_t func_count;
    const struct ksym_line *lines;
    size_t line_count;
    uint64_t line_base;
    const uint32_t *files; /* file index -> offset into names */
    size_t file_count;
    const char *names;
};

/* Where an address is: the function holding it and the offset into it, and
 * the source line when the line table covers it (file NULL otherwise). */
struct ksym_where {
    const char *function; /* NULL: in no known function */
    uint64_t offset;
    const char *file;
    unsigned line;
};

/* Look addr up in t (NULL or empty tables find nothing). */
struct ksym_where ksym_lookup(const struct ksym_table *t, uint64_t addr);

/* Format addr as "function+0xoff (file:line)", "function+0xoff" without a
 * line, or "0xaddr" in no function, into buf (always NUL-terminated when
 * size > 0). Returns the length of the whole text, as snprintf does. */
int ksym_format(const struct ksym_table *t, uint64_t addr, char *buf, size_t size);

/* The kernel's own table (generated; empty in the first link pass). */
extern const struct ksym_table ksyms_kernel;

#endif
