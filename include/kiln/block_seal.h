/* The block seal: the run-time check behind the textbook designs' free
 * (linked_list, fixed_block, bump), because C has no borrow checker.
 *
 * In Rust, a Box is freed once, by its owner, with the layout it was made
 * with: the compiler proves it. In C, dealloc(ptr, layout) gets whatever
 * the caller passes. So each block carries a 16-byte header right below the
 * pointer the caller gets:
 *
 *     | header: seal | bytes |  the caller's bytes ...
 *     ^ block start          ^ ptr (aligned as the layout asks)
 *
 *   seal   block_seal(key, ptr, bytes) while the block is live;
 *          its complement (~) once freed, where the design keeps the block
 *          (fixed_block's lists, bump); anything else after the design
 *          reused the header's bytes (the linked list's hole nodes).
 *          It comes first, where a write past the end of the block below
 *          lands.
 *   bytes  the bytes the design gave the block (header and rounding
 *          included): only read to explain a failed check.
 *
 * key is a per-heap 64-bit value made at init from the clock and the heap's
 * addresses. At dealloc the design reads the seal below ptr:
 *   - the live seal for (ptr, the layout's bytes): a live block, freed now;
 *   - a live seal for another size: "size mismatch" (exact);
 *   - the freed seal: "double free" (exact until the memory is reused);
 *   - one of those with its first byte changed: "heap corrupted" (a write
 *     past the end of the block below);
 *   - none: "invalid free": an interior pointer, a pointer the heap never
 *     gave out, or a header overwritten. The 16 bytes below such a pointer
 *     are the caller's data or free memory; they pass for a live header
 *     only if they equal a 64-bit function of the key, which data that does
 *     not know the key does with probability 2^-64.
 * What the seal cannot see: a stale pointer after its memory was handed
 * out again at the same address (the new block's header is valid); use
 * HEAP_DEBUG=1, whose quarantine delays reuse.
 *
 * Cost: 16 bytes per block, a store at alloc, a load and compare at free.
 */
#ifndef KILN_BLOCK_SEAL_H
#define KILN_BLOCK_SEAL_H

#include <stddef.h>
#include <stdint.h>

struct block_header {
    uint64_t seal; /* block_seal(key, ptr, bytes) while live */
    size_t bytes;  /* the block's bytes, header included */
};

#define BLOCK_HEADER_SIZE sizeof(struct block_header)
_Static_assert(sizeof(struct block_header) == 16, "the block header is 16 bytes");

/* The header of the block whose caller pointer is ptr (16 bytes below it). */
static inline struct block_header *block_header_of(uintptr_t ptr)
{
    return (struct block_header *)(ptr - BLOCK_HEADER_SIZE);
}

/* The seal of a live block: the address times an odd constant (a
 * bijection, so that no two addresses and sizes cancel out), the size,
 * and the heap's key. */
static inline uint64_t block_seal(uint64_t key, uintptr_t ptr, size_t bytes)
{
    return key ^ ((uint64_t)ptr * 0x9e3779b97f4a7c15ull) ^ bytes;
}

/* The seal of a freed block the design keeps in place. */
static inline uint64_t block_seal_freed(uint64_t key, uintptr_t ptr, size_t bytes)
{
    return ~block_seal(key, ptr, bytes);
}

/* Whether seal is the live or the freed seal of (ptr, bytes) with only its
 * first byte changed: what a one-byte overflow of the block below does
 * (data that does not know the key matches by chance with probability
 * 2^-56). For the message "heap corrupted" instead of "invalid free". */
static inline int block_seal_overflowed(uint64_t seal, uint64_t key, uintptr_t ptr, size_t bytes)
{
    uint64_t live = seal ^ block_seal(key, ptr, bytes), freed = ~live;
    return (live != 0 && live < 256) || (freed != 0 && freed < 256);
}

/* A fresh key for a heap whose state is at state and region at start:
 * the time stamp counter (where there is one) and both addresses, mixed
 * (splitmix64's finaliser). */
static inline uint64_t block_seal_key(const void *state, uintptr_t start)
{
    uint64_t x = (uint64_t)(uintptr_t)state * 0xbf58476d1ce4e5b9ull ^ start;
#if defined(__x86_64__) || defined(__i386__)
    x ^= __builtin_ia32_rdtsc() * 0x94d049bb133111ebull;
#endif
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

#endif
