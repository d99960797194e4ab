#include "kiln/ktest.h"

#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"

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
