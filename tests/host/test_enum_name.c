/* Host tests of the one error-name idiom (include/kiln/enum_name.h) and of
 * every pure error enum's names. */
#include <string.h>

#include "support.h"
#include "kiln/boot_info.h"
#include "kiln/enum_name.h"
#include "kiln/frame.h"
#include "kiln/mpmc_queue.h"
#include "kiln/vec.h"

enum sample { SAMPLE_A, SAMPLE_B, SAMPLE_C = 4 };

static void holes_and_outside_values_are_unknown(void **state)
{
    (void)state;
    static const char *const names[] = {ENUM_NAME(SAMPLE_A), ENUM_NAME(SAMPLE_B),
                                        ENUM_NAME(SAMPLE_C)};
    assert_int_equal(sizeof names / sizeof names[0], 5);
    assert_string_equal(enum_name(names, SAMPLE_A, "?"), "SAMPLE_A");
    assert_string_equal(enum_name(names, SAMPLE_C, "?"), "SAMPLE_C");
    assert_string_equal(enum_name(names, 2, "?"), "?"); /* a hole */
    assert_string_equal(enum_name(names, 5, "?"), "?");
    assert_string_equal(enum_name(names, -1, "?"), "?");
}

/* name(v) for v in [0, n) spells each enumerator; the next value is unknown. */
#define CHECK_ALL(fn, unknown, ...)                                                                \
    do {                                                                                           \
        static const char *const want[] = {__VA_ARGS__};                                           \
        size_t n_ = sizeof want / sizeof want[0];                                                  \
        for (size_t i = 0; i < n_; i++) assert_string_equal(fn(i), want[i]);                       \
        assert_string_equal(fn(n_), unknown);                                                      \
    } while (0)

static void every_error_enum_names_every_value(void **state)
{
    (void)state;
    CHECK_ALL(frame_error_name, "FRAME_UNKNOWN_ERROR", "FRAME_OK", "FRAME_NO_USABLE_MEMORY",
              "FRAME_NO_ROOM_FOR_BITMAP", "FRAME_TOO_MANY_RANGES", "FRAME_MAP_UNSORTED",
              "FRAME_BAD_RANGE", "FRAME_MISALIGNED", "FRAME_OUTSIDE_USABLE", "FRAME_NOT_ALLOCATED",
              "FRAME_FREE_STACK_CORRUPT");
    CHECK_ALL(coll_error_name, "COLL_UNKNOWN_ERROR", "COLL_OK", "COLL_CAPACITY_OVERFLOW",
              "COLL_ALLOC_FAILED");
    CHECK_ALL(mpmc_queue_error_name, "MPMC_QUEUE_UNKNOWN_ERROR", "MPMC_QUEUE_OK",
              "MPMC_QUEUE_CAPACITY_TOO_SMALL", "MPMC_QUEUE_CAPACITY_TOO_LARGE",
              "MPMC_QUEUE_ALLOC_FAILED");
    assert_string_equal(boot_error_name(BOOT_OK), "BOOT_OK");
    assert_string_equal(boot_error_name(BOOT_NO_MEMORY_MAP), "BOOT_NO_MEMORY_MAP");
    assert_string_equal(boot_error_name(BOOT_TOO_MANY_MMAP_ENTRIES), "BOOT_TOO_MANY_MMAP_ENTRIES");
    assert_string_equal(boot_error_name((enum boot_error)1000),
                        boot_error_name((enum boot_error)1001));
    assert_true(strstr(boot_error_name((enum boot_error)1000), "BOOT_") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holes_and_outside_values_are_unknown),
        cmocka_unit_test(every_error_enum_names_every_value),
    };
    return RUN_TESTS(tests);
}
