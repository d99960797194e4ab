/* libFuzzer target: arbitrary bytes as a Multiboot2 boot information block
 * (boot/multiboot2.c). The parser must never read outside the block (ASan:
 * the copy is exactly as long as the input), and what it accepts must keep
 * the promises of boot_info.h: regions sorted, disjoint, non-empty, adjacent
 * ones of one type merged; counts within bounds; strings terminated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln/boot_info.h"

static void expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_multiboot2: broken promise: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *block = aligned_alloc(8, size ? (size + 7) & ~(size_t)7 : 8);
    memcpy(block, data, size);
    /* A limit shorter than the allocation: the parser may read only size bytes. */
    struct boot_info *out = malloc(sizeof *out);
    enum boot_error e = multiboot2_parse(size ? block : NULL, size, 0x100000, out);
    expect(boot_error_name(e) != NULL, "every error has a name");
    if (e == BOOT_OK) {
        expect(out->region_count <= BOOT_MAX_REGIONS, "region_count <= BOOT_MAX_REGIONS");
        expect(out->module_count <= BOOT_MAX_MODULES, "module_count <= BOOT_MAX_MODULES");
        for (size_t i = 0; i < out->region_count; i++) {
            const struct mem_region *m = &out->regions[i];
            expect(m->start < m->end, "regions are not empty");
            expect(m->type >= MEM_USABLE && m->type <= MEM_BAD, "region types are known");
            if (i) {
                const struct mem_region *p = &out->regions[i - 1];
                expect(p->end <= m->start, "regions are sorted and disjoint");
                expect(p->end < m->start || p->type != m->type, "adjacent same-type regions merge");
            }
        }
        for (size_t i = 0; i < out->module_count; i++)
            expect(memchr(out->modules[i].cmdline, 0, sizeof out->modules[i].cmdline) != NULL,
                   "module command lines are terminated");
        expect(memchr(out->cmdline, 0, sizeof out->cmdline) != NULL, "cmdline is terminated");
        expect(memchr(out->loader_name, 0, sizeof out->loader_name) != NULL,
               "loader_name is terminated");
    }
    free(out);
    free(block);
    return 0;
}
