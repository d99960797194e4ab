#include "kiln/ktest.h"

#include <stdbool.h>

#include "kiln/boot.h"
#include "kiln/cmdline.h"
#include "kiln/console.h"
#include "kiln/fmt.h"
#include "kiln/kpanic.h"
#include "kiln/qemu_exit.h"
#include "kiln/serial.h"
#include "kiln/string.h"

extern const struct ktest ktests_start[], ktests_end[];

/* The console output of the running test: the last CAPTURE_BYTES of it, in a
 * ring. captured counts every byte, so captured - CAPTURE_BYTES were lost when
 * it is larger. */
#define CAPTURE_BYTES 8192
static char ring[CAPTURE_BYTES];
static size_t captured;
static const char *running;         /* "suite::name" of the test in progress, for the report */
static const struct ktest *current; /* the test in progress */
static char running_name[128];

static void capture(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) ring[(captured + i) % CAPTURE_BYTES] = s[i];
    captured += n;
}

static void capture_start(const char *suite, const char *name, bool verbose)
{
    ksnprintf(running_name, sizeof running_name, "%s::%s", suite, name);
    running = running_name;
    captured = 0;
    if (!verbose) console_set_mirror(capture);
}

/* Stop capturing; print what the failed test printed, under its Error line. */
static void capture_report(void)
{
    console_set_mirror(NULL);
    if (!running || captured == 0) return;
    serial_printf("\n---- %s output ----\n", running);
    size_t kept = captured < CAPTURE_BYTES ? captured : CAPTURE_BYTES;
    if (captured > kept) serial_printf("(the first %zu bytes were not kept)\n", captured - kept);
    size_t start = (captured - kept) % CAPTURE_BYTES;
    size_t first = kept < CAPTURE_BYTES - start ? kept : CAPTURE_BYTES - start;
    serial_write(ring + start, first);
    serial_write(ring, kept - first);
    if (ring[(captured - 1) % CAPTURE_BYTES] != '\n') serial_write("\n", 1);
}

void ktest_panic_hook(const char *message)
{
    console_set_mirror(NULL);
    serial_printf("[failed]\n\nError: %s\n", message);
    panic_print_backtrace(serial_printf);
    capture_report();
    qemu_exit(QEMU_EXIT_FAILED);
}

static struct {
    const char *text, *why;
    const char *(*confirm)(const char *message);
} expected_failure;

static void expected_failure_hook(const char *message)
{
    const char *differs = "the panic is another one";
    if (strstr(message, expected_failure.text))
        differs = expected_failure.confirm ? expected_failure.confirm(message) : NULL;
    if (differs == NULL) {
        console_set_mirror(NULL);
        serial_printf("[failed as expected]\nExpected: %s: %s\n", expected_failure.why, message);
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    static char report[1024 + 512];
    ksnprintf(report, sizeof report, "%s\n(expected a panic containing \"%s\": %s; but %s)",
              message, expected_failure.text, expected_failure.why, differs);
    ktest_panic_hook(report);
}

void ktest_expect_panic(const char *expected, const char *why,
                        const char *(*confirm)(const char *message))
{
    if (current == NULL || current + 1 != ktests_end)
        panic("ktest_expect_panic: %s is not the image's last test: the tests after it would "
              "not run",
              running);
    expected_failure.text = expected;
    expected_failure.why = why;
    expected_failure.confirm = confirm;
    panic_set_hook(expected_failure_hook);
}

/* ktest=NAME selects the test NAME or SUITE::NAME, exactly. */
static bool selected(const struct ktest *t, const char *filter)
{
    if (!*filter || strcmp(filter, t->name) == 0) return true;
    size_t n = strlen(t->suite);
    return strncmp(filter, t->suite, n) == 0 && filter[n] == ':' && filter[n + 1] == ':' &&
           strcmp(filter + n + 2, t->name) == 0;
}

void ktest_main(void)
{
    static char filter[128];
    const char *cmdline = boot_cmdline();
    if (!cmdline_get(cmdline, "ktest", filter, sizeof filter)) filter[0] = 0;
    bool verbose = cmdline_get(cmdline, "ktest_verbose", NULL, 0);
    panic_set_hook(ktest_panic_hook);

    int total = (int)(ktests_end - ktests_start), count = 0;
    for (const struct ktest *t = ktests_start; t < ktests_end; t++) count += selected(t, filter);
    serial_printf("Running %d tests\n", count);
    if (count < total) serial_printf("(%d filtered out by ktest=%s)\n", total - count, filter);
    for (const struct ktest *t = ktests_start; t < ktests_end; t++) {
        if (!selected(t, filter)) continue;
        serial_printf("%s::%s...\t", t->suite, t->name);
        capture_start(t->suite, t->name, verbose);
        current = t;
        t->fn();
        if (expected_failure.text) {
            panic_set_hook(ktest_panic_hook);
            panic("%s returned, but it was expected to fail (%s) with a panic containing \"%s\"",
                  running, expected_failure.why, expected_failure.text);
        }
        console_set_mirror(NULL);
        running = NULL;
        serial_printf("[ok]\n");
    }
    qemu_exit(QEMU_EXIT_SUCCESS);
}

static const char *expected_panic;

static void should_panic_hook(const char *message)
{
    console_set_mirror(NULL);
    if (strstr(message, expected_panic)) {
        serial_printf("[ok]\n");
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    serial_printf("[failed]\n\nError: the panic lacks \"%s\": %s\n", expected_panic, message);
    panic_print_backtrace(serial_printf);
    capture_report();
    qemu_exit(QEMU_EXIT_FAILED);
}

void ktest_should_panic_impl(const char *suite, const char *name, void (*fn)(void),
                             const char *expected)
{
    expected_panic = expected;
    panic_set_hook(should_panic_hook);
    serial_printf("%s::%s...\t", suite, name);
    capture_start(suite, name, cmdline_get(boot_cmdline(), "ktest_verbose", NULL, 0));
    fn();
    console_set_mirror(NULL);
    serial_printf("[test did not panic]\n");
    capture_report();
    qemu_exit(QEMU_EXIT_FAILED);
}
