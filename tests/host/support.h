/* Support for the host unit tests (cmocka, ASan, UBSan).
 *
 * - panic_at() for pure code running on the host: inside EXPECT_PANIC it
 *   records the message and jumps back; anywhere else it fails the test.
 * - host_allocator(): an allocator over the C library, so ASan sees every
 *   block the collections allocate. It counts live blocks, checks that
 *   dealloc gets the layout alloc was given, and can be told to fail.
 */
#ifndef KILN_TEST_SUPPORT_H
#define KILN_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kiln/alloc.h"

extern jmp_buf *support_panic_jump;
extern char support_panic_message[1024];

/* Run stmt; pass only when it panics with a message containing substr. */
#define EXPECT_PANIC(stmt, substr)                                                                 \
    do {                                                                                           \
        jmp_buf expect_panic_jb_;                                                                  \
        support_panic_message[0] = 0;                                                              \
        support_panic_jump = &expect_panic_jb_;                                                    \
        if (setjmp(expect_panic_jb_) == 0) {                                                       \
            stmt;                                                                                  \
            support_panic_jump = NULL;                                                             \
            fail_msg("expected a panic containing \"%s\"", (substr));                              \
        }                                                                                          \
        support_panic_jump = NULL;                                                                 \
        if (strstr(support_panic_message, (substr)) == NULL)                                       \
            fail_msg("panic message \"%s\" lacks \"%s\"", support_panic_message, (substr));        \
    } while (0)

/* An allocator over aligned_alloc/free with layout checking. */
struct allocator host_allocator(void);
/* Install host_allocator() as the global allocator and reset its counters. */
void host_alloc_install(void);
/* Blocks allocated and not yet freed. */
size_t host_alloc_live(void);
/* Let the next n allocations succeed, then fail all (SIZE_MAX: never fail). */
void host_alloc_fail_after(size_t n);

/* Fail the test unless every block from host_allocator() has been freed. */
#define NO_LEAKS() assert_int_equal(host_alloc_live(), 0)

/* A xorshift64* generator: tests seed rng_state, so every run is the same. */
extern uint64_t rng_state;
uint64_t rnd(void);

/* The orders the allocator suites free a batch in: FORWARD, REVERSE,
 * INTERLEAVED (the even ones, then the odd ones: holes form, then merge) and
 * RANDOM (shuffled with rnd()). */
enum free_order { FORWARD, REVERSE, INTERLEAVED, RANDOM };
extern const char *const free_order_name[];
/* idx[0..n) = the indices 0..n-1 in order o. */
void free_order(enum free_order o, size_t *idx, size_t n);

/* Run a cmocka group, with setup installing the host allocator. */
/* Run the group; KILN_TEST_FILTER=NAME (set by make test T=suite::NAME) runs
 * only the case NAME (cmocka's filter: * and ? are wildcards). */
#define RUN_TESTS(tests)                                                                           \
    (cmocka_set_test_filter(getenv("KILN_TEST_FILTER")), cmocka_run_group_tests(tests, NULL, NULL))

#endif
