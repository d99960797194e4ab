/* The kernel test framework: the blog's custom_test_frameworks, in C.
 *
 * KTEST(name) { ... } registers a test in the "ktests" linker section.
 * ktest_main() runs every registered test of the image and speaks the blog's
 * protocol over COM1:
 *     Running N tests
 *     <suite>::<name>...\t[ok]
 * then exits QEMU with success (status 33). A panic inside a test prints
 * "[failed]", a blank line and "Error: <the panic message>", and exits with
 * failure (status 35). <suite> is the test image's file name.
 */
#ifndef KILN_KTEST_H
#define KILN_KTEST_H

#include <stdnoreturn.h>

#include "kiln/panic.h"

#ifndef KTEST_SUITE
#define KTEST_SUITE "kernel"
#endif

struct ktest {
    const char *suite;
    const char *name;
    void (*fn)(void);
};

#define KTEST(name)                                                                                \
    static void name(void);                                                                        \
    static const struct ktest ktest_entry_##name                                                   \
        __attribute__((section("ktests"), used, aligned(8))) = {KTEST_SUITE, #name, name};         \
    static void name(void)

/* Run every KTEST of this image, then exit QEMU (success or failure). */
noreturn void ktest_main(void);

/* A should-panic image (the blog's should_panic.rs): print
 * "<suite>::<name>...\t" and run fn. It passes ([ok], status 33) only when fn
 * panics with a message containing expected; another panic, or none, fails. */
noreturn void ktest_should_panic_impl(const char *suite, const char *name, void (*fn)(void),
                                      const char *expected);
#define ktest_should_panic(name, fn, expected)                                                     \
    ktest_should_panic_impl(KTEST_SUITE, (name), (fn), (expected))

/* The running test ends in a known failure of this build, written down
 * rather than skipped: a panic whose message contains expected (bump's
 * allocation error where the post says bump runs out of memory). why says
 * why in a few words. Only the image's last test may call it, since nothing
 * after the panic runs (elsewhere it panics). The panic passes the image,
 * printing "[failed as expected]" and "Expected: <why>: <message>", when
 * confirm (NULL: none) returns NULL for the message; a non-NULL result says
 * what differs, and fails the image, as any other panic does, and as the
 * test returning without the panic does. confirm runs in the panic hook: it
 * must not panic itself. */
void ktest_expect_panic(const char *expected, const char *why,
                        const char *(*confirm)(const char *message));

/* The panic hook of test images: "[failed]", blank line, "Error: ...", exit 35. */
void ktest_panic_hook(const char *message);

#endif
