/* Page-table entries printed as the blog prints them (lib/page_table_fmt.c):
 * the x86_64 crate's Debug of a PageTableEntry, so post 9's
 * println!("L4 Entry {}: {:?}", i, entry) reads the same in kiln:
 *   PageTableEntry { addr: PhysAddr(0x2000), flags: PageTableFlags(PRESENT | WRITABLE | ACCESSED) }
 * Pure code. */
#ifndef KILN_PAGE_TABLE_FMT_H
#define KILN_PAGE_TABLE_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Write "PageTableFlags(PRESENT | WRITABLE | ...)" for the flag bits of entry
 * (bits 0..11 and 52..63; the frame address is left out), named as the x86_64
 * crate names them; no flag at all is "PageTableFlags(0x0)". snprintf-style:
 * returns the full length. */
size_t page_table_flags_format(uint64_t entry, char *buf, size_t size);

/* Write "PageTableEntry { addr: PhysAddr(0x...), flags: PageTableFlags(...) }".
 * snprintf-style. */
size_t page_table_entry_format(uint64_t entry, char *buf, size_t size);

#endif
