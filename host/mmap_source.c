/* The host's page source: mmap reserves, mprotect backs. */
#include "mmap_source.h"

#include <sys/mman.h>

uintptr_t mmap_source_reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? 0 : (uintptr_t)p;
}

void mmap_source_release(uintptr_t base, size_t bytes)
{
    munmap((void *)base, bytes);
}

/* Back [at, at + bytes): a private anonymous page becomes real (and zero) on
 * its first touch. mprotect either changes the whole range or reports an
 * error, so nothing is left half-backed. */
static bool mmap_map(void *ctx, uintptr_t at, size_t bytes)
{
    (void)ctx;
    return mprotect((void *)at, bytes, PROT_READ | PROT_WRITE) == 0;
}

struct page_source mmap_source(void)
{
    return (struct page_source){.ctx = NULL, .map = mmap_map};
}
