/* The blog's tests/should_panic.rs: no harness. The test must panic, and
 * with the failed assertion's message: the panic hook reports [ok] only for
 * that message; another panic fails, naming what it said. */
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

static const char expected[] = "assertion `left == right` failed: 0 == 1\n  left: 0 (0x0)\n right: "
                               "1 (0x1)";

static void should_panic_hook(const char *message)
{
    if (strstr(message, "panicked at tests/kernel/should_panic.c:") == message &&
        strstr(message, expected) != NULL) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: the panic lacks \"%s\": %s\n", expected, message);
    qemu_exit(QEMU_EXIT_FAILED);
}

static void should_fail(void)
{
    serial_printf("should_panic::should_fail...\t");
    kassert_eq(0, 1);
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    (void)magic;
    (void)info_phys;
    panic_set_hook(should_panic_hook);
    should_fail();
    serial_printf("[test did not panic]\n");
    qemu_exit(QEMU_EXIT_FAILED);
}
