#include "kiln/boot.h"

#include "kiln/panic.h"
#include "kiln/string.h"
#include "kiln/vmem.h"

/* Larger than any block GRUB builds; a total_size above it is a bad block. */
#define BOOT_INFO_MAX (1u << 20)

uint32_t boot_entry_magic;
uint64_t boot_entry_info;

static struct boot_info info;
static const struct boot_info *loaded;

const struct boot_info *boot_info_load(uint32_t magic, uint64_t info_phys)
{
    if (magic != MULTIBOOT2_BOOTLOADER_MAGIC)
        panic("boot information: bad Multiboot2 magic 0x%x (expected 0x%x)", magic,
              MULTIBOOT2_BOOTLOADER_MAGIC);
    /* boot.S maps the first 4 GiB at PHYS_OFFSET: the block must lie there. */
    if (info_phys == 0 || info_phys + BOOT_INFO_MAX > BOOT_DIRECT_MAP_BYTES)
        panic("boot information: block at 0x%llx is outside the boot direct map",
              (unsigned long long)info_phys);
    const void *block = phys_to_virt(info_phys);
    uint32_t total;
    memcpy(&total, block, sizeof total);
    size_t limit = total < BOOT_INFO_MAX ? total : BOOT_INFO_MAX;
    enum boot_error e = multiboot2_parse(block, limit, info_phys, &info);
    if (e != BOOT_OK)
        panic("boot information: %s (block at 0x%llx, total_size %u)", boot_error_name(e),
              (unsigned long long)info_phys, total);
    loaded = &info;
    return loaded;
}

const struct boot_info *boot_info(void)
{
    return loaded;
}

const char *boot_cmdline(void)
{
    if (!loaded && boot_entry_magic == MULTIBOOT2_BOOTLOADER_MAGIC)
        boot_info_load(boot_entry_magic, boot_entry_info);
    return loaded ? loaded->cmdline : "";
}
