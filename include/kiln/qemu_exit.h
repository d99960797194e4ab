/* Leaving QEMU through its isa-debug-exit device (iobase 0xf4, iosize 4). */
#ifndef KILN_QEMU_EXIT_H
#define KILN_QEMU_EXIT_H

#include <stdnoreturn.h>

/* QEMU exits with status (code << 1) | 1: 0x10 gives 33, 0x11 gives 35. */
enum qemu_exit_code {
    QEMU_EXIT_SUCCESS = 0x10,
    QEMU_EXIT_FAILED = 0x11,
};

/* Exit QEMU with code; on a machine without the device, halt forever. */
noreturn void qemu_exit(enum qemu_exit_code code);

#endif
