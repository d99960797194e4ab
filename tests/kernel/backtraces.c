/* Backtraces with names: the frame-pointer walk and the symbol table linked
 * in by the second link pass, on the real kernel. */
#include <stdarg.h>
#include <stdint.h>

#include "kiln/backtrace.h"
#include "kiln/fmt.h"
#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/ksyms.h"
#include "kiln/ktest.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_main();
}

static char text[2048];
static size_t text_len;

static int collect(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(text + text_len, sizeof text - text_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        text_len += (size_t)n < sizeof text - text_len ? (size_t)n : sizeof text - text_len - 1;
    return n;
}

static volatile int after_call;

/* The names of the frames from here up, one per line. */
static __attribute__((noinline)) void chain_inner(void)
{
    text_len = 0;
    text[0] = 0;
    backtrace_print_from((uint64_t)(uintptr_t)chain_inner,
                         (uint64_t)(uintptr_t)__builtin_frame_address(0), collect);
    after_call++; /* no tail call: keep this frame */
}
static __attribute__((noinline)) void chain_middle(void)
{
    chain_inner();
    after_call++;
}
static __attribute__((noinline)) void chain_outer(void)
{
    chain_middle();
    after_call++;
}

static void expect_in_order(const char *const *want, size_t n)
{
    const char *at = text;
    for (size_t i = 0; i < n; i++) {
        const char *found = strstr(at, want[i]);
        if (!found) panic("backtrace lacks \"%s\" after the earlier frames:\n%s", want[i], text);
        at = found + strlen(want[i]);
    }
}

KTEST(walk_names_every_caller_in_order)
{
    chain_outer();
    static const char *const want[] = {
        "#0 chain_inner+0x0 (tests/kernel/backtraces.c:", "#1 chain_middle+", "#2 chain_outer+",
        "#3 walk_names_every_caller_in_order+",           "ktest_main+",      "kernel_main+",
    };
    expect_in_order(want, sizeof want / sizeof want[0]);
}

KTEST(lookup_finds_kernel_functions_and_lines)
{
    char buf[128];
    ksym_format(&ksyms_kernel, (uint64_t)(uintptr_t)ktest_main + 1, buf, sizeof buf);
    kassert(strstr(buf, "ktest_main+0x1 (kernel/ktest.c:") == buf);
    ksym_format(&ksyms_kernel, (uint64_t)(uintptr_t)panic_at, buf, sizeof buf);
    kassert(strstr(buf, "panic_at+0x0 (kernel/panic.c:") == buf);
    kassert(ksyms_kernel.func_count > 100);
    kassert(ksym_lookup(&ksyms_kernel, 0x1000).function == NULL);
}

static void page_fault_hook(const char *message)
{
    text_len = 0;
    text[0] = 0;
    panic_print_backtrace(collect);
    static const char *const want[] = {
        "#0 a_page_fault_names_the_faulting_function+",
        "(tests/kernel/backtraces.c:",
        "#1 ktest_main+",
    };
    for (size_t i = 0; i < 3; i++) {
        if (!strstr(message, "PAGE FAULT") || !strstr(text, want[i])) {
            serial_printf("[failed]\n\nError: the backtrace lacks \"%s\":\n%s\n%s\n", want[i],
                          message, text);
            qemu_exit(QEMU_EXIT_FAILED);
        }
    }
    serial_printf("[ok]\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
}

/* Last: the page fault ends the image through the hook. The trace starts at
 * the faulting instruction, not in the handler. (A static leaf function that
 * faults is named as #0, but gcc gives such functions no frame even with
 * -mno-omit-leaf-frame-pointer, so its caller is missing from the walk.) */
KTEST(a_page_fault_names_the_faulting_function)
{
    panic_set_hook(page_fault_hook);
    *(volatile uint64_t *)(uintptr_t)0x4000000000ull = 1;
    panic("the write to an unmapped page did not fault");
}
