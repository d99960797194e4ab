/* kiln's double-fault handler reports as the blog's does: a panic with
 * "EXCEPTION: DOUBLE FAULT" and the interrupt stack frame, one field per
 * line. A stack overflow double faults (the page fault at the guard page
 * cannot push its frame); the handler runs on its IST stack and panics, and
 * the hook checks the whole message: the panic's place, the wording, the
 * frame's shape, an instruction pointer inside the recursing function and a
 * stack pointer at the guard page. */
#include <stdbool.h>
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/vmem.h"

/* The panic's message, "{n}" standing for a decimal and "{x}" for a hex
 * number; the numbers are kept in order. */
static const char expected[] = "panicked at arch/x86_64/exceptions.c:{n}: EXCEPTION: DOUBLE FAULT\n"
                               "InterruptStackFrame {\n"
                               "    instruction_pointer: VirtAddr(0x{x}),\n"
                               "    code_segment: 8,\n"
                               "    cpu_flags: 0x{x},\n"
                               "    stack_pointer: VirtAddr(0x{x}),\n"
                               "    stack_segment: 16,\n"
                               "}";

/* Match s against the template t; store the numbers in values[]. */
static bool match(const char *s, const char *t, uint64_t *values, int max)
{
    int n = 0;
    while (*t) {
        if (t[0] == '{' && (t[1] == 'n' || t[1] == 'x') && t[2] == '}') {
            unsigned base = t[1] == 'n' ? 10 : 16;
            uint64_t v = 0;
            const char *start = s;
            for (;; s++) {
                unsigned d;
                if (*s >= '0' && *s <= '9')
                    d = (unsigned)(*s - '0');
                else if (base == 16 && *s >= 'a' && *s <= 'f')
                    d = (unsigned)(*s - 'a' + 10);
                else
                    break;
                v = v * base + d;
            }
            if (s == start || n == max) return false;
            values[n++] = v;
            t += 3;
        } else if (*s++ != *t++) {
            return false;
        }
    }
    return *s == 0 && n == max;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static volatile int depth;
static void __attribute__((noinline)) stack_overflow(void)
{
    stack_overflow();
    depth++;
}
#pragma GCC diagnostic pop

static void check_message(const char *message)
{
    uint64_t v[4]; /* line, instruction pointer, flags, stack pointer */
    const char *why = NULL;
    if (!match(message, expected, v, 4))
        why = "its shape or wording differs";
    else if (v[1] < (uintptr_t)stack_overflow || v[1] >= (uintptr_t)stack_overflow + 64)
        why = "instruction_pointer is not in stack_overflow()";
    else if (v[3] % PAGE_SIZE > 64) /* the overflow stops at the guard page's top */
        why = "stack_pointer is not at a page boundary";
    if (why == NULL) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: the double-fault report: %s:\n%s\n", why, message);
    qemu_exit(QEMU_EXIT_FAILED);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    kernel_init();
    panic_set_hook(check_message);
    serial_printf("double_fault::stack_overflow_report...\t");
    stack_overflow();
    serial_printf("[failed]\n\nError: execution continued after the stack overflow\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
