/* Page faults: decoding the error code, and probing memory that may fault
 * (arch/x86_64/exceptions.c, arch/x86_64/probe.c). */
#ifndef KILN_PAGE_FAULT_H
#define KILN_PAGE_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/idt.h"

#define PF_PROTECTION_VIOLATION (1u << 0)
#define PF_CAUSED_BY_WRITE      (1u << 1)
#define PF_USER_MODE            (1u << 2)
#define PF_MALFORMED_TABLE      (1u << 3)
#define PF_INSTRUCTION_FETCH    (1u << 4)

/* Write "PageFaultErrorCode(CAUSED_BY_WRITE | ...)" into buf, snprintf-style;
 * returns the full length. */
size_t page_fault_error_format(uint64_t code, char *buf, size_t size);

/* The result of a probe: whether the access faulted, and how. */
struct probe_result {
    bool faulted;
    uint64_t address;    /* CR2 */
    uint64_t error_code; /* the page-fault error code */
};

/* Read or write one 64-bit word at addr; a page fault does not panic but
 * comes back in the result (and a read leaves *value alone). For tests and
 * for the page-fault demo. */
struct probe_result probe_read(uintptr_t addr, uint64_t *value);
struct probe_result probe_write(uintptr_t addr, uint64_t value);

/* Called by the page-fault handler: when the fault came from a probe, record
 * it, resume after the probe, and return true. */
bool page_fault_fixup(struct interrupt_frame *frame, uint64_t address);

#endif
