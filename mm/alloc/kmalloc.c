/* kmalloc and kfree: C-style front ends that need no size to free.
 *
 * Each block carries a header just below the pointer handed out:
 *
 *     base                        ptr = base + A
 *     | ... unused ... | header (16) | size bytes of the caller ... |
 *
 * where A = max(16, align) and the block underneath is allocated from the
 * global allocator with the layout {A + size, A}. The header records the
 * requested size and log2(align) plus a check word derived from both; kfree
 * reads it back, rebuilds that layout and passes it to heap_dealloc.
 *
 * Cost: 16 bytes per block for alignments up to 16, A bytes for larger ones
 * (the pointer must stay A-aligned, so the header takes a whole A slot), plus
 * reading 16 bytes on every kfree. Invariant: header.check == kmalloc_seal(
 * header.size, header.align_shift) for every live block.
 *
 * Misuse, caught before the header is trusted:
 * - a pointer below the lowest or above the highest block kmalloc ever got
 *   from the global allocator (lo, hi) is refused before anything is read,
 *   so kfree of the heap's first byte cannot read below the region;
 * - kfree and a moving krealloc change the seal to KMALLOC_FREED before the
 *   block goes back: a second kfree of it is "double free of 0x..." while
 *   the mark survives. Every design in the registry leaves the check word
 *   alone until the memory is handed out again (the textbook designs keep
 *   their links in their own header below the block or in its first word;
 *   test_kmalloc.c: test_kfree_double_free_at_any_distance), so that holds
 *   however many frees came between. For an allocator that writes over it,
 *   the pointer is also remembered in a ring of the last KMALLOC_RECENT
 *   frees. Once the memory is handed out again, a stale pointer may carry a
 *   valid seal: only HEAP_DEBUG's quarantine (mm/alloc/heap_debug.c) closes
 *   that window.
 */
#include "kiln/alloc.h"
#include "kiln/panic.h"

#define KMALLOC_MIN_ALIGN 16u
#define KMALLOC_MAGIC     0x6b6d6c63u /* "kmlc" */
#define KMALLOC_FREED     0x66726565u /* "free": the check word of a freed block */
#define KMALLOC_RECENT    64u         /* frees remembered for the double-free message */

struct kmalloc_header {
    size_t size;          /* the size the caller asked for */
    uint32_t align_shift; /* log2(A), A = max(16, requested align) */
    uint32_t check;       /* kmalloc_seal(size, align_shift) while live */
};
_Static_assert(sizeof(struct kmalloc_header) == KMALLOC_MIN_ALIGN, "kmalloc header is 16 bytes");

static uint32_t kmalloc_seal(size_t size, uint32_t align_shift)
{
    uint64_t x = (uint64_t)size * 0x9e3779b97f4a7c15ull ^ align_shift;
    return (uint32_t)(x >> 32) ^ (uint32_t)x ^ KMALLOC_MAGIC;
}

static uint32_t log2_of(size_t pow2)
{
    uint32_t s = 0;
    while (((size_t)1 << s) != pow2) s++;
    return s;
}

/* [lo, hi): spans every block kmalloc has had from the global allocator. */
static uintptr_t lo = UINTPTR_MAX, hi;
/* The last KMALLOC_RECENT pointers freed (or moved away from). */
static uintptr_t recent[KMALLOC_RECENT];
static unsigned recent_next;

/* Widen [lo, hi) to cover [base, end). Atomic: kmalloc runs in interrupt
 * handlers too, and a lost update would make a live block look foreign. */
