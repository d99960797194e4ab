/* kiln's own view of what the boot loader told it (boot/multiboot2.c).
 *
 * The Multiboot2 information block is parsed once into this struct, so that
 * nothing after boot reads loader structures. All addresses are physical.
 * Strings are copied (truncated to fit), so the struct outlives the block.
 */
#ifndef KILN_BOOT_INFO_H
#define KILN_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

enum mem_type {
    MEM_USABLE = 1, /* Multiboot2's numbering */
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIMABLE = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

/* Physical bytes [start, end). */
struct mem_region {
    uint64_t start;
    uint64_t end;
    uint32_t type; /* enum mem_type; unknown types are kept as MEM_RESERVED */
};

struct boot_module {
    uint64_t start;
    uint64_t end;
    char cmdline[64];
};

enum fb_kind {
    FB_NONE = 0,
    FB_RGB,      /* direct colour, 24 or 32 bits per pixel */
    FB_EGA_TEXT, /* 80x25 text cells at addr (BIOS) */
    FB_OTHER,    /* indexed colour or anything kiln cannot draw on */
};

struct boot_framebuffer {
    enum fb_kind kind;
    uint64_t addr;
    uint32_t pitch; /* bytes per row (text: bytes per row of cells) */
    uint32_t width; /* pixels (text: columns) */
    uint32_t height;
    uint8_t bpp;
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

#define BOOT_MAX_REGIONS      128
#define BOOT_MAX_MODULES      16
/* Raw memory-map entries accepted (64K - 1: a 1 MiB block holds at most
 * 43,690 entries of the minimum 24 bytes, so only a larger limit meets it). */
#define BOOT_MAX_MMAP_ENTRIES 65535

struct boot_info {
    uint64_t info_addr; /* the block itself: [info_addr, info_addr + info_size) */
    uint32_t info_size;
    char cmdline[256];
    char loader_name[64];
    /* Sorted by start, not overlapping (where the loader's entries overlapped,
     * the more restrictive type wins), adjacent entries of one type merged. */
    struct mem_region regions[BOOT_MAX_REGIONS];
    size_t region_count;
    struct boot_module modules[BOOT_MAX_MODULES];
    size_t module_count;
    struct boot_framebuffer fb;
    /* From the ELF-sections tag, when present: the lowest and highest virtual
     * address of the kernel's allocated sections. */
    bool have_elf_extent;
    uint64_t elf_start, elf_end;
};

enum boot_error {
    BOOT_OK = 0,
    BOOT_NULL_INFO,              /* no block at all */
    BOOT_MISALIGNED_INFO,        /* the block is not 8-byte aligned */
    BOOT_TRUNCATED,              /* total_size < 16, or larger than the bytes readable */
    BOOT_TAG_TOO_SMALL,          /* a tag shorter than its fixed header */
    BOOT_TAG_PAST_END,           /* a tag that runs past the end of the block */
    BOOT_MALFORMED_MEMORY_MAP,   /* entry_size too small or not a multiple of 8 */
    BOOT_TOO_MANY_REGIONS,       /* more than BOOT_MAX_REGIONS after merging */
    BOOT_NO_MEMORY_MAP,          /* no tag 6 */
    BOOT_MALFORMED_ELF_SECTIONS, /* entsize < 64, or num * entsize past the tag */
    BOOT_TOO_MANY_MODULES,       /* more than BOOT_MAX_MODULES module tags */
    BOOT_MALFORMED_MODULE,       /* a module whose mod_end < mod_start */
    BOOT_TOO_MANY_MMAP_ENTRIES,  /* more than BOOT_MAX_MMAP_ENTRIES raw map entries */
};

/* "BOOT_TAG_PAST_END", ...: the name of an error, for panic messages. */
const char *boot_error_name(enum boot_error e);

/* Parse the block at info (readable for at most limit bytes; the kernel passes
 * the block's own total_size once it has checked the header) into *out.
 * info_phys is the block's physical address, recorded in out->info_addr.
 * Stops at the end tag or at total_size, whichever comes first; unknown tags
 * are skipped. Returns BOOT_OK, or the first error met, with *out all zeros.
 * Memory map: where the loader's entries overlap, the type later in
 * USABLE < ACPI_RECLAIMABLE < RESERVED < ACPI_NVS < BAD wins; zero-length
 * entries are dropped; an entry whose base + length overflows ends at
 * UINT64_MAX. When several tags of one kind appear (memory map, framebuffer,
 * ELF sections, cmdline, loader name), the last one counts.
 * out must not be NULL (panics). */
enum boot_error multiboot2_parse(const void *info, size_t limit, uint64_t info_phys,
                                 struct boot_info *out);

#endif
