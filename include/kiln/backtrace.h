/* Stack traces with names (kernel/backtrace.c), walked through the frame
 * pointers kiln keeps (-fno-omit-frame-pointer): each frame holds the caller's
 * rbp at [rbp] and the return address at [rbp + 8]; boot.S starts the chain
 * with rbp = 0. Names come from the embedded symbol table (kiln/ksyms.h). */
#ifndef KILN_BACKTRACE_H
#define KILN_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>

#define BACKTRACE_MAX 32

/* Collect up to max code addresses: rip first, then the return address of
 * each frame from rbp upward. Stops at rbp 0, at an rbp that is not an
 * aligned kernel address above the previous one, or at max. Returns the
 * count (rip alone when rbp is 0). */
size_t backtrace_walk(uint64_t rip, uint64_t rbp, uint64_t *pcs, size_t max);

/* Print the trace from (rip, rbp) through print, one "  #n function+0xoff
 * (file:line)" line per frame. Return addresses are looked up one byte back,
 * at the call, so the line is the call's. */
void backtrace_print_from(uint64_t rip, uint64_t rbp, int (*print)(const char *fmt, ...));

#endif
