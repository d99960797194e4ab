/* The allocators the host benchmark measures kiln's designs against
 * (bench/peers.c), all linked into one binary so they run side by side in
 * the same process and the same run:
 *   glibc     the system malloc: malloc, memalign, realloc and free looked up
 *             in libc.so.6 itself, because jemalloc and mimalloc both define
 *             malloc (mimalloc even __libc_malloc);
 *   jemalloc  as Rust's jemallocator calls it for GlobalAlloc: malloc and
 *             realloc (looked up in libjemalloc) for natural alignments,
 *             mallocx / rallocx otherwise, and always the sized sdallocx;
 *   mimalloc  mi_malloc / mi_malloc_aligned / mi_free / mi_realloc(_aligned),
 *             as Rust's mimalloc crate calls it;
 *   null      hands out two scratch buffers in turn and frees nothing: the
 *             harness's own cost, subtracted from the instruction counts.
 * Every wrapper is named bench_op_*, the functions whose instructions
 * callgrind counts (--toggle-collect=bench_op_*).
 */
#ifndef KILN_BENCH_PEERS_H
#define KILN_BENCH_PEERS_H

#include "workloads.h"

extern const struct bench_allocator bench_glibc, bench_jemalloc, bench_mimalloc, bench_null;

/* Look up glibc's and jemalloc's malloc family in their own libraries
 * (each of the three peers defines malloc); exits with a message when one
 * is missing. Before any other call. */
void bench_peers_init(void);

/* "glibc 2.36, jemalloc 5.3.0-..., mimalloc 2.0.9": the peers' versions. */
void bench_peer_versions(char *buf, size_t len);

#endif
