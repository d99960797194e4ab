#include "kiln/ktest.h"

#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

extern const struct ktest ktests_start[], ktests_end[];

void ktest_panic_hook(const char *message)
{
    serial_printf("[failed]\n\nError: %s\n", message);
    qemu_exit(QEMU_EXIT_FAILED);
}

void ktest_main(void)
{
    panic_set_hook(ktest_panic_hook);
    serial_printf("Running %d tests\n", (int)(ktests_end - ktests_start));
    for (const struct ktest *t = ktests_start; t < ktests_end; t++) {
        serial_printf("%s::%s...\t", t->suite, t->name);
        t->fn();
        serial_printf("[ok]\n");
    }
    qemu_exit(QEMU_EXIT_SUCCESS);
}

static const char *expected_panic;

static void should_panic_hook(const char *message)
{
    if (strstr(message, expected_panic)) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: the panic lacks \"%s\": %s\n", expected_panic, message);
    qemu_exit(QEMU_EXIT_FAILED);
}

void ktest_should_panic_impl(const char *suite, const char *name, void (*fn)(void),
                             const char *expected)
{
    expected_panic = expected;
    panic_set_hook(should_panic_hook);
    serial_printf("%s::%s...\t", suite, name);
    fn();
    serial_printf("[test did not panic]\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
