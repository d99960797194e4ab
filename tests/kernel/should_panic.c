/* The blog's tests/should_panic.rs: no harness. The test must panic; its
 * panic hook reports [ok] and exits with success. */
#include <stdint.h>

#include "kiln/init.h"
#include "kiln/kpanic.h"
#include "kiln/panic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"

static void should_panic_hook(const char *message)
{
    (void)message;
    serial_printf("[ok]\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
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
