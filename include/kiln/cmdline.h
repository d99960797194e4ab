/* The kernel command line (lib/cmdline.c, pure).
 *
 * GRUB passes what follows the kernel's path on its multiboot2 line: words
 * separated by spaces, each KEY or KEY=VALUE. kiln reads, for example,
 * ktest=NAME (run one test case) and ktest_verbose=1 (print test output live).
 */
#ifndef KILN_CMDLINE_H
#define KILN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Find KEY in cmdline. Returns false when no word is KEY or starts with
 * "KEY=". Otherwise copies the value of the last such word (a bare KEY has
 * the value "") into out, NUL-terminated and truncated to n - 1 bytes, and
 * returns true. out may be NULL (with n == 0) to test for presence only. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t n);

/* A size value such as heap_max=64M: decimal or 0x-hex digits, then
 * optionally K, M or G (KiB, MiB, GiB). False (and *out untouched) on
 * anything else or on overflow. */
bool cmdline_size(const char *s, size_t *out);

#endif
