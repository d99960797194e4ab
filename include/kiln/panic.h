/* Panics and assertions.
 *
 * panic() reports what went wrong and where, then never returns. The kernel's
 * panic_at (kernel/panic.c) prints on every console and halts; a test image's
 * hook reports the failure and exits QEMU; the host test support longjmps back
 * into the test that expected it. Pure code (lib/, mm/alloc/) calls only this.
 */
#ifndef KILN_PANIC_H
#define KILN_PANIC_H

#include <stdnoreturn.h>

/* Print "panicked at FILE:LINE:" and the formatted message, then stop. */
noreturn void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Panic with the failed expression when cond is false. */
#define kassert(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) panic("assertion failed: %s", #cond);                                         \
    } while (0)

/* Panic when a != b, printing both values as integers (pointers print too). */
#define kassert_eq(a, b)                                                                           \
    do {                                                                                           \
        unsigned long long kassert_l_ = (unsigned long long)(a);                                   \
        unsigned long long kassert_r_ = (unsigned long long)(b);                                   \
        if (kassert_l_ != kassert_r_)                                                              \
            panic("assertion `left == right` failed: %s == %s\n  left: %lld (0x%llx)\n right: "    \
                  "%lld (0x%llx)",                                                                 \
                  #a, #b, (long long)kassert_l_, kassert_l_, (long long)kassert_r_, kassert_r_);   \
    } while (0)

#endif