static void note_block(uintptr_t base, uintptr_t end)
{
    uintptr_t cur = __atomic_load_n(&lo, __ATOMIC_RELAXED);
    while (base < cur &&
           !__atomic_compare_exchange_n(&lo, &cur, base, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    cur = __atomic_load_n(&hi, __ATOMIC_RELAXED);
    while (end > cur &&
           !__atomic_compare_exchange_n(&hi, &cur, end, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* Remember p as freed, for the message of a later double free. */
static void remember_freed(uintptr_t p)
{
    recent[__atomic_fetch_add(&recent_next, 1, __ATOMIC_RELAXED) % KMALLOC_RECENT] = p;
}

static bool freed_recently(uintptr_t p)
{
    for (unsigned i = 0; i < KMALLOC_RECENT; i++)
        if (recent[i] == p) return true;
    return false;
}

/* Why the header of p failed its check: the panic. */
__attribute__((cold, noinline)) static noreturn void bad_pointer(uintptr_t p, const char *who,
                                                                 bool readable)
{
    const struct kmalloc_header *h = (const struct kmalloc_header *)p - 1;
    if (readable && (h->check == KMALLOC_FREED || freed_recently(p)))
        panic("%s: double free of 0x%lx (freed by kfree or moved by krealloc)", who,
              (unsigned long)p);
    panic("%s: invalid pointer 0x%lx (not from kmalloc, or freed already)", who, (unsigned long)p);
}

/* The header of ptr, checked: panics as `who: invalid pointer 0x...` when ptr
 * is misaligned, outside every block kmalloc got (nothing is read then), or
 * its header does not carry a valid seal; as `who: double free of 0x...` when
 * it carries the freed mark or was freed recently (see the top). */
static struct kmalloc_header *header_of(const void *ptr, const char *who)
{
    uintptr_t p = (uintptr_t)ptr;
    struct kmalloc_header *h = (struct kmalloc_header *)(p - sizeof *h);
    if ((p & (KMALLOC_MIN_ALIGN - 1)) != 0 || p < lo + sizeof *h || p > hi)
        bad_pointer(p, who, false);
    if (h->align_shift < 4 || h->align_shift >= sizeof(size_t) * 8 ||
        (p & (((size_t)1 << h->align_shift) - 1)) ||
        h->check != kmalloc_seal(h->size, h->align_shift))
        bad_pointer(p, who, true);
    return h;
}

/* The layout of the block underneath a request, or false when the request is
 * not a valid layout or the header would overflow it. */
static bool under_layout(size_t size, size_t align, struct layout *out)
{
    if (layout_check((struct layout){size, align}) != LAYOUT_OK) return false;
    size_t a = align < KMALLOC_MIN_ALIGN ? KMALLOC_MIN_ALIGN : align;
    if (size > SIZE_MAX - a) return false;
    return layout_new(a + size, a, out) == LAYOUT_OK;
}

/* Write the header below base + A and return that pointer. */
static void *seal(void *base, struct layout under, size_t size)
{
    char *ptr = (char *)base + under.align;
    struct kmalloc_header *h = (struct kmalloc_header *)ptr - 1;
    h->size = size;
    h->align_shift = log2_of(under.align);
    h->check = kmalloc_seal(size, h->align_shift);
    note_block((uintptr_t)base, (uintptr_t)ptr + size);
    return ptr;
}

static struct layout under_of(const struct kmalloc_header *h)
{
    size_t a = (size_t)1 << h->align_shift;
    return (struct layout){a + h->size, a};
}

/* size bytes aligned to max(16, align), or NULL when align is not a power of
 * two, size + max(16, align) overflows, or memory runs out. */
void *try_kmalloc_aligned(size_t size, size_t align)
{
    struct layout under;
    if (!under_layout(size, align, &under)) return NULL;
    void *base = try_heap_alloc(under);
    return base ? seal(base, under, size) : NULL;
}

/* size bytes aligned to 16, or NULL. kmalloc(0) gives a unique pointer. */
void *try_kmalloc(size_t size)
{
    return try_kmalloc_aligned(size, KMALLOC_MIN_ALIGN);
}

/* n * size zeroed bytes aligned to 16, or NULL (also when n * size overflows). */
void *try_kcalloc(size_t n, size_t size)
{
    struct layout under;
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    if (!under_layout(n * size, KMALLOC_MIN_ALIGN, &under)) return NULL;
    void *base = try_heap_alloc_zeroed(under);
    return base ? seal(base, under, n * size) : NULL;
}

/* Resize a kmalloc block to size bytes at its alignment, keeping
 * min(old, new) bytes; NULL on failure with ptr still valid. krealloc(NULL, n)
 * is kmalloc(n); a size of 0 keeps a valid zero-size block (it does not free). */
void *try_krealloc(void *ptr, size_t size)
{
    if (ptr == NULL) return try_kmalloc(size);
    struct kmalloc_header *h = header_of(ptr, "krealloc");
    struct layout old = under_of(h), under;
    if (!under_layout(size, old.align, &under)) return NULL;
    uint32_t live = h->check;
    h->check = KMALLOC_FREED; /* in case the block moves: then the old one is freed */
    void *base = try_heap_realloc((char *)ptr - old.align, old, under.size);
    if (base == NULL) {
        h->check = live; /* the old block stays valid */
        return NULL;
    }
    void *moved = seal(base, under, size);
    if (moved != ptr) remember_freed((uintptr_t)ptr);
    return moved;
}

/* The infallible forms: as the try_ ones, but failure panics through
 * alloc_error with the layout that was asked for ({size, 16} for kmalloc,
 * {size, align} for kmalloc_aligned). An align that is not a power of two and
 * an overflowing n * size are the caller's bugs: they panic naming them. */
void *kmalloc_aligned(size_t size, size_t align)
{
    enum layout_error e = layout_check((struct layout){size, align});
    if (e != LAYOUT_OK)
        panic("kmalloc_aligned: %s: Layout { size: %zu, align: %zu }", layout_error_name(e), size,
              align);
    void *p = try_kmalloc_aligned(size, align);
    if (p == NULL) alloc_error((struct layout){size, align});
    return p;
}

void *kmalloc(size_t size)
{
    return kmalloc_aligned(size, KMALLOC_MIN_ALIGN);
}

void *kcalloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) panic("kcalloc: %zu * %zu bytes overflows", n, size);
    void *p = try_kcalloc(n, size);
    if (p == NULL) alloc_error((struct layout){n * size, KMALLOC_MIN_ALIGN});
    return p;
}

void *krealloc(void *ptr, size_t size)
{
    if (ptr == NULL) return kmalloc(size);
    size_t align = (size_t)1 << header_of(ptr, "krealloc")->align_shift;
    void *p = try_krealloc(ptr, size);
    if (p == NULL) alloc_error((struct layout){size, align});
    return p;
}

/* Free a kmalloc block; kfree(NULL) does nothing. A pointer whose header
 * fails the check panics with "kfree: invalid pointer 0x...". */
void kfree(void *ptr)
{
    if (ptr == NULL) return;
    struct kmalloc_header *h = header_of(ptr, "kfree");
    struct layout under = under_of(h);
    h->check = KMALLOC_FREED;
    remember_freed((uintptr_t)ptr);
    heap_dealloc((char *)ptr - under.align, under);
}

/* The size the block was asked for; panics on an invalid pointer as kfree. */
size_t kmalloc_size(const void *ptr)
{
    return header_of(ptr, "kmalloc_size")->size;
}
