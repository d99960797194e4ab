/* The differential allocator harness (tests/host/fuzz/alloc_ops.c): one
 * operation stream, read from arbitrary bytes, run against a registered
 * design over a small region and against a model of what must hold.
 *
 * Input: byte 0 picks the region's size (0..63 bytes, or up to ~24 KiB),
 * byte 1 its misalignment (0..15 bytes off a 16-byte boundary); then ops,
 * each an opcode byte and its arguments (missing bytes read as 0):
 *   alloc, alloc_zeroed   size, alignment (1 .. 4096)
 *   dealloc               which live block
 *   realloc               which live block, new size
 *   extend                bytes (designs with extend; up to 16 KiB in all)
 *   invalid               an overflowing size or a bad alignment: must fail
 *
 * After every op (the model):
 *   - every block lies inside the region and is aligned as asked;
 *   - no two live blocks overlap (a shadow map of owners, byte by byte);
 *   - every live block still holds its fill pattern; realloc keeps the
 *     prefix; alloc_zeroed memory was zero;
 *   - check() == 0; free + used == size; largest_hole <= free;
 *     used >= the bytes of live blocks; size <= the region's bytes.
 * At the end every block is freed; then used == 0 and one block of (nearly)
 * the whole region must fit, as near as the design's rules allow (whole_block in
 * alloc_ops.c). Bytes outside the region are poisoned for ASan, so a design
 * that touches them is caught where it happens.
 */
#ifndef KILN_FUZZ_ALLOC_OPS_H
#define KILN_FUZZ_ALLOC_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "kiln/alloc_designs.h"

/* Run one stream against d. A broken rule calls alloc_ops_fail. */
void alloc_ops_run(const struct alloc_design *d, const uint8_t *data, size_t size);

/* Provided by the caller (the fuzzer aborts; the replay test fails the case). */
noreturn void alloc_ops_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
