/* The blog's intermediate demos, one function each (kernel/demo.c), picked
 * with demo=NAME on the kernel command line (make run DEMO=NAME). */
#ifndef KILN_DEMO_H
#define KILN_DEMO_H

#include "kiln/boot_info.h"

/* When bi's command line says demo=NAME, run that demo instead of the rest
 * of the boot; it never returns (it halts, faults or hangs, as in the blog).
 * Without demo=, return at once. An unknown NAME prints the list of demos and
 * returns, so the normal boot goes on. Call it right after "Hello World!". */
void demo_run(const struct boot_info *bi);

/* Post 9's translations, in its form ("VirtAddr(0x...) -> Some(PhysAddr(0x...))"
 * or "-> None"): the blog's identity-mapped VGA buffer 0xb8000 (unmapped in
 * kiln), the VGA buffer through phys_offset, a code page, a stack page and
 * phys_offset itself. Needs memory_init. */
void demo_translate(void);

#endif
