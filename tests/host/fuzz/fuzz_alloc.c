/* libFuzzer target: the differential allocator harness (alloc_ops.h) over
 * the design named by KILN_FUZZ_DESIGN (every registered one: make fuzz
 * runs this binary once per design; KILN_FUZZ_DESIGN=list prints them). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_ops.h"

static const struct alloc_design *design;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *name = getenv("KILN_FUZZ_DESIGN");
    if (name && strcmp(name, "list") == 0) { /* for make fuzz: one name a line */
        for (size_t i = 0; i < alloc_design_count; i++) printf("%s\n", alloc_designs[i]->name);
        exit(0);
    }
    design = alloc_design_find(name ? name : "linked_list");
    if (design == NULL) {
        fprintf(stderr, "fuzz_alloc: KILN_FUZZ_DESIGN=%s is not a registered design\n", name);
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    alloc_ops_run(design, data, size);
    return 0;
}

void alloc_ops_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_alloc (%s): ", design->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
