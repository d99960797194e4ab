/* The peer allocators of the host benchmark: see bench/peers.h. */
#define _GNU_SOURCE
#include "peers.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <jemalloc/jemalloc.h>
#include <mimalloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

/* An alignment malloc gives anyway: x86_64's 16, and not above the size
 * (an 8-byte block may be only 8-aligned). */
static inline int natural(size_t size, size_t align)
{
    return align <= 16 && align <= size;
}

/* The malloc family of one library, looked up in that library itself:
 * three of them define malloc (mimalloc even defines __libc_malloc), so
 * a plain call would reach whichever the dynamic linker found first. */
struct malloc_family {
    void *(*malloc)(size_t size);
    void *(*memalign)(size_t align, size_t size);
    void *(*realloc)(void *p, size_t size);
    void (*free)(void *p);
};
static struct malloc_family libc, je;

static void *lookup(void *lib, const char *soname, const char *name)
{
    void *f = lib ? dlsym(lib, name) : NULL;
    if (!f) {
        fprintf(stderr, "heap_bench: no %s in %s: %s\n", name, soname, dlerror());
        exit(1);
    }
    return f;
}

static void family_load(struct malloc_family *m, const char *soname)
{
    void *lib = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
    m->malloc = lookup(lib, soname, "malloc");
    m->memalign = lookup(lib, soname, "memalign");
    m->realloc = lookup(lib, soname, "realloc");
    m->free = lookup(lib, soname, "free");
}

void bench_peers_init(void)
{
    family_load(&libc, "libc.so.6");
    family_load(&je, "libjemalloc.so.2");
    if (libc.malloc == je.malloc || (void *)libc.malloc == (void *)mi_malloc) {
        fprintf(stderr, "heap_bench: glibc's malloc resolves to another allocator\n");
        exit(1);
    }
}

/* ---- glibc ------------------------------------------------------------------ */
NOINLINE static void *bench_op_glibc_alloc(size_t size, size_t align)
{
    return align <= 16 ? libc.malloc(size) : libc.memalign(align, size);
}
NOINLINE static void bench_op_glibc_dealloc(void *p, size_t size, size_t align)
{
    (void)size, (void)align;
    libc.free(p);
}
/* C's realloc keeps only malloc's alignment: a block aligned above 16 moves
 * by hand, as any C program has to. */
NOINLINE static void *bench_op_glibc_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    if (align <= 16) return libc.realloc(p, new_size);
    void *q = libc.memalign(align, new_size);
    if (!q) return NULL;
    memcpy(q, p, size < new_size ? size : new_size);
    libc.free(p);
    return q;
}

/* ---- jemalloc ------------------------------------------------------------- */
static inline int je_flags(size_t size, size_t align)
{
    return natural(size, align) ? 0 : MALLOCX_LG_ALIGN(__builtin_ctzl(align));
}
/* As Rust's jemallocator: malloc and realloc where the alignment is
 * natural (jemalloc's fastest paths), the x-forms otherwise, and always the
 * sized free. */
NOINLINE static void *bench_op_jemalloc_alloc(size_t size, size_t align)
{
    int flags = je_flags(size, align);
    return flags ? mallocx(size, flags) : je.malloc(size);
}
NOINLINE static void bench_op_jemalloc_dealloc(void *p, size_t size, size_t align)
{
    sdallocx(p, size, je_flags(size, align));
}
NOINLINE static void *bench_op_jemalloc_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    (void)size;
    int flags = je_flags(new_size, align);
    return flags ? rallocx(p, new_size, flags) : je.realloc(p, new_size);
}

/* ---- mimalloc ------------------------------------------------------------- */
NOINLINE static void *bench_op_mimalloc_alloc(size_t size, size_t align)
{
    return natural(size, align) ? mi_malloc(size) : mi_malloc_aligned(size, align);
}
NOINLINE static void bench_op_mimalloc_dealloc(void *p, size_t size, size_t align)
{
    (void)size, (void)align;
    mi_free(p);
}
NOINLINE static void *bench_op_mimalloc_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    (void)size;
    return natural(new_size, align) ? mi_realloc(p, new_size)
                                    : mi_realloc_aligned(p, new_size, align);
}

/* ---- null: the wrappers' own cost ----------------------------------------- */
static _Alignas(4096) unsigned char scratch[2][8192];
static unsigned scratch_next;

NOINLINE static void *bench_op_null_alloc(size_t size, size_t align)
{
    (void)size, (void)align;
    return scratch[scratch_next++ & 1]; /* two at a time are distinct */
}
NOINLINE static void bench_op_null_dealloc(void *p, size_t size, size_t align)
{
    (void)p, (void)size, (void)align;
    __asm__ volatile("" ::: "memory");
}
NOINLINE static void *bench_op_null_realloc(void *p, size_t size, size_t align, size_t new_size)
{
    (void)size, (void)align, (void)new_size;
    return p;
}

const struct bench_allocator bench_glibc = {"glibc", bench_op_glibc_alloc, bench_op_glibc_dealloc,
                                            bench_op_glibc_realloc};
const struct bench_allocator bench_jemalloc = {
    "jemalloc", bench_op_jemalloc_alloc, bench_op_jemalloc_dealloc, bench_op_jemalloc_realloc};
const struct bench_allocator bench_mimalloc = {
    "mimalloc", bench_op_mimalloc_alloc, bench_op_mimalloc_dealloc, bench_op_mimalloc_realloc};
const struct bench_allocator bench_null = {"null", bench_op_null_alloc, bench_op_null_dealloc,
                                           bench_op_null_realloc};

void bench_peer_versions(char *buf, size_t len)
{
    const char *je = "?";
    size_t sz = sizeof je;
    mallctl("version", &je, &sz, NULL, 0);
    int mi = mi_version();
    snprintf(buf, len, "glibc %s, jemalloc %s, mimalloc %d.%d.%d", gnu_get_libc_version(), je,
             mi / 100, mi / 10 % 10, mi % 10);
}
