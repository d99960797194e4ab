/* Replays the fuzzers' committed inputs as regression tests: every seed
 * (tests/host/fuzz/corpus/<target>/) and every reproducer of a finding
 * (tests/host/fuzz/regress/<target>/) through the same checks the fuzz
 * targets make, under ASan and UBSan. The allocator inputs run against every
 * registered design; a reproducer under regress/alloc-<design>/ runs against
 * all of them too. Run from the repository's top directory (as make test does).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/alloc_ops.h"
#include "support.h"

/* The fuzz targets' entry points, compiled in under these names. */
int replay_multiboot2(const uint8_t *data, size_t size);
int replay_scancode(const uint8_t *data, size_t size);

#define FUZZ_DIR "tests/host/fuzz"

static char fail_buf[1024];
void alloc_ops_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_buf, sizeof fail_buf, fmt, ap);
    va_end(ap);
    fail_msg("%s", fail_buf);
    abort();
}

/* Call fn on every file of dir (and of every sub-directory whose name starts
 * with prefix, when prefix is not NULL); returns the number of files. */
static size_t each_input(const char *dir, const char *prefix,
                         void (*fn)(const char *path, const uint8_t *data, size_t size))
{
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    size_t n = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (prefix) {
            if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n += each_input(path, NULL, fn);
            continue;
        }
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static uint8_t buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        uint8_t *copy = malloc(len ? len : 1); /* exactly len bytes, for ASan */
        memcpy(copy, buf, len);
        fn(path, copy, len);
        free(copy);
        n++;
    }
    closedir(d);
    return n;
}

static void alloc_input(const char *path, const uint8_t *data, size_t size)
{
    (void)path;
    for (size_t i = 0; i < alloc_design_count; i++) alloc_ops_run(alloc_designs[i], data, size);
}

static void multiboot2_input(const char *path, const uint8_t *data, size_t size)
{
    (void)path;
    replay_multiboot2(data, size);
}

static void scancode_input(const char *path, const uint8_t *data, size_t size)
{
    (void)path;
    replay_scancode(data, size);
}

static void allocator_seeds_and_findings(void **state)
{
    (void)state;
    host_alloc_install();
    size_t n = each_input(FUZZ_DIR "/corpus/alloc", NULL, alloc_input);
    if (n == 0) fail_msg("no seeds in " FUZZ_DIR "/corpus/alloc (run from the top directory)");
    each_input(FUZZ_DIR "/regress", "alloc", alloc_input);
}

static void multiboot2_seeds_and_findings(void **state)
{
    (void)state;
    assert_true(each_input(FUZZ_DIR "/corpus/multiboot2", NULL, multiboot2_input) > 0);
    each_input(FUZZ_DIR "/regress", "multiboot2", multiboot2_input);
}

static void scancode_seeds_and_findings(void **state)
{
    (void)state;
    assert_true(each_input(FUZZ_DIR "/corpus/scancode", NULL, scancode_input) > 0);
    each_input(FUZZ_DIR "/regress", "scancode", scancode_input);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocator_seeds_and_findings),
        cmocka_unit_test(multiboot2_seeds_and_findings),
        cmocka_unit_test(scancode_seeds_and_findings),
    };
    return RUN_TESTS(tests);
}
