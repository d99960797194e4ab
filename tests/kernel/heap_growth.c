/* A heap that grows: from the post's 100 KiB, allocate and verify 16 MiB in
 * mixed sizes, free it all (check() == 0, free == size), then run into the
 * limit: try_kmalloc gets NULL, the heap stays sound and no page past the
 * region is left mapped. With 64 MiB of RAM the frames run out before
 * HEAP_MAX (64 MiB) does. A design that cannot grow (bump) must stay at
 * 100 KiB and fail instead. make test boots this once per design.
 */
// run: 128m -m 128M
// run: 64m -m 64M
// run: linked_list -m 128M @cmdline=alloc=linked_list
// run: fixed_block -m 128M @cmdline=alloc=fixed_block
// run: bump -m 128M @cmdline=alloc=bump
// run: max24m -m 128M @cmdline=heap_max=24M
#include <stdint.h>

#include "kiln/alloc.h"
#include "kiln/alloc_designs.h"
#include "kiln/cmdline.h"
#include "kiln/console.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/memory.h"
#include "kiln/paging.h"
#include "kiln/string.h"
#include "kiln/vmem.h"

static const char *cmdline;

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    cmdline = kernel_boot_with_heap(magic, info_phys)->cmdline;
    ktest_main();
}

#define TARGET     (16u << 20)
#define MAX_BLOCKS 40000
static struct {
    unsigned char *p;
    uint32_t size;
} blocks[MAX_BLOCKS];

static bool can_grow(void)
{
    return alloc_design_find(heap_design())->extend != NULL;
}

static uint8_t pattern(size_t block, size_t i)
{
    return (uint8_t)(block * 29 + i * 7 + 3);
}

/* Sizes 8..4096, log-uniform, from a fixed seed. */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static size_t next_size(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    size_t size = (size_t)8 << (rng % 10);
    return size + (rng >> 8) % size;
}

static void expect_sound_and_empty(size_t used0)
{
    struct alloc_stats s = heap_stats();
    kassert_eq(heap_check(), 0);
    kassert_eq(s.used, used0);
    kassert_eq(s.free + s.used, s.size);
}

/* The design and the limit come from alloc= and heap_max= when the
 * command line has them (the run lines above pass one or the other). */
KTEST(command_line_picks_design_and_limit)
{
    char v[32];
    if (cmdline_get(cmdline, "alloc", v, sizeof v)) kassert_eq(strcmp(heap_design(), v), 0);
    size_t max = HEAP_MAX;
    if (cmdline_get(cmdline, "heap_max", v, sizeof v)) kassert(cmdline_size(v, &max));
    kassert_eq(heap_max_bytes(), max);
    kassert_eq(heap_growth().max, max);
    println("heap_growth: \"%s\": %s allocator, heap_max %zu MiB", cmdline, heap_design(),
            max >> 20);
}

KTEST(grows_to_16_mib_in_mixed_sizes_and_back)
{
    if (!can_grow()) { /* bump: the region stays the post's 100 KiB */
        kassert(try_kmalloc(2 * HEAP_SIZE) == NULL);
        kassert_eq(heap_growth().mapped, HEAP_SIZE);
        kassert_eq(heap_growth().grows, 0);
        return;
    }
    size_t used0 = heap_stats().used, total = 0, n = 0;
    while (total < TARGET) {
        kassert(n < MAX_BLOCKS);
        size_t size = next_size();
        unsigned char *p = kmalloc(size);
        for (size_t i = 0; i < size; i++) p[i] = pattern(n, i);
        blocks[n].p = p, blocks[n].size = (uint32_t)size;
        total += size, n++;
    }
    struct heap_growth g = heap_growth();
    println("heap_growth: %zu blocks, %zu KiB, heap mapped %zu KiB in %zu growths", n, total >> 10,
            g.mapped >> 10, g.grows);
    kassert(g.mapped >= TARGET && g.mapped <= g.max);
    kassert(g.grows > 0);
    kassert_eq(heap_check(), 0);
    for (size_t b = 0; b < n; b++)
        for (size_t i = 0; i < blocks[b].size; i++)
            if (blocks[b].p[i] != pattern(b, i))
                panic("block %zu at %p, byte %zu: 0x%x", b, blocks[b].p, i, blocks[b].p[i]);
    for (size_t b = 0; b < n; b++) kfree(blocks[b].p);
    expect_sound_and_empty(used0);
    kassert_eq(heap_stats().size, heap_growth().mapped);
}

/* Until NULL: at HEAP_MAX with 128 MiB of RAM, out of frames with 64 MiB. */
KTEST(try_kmalloc_gets_null_at_the_limit)
{
    size_t used0 = heap_stats().used, n = 0, chunk = can_grow() ? (1u << 20) : 1024;
    uint64_t frames_before = frame_stats(memory_frames()).free;
    unsigned char *p;
    while ((p = try_kmalloc(chunk)) != NULL) {
        kassert(n < MAX_BLOCKS);
        memset(p, (int)n, chunk);
        blocks[n].p = p, blocks[n++].size = (uint32_t)chunk;
    }
    kassert(try_kmalloc(chunk) == NULL);
    struct heap_growth g = heap_growth();
    uint64_t frames_left = frame_stats(memory_frames()).free;
    kassert_eq(heap_check(), 0);
    if (!can_grow()) {
        kassert_eq(g.mapped, HEAP_SIZE);
        kassert_eq(g.grows, 0);
        println("heap_growth: %s cannot grow: NULL after %zu blocks of %zu bytes", heap_design(), n,
                chunk);
    } else {
        kassert(g.refused > 0);
        bool at_max = g.mapped + chunk + 2 * PAGE_SIZE > g.max;
        println("heap_growth: NULL at %zu MiB mapped of %zu MiB max (%s), %llu of %llu frames "
                "left",
                g.mapped >> 20, g.max >> 20, at_max ? "HEAP_MAX" : "out of frames",
                (unsigned long long)frames_left, (unsigned long long)frames_before);
        /* either the limit or the frames stopped it */
        kassert(at_max || frames_left * PAGE_SIZE < chunk + 2 * PAGE_SIZE + 64 * 1024);
    }
    /* nothing past the region is mapped: a refused growth left no page */
    for (uint64_t a = HEAP_START + g.mapped; a < HEAP_START + g.mapped + 64 * PAGE_SIZE;
         a += PAGE_SIZE)
        kassert(!paging_translate(a).mapped);
    for (size_t b = 0; b < n; b++) {
        for (size_t i = 0; i < chunk; i += 512) kassert_eq(blocks[b].p[i], (uint8_t)b);
        kfree(blocks[b].p);
    }
    expect_sound_and_empty(used0);
}
