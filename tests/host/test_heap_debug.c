/* The HEAP_DEBUG layer (mm/alloc/heap_debug.c) over a linked-list region:
 * each check it makes, by name, and that it stays a correct allocator. The
 * misuse table (test_heap_misuse.c) runs it over every design. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/heap_debug.h"
#include "kiln/linked_list.h"

static _Alignas(4096) uint8_t region[64 * 1024];
static struct linked_list_heap inner;
static struct heap_debug dbg;
static struct allocator a;

static int setup(void **state)
{
    (void)state;
    linked_list_init(&inner, region, sizeof region);
    heap_debug_init(&dbg, linked_list_allocator(&inner));
    a = heap_debug_allocator(&dbg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(heap_debug_check(&dbg), 0);
    heap_debug_flush(&dbg);
    assert_int_equal(linked_list_check(&inner), 0);
    assert_int_equal(linked_list_stats(&inner).used, 0);
    return 0;
}

static void *A(size_t size, size_t align)
{
    return allocator_alloc(&a, (struct layout){size, align});
}
static void F(void *p, size_t size, size_t align)
{
    allocator_dealloc(&a, p, (struct layout){size, align});
}

#define TEST(name) static void name(void **state __attribute__((unused)))

TEST(test_blocks_are_aligned_separate_and_redzoned)
{
    uint8_t *p[12];
    for (int i = 0; i < 12; i++) {
        size_t align = (size_t)1 << (i % 8);
        p[i] = A(10 + 37 * i, align);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % align, 0);
        memset(p[i], i, 10 + 37 * i);
        for (int r = 0; r < HEAP_DEBUG_REDZONE; r++)
            assert_int_equal(p[i][10 + 37 * i + r], HEAP_DEBUG_REDZONE_BYTE);
    }
    for (int i = 0; i < 12; i++) {
        for (size_t j = 0; j < 10 + 37 * (size_t)i; j++) assert_int_equal(p[i][j], i);
        F(p[i], 10 + 37 * i, (size_t)1 << (i % 8));
    }
    assert_int_equal(dbg.live, 0);
}

TEST(test_freed_memory_is_filled_and_quarantined)
{
    uint8_t *p = A(100, 8);
    F(p, 100, 8);
    for (int i = 0; i < 100; i++) assert_int_equal(p[i], HEAP_DEBUG_FREE_BYTE);
    assert_int_equal(dbg.q_count, 1);
    uint8_t *q = A(100, 8);
    assert_ptr_not_equal(q, p); /* p's memory waits in the quarantine */
    F(q, 100, 8);
}

TEST(test_double_free_after_reuse_within_the_quarantine)
{
    char want[96];
    void *p = A(64, 16);
    F(p, 64, 16);
    void *others[HEAP_DEBUG_QUARANTINE - 2];
    for (int i = 0; i < HEAP_DEBUG_QUARANTINE - 2; i++) others[i] = A(64, 16);
    for (int i = 0; i < HEAP_DEBUG_QUARANTINE - 2; i++) F(others[i], 64, 16);
    snprintf(want, sizeof want, "double free of %p", p);
    EXPECT_PANIC(F(p, 64, 16), want); /* 63 frees later: still quarantined */
}

TEST(test_size_mismatch_either_way)
{
    void *p = A(64, 16);
    EXPECT_PANIC(F(p, 65, 16), "size mismatch: free of");
    EXPECT_PANIC(F(p, 63, 16), "allocated with Layout { size: 64, align: 16 }");
    EXPECT_PANIC(F(p, 64, 32), "size mismatch");
    EXPECT_PANIC(F(p, 64, 8), "size mismatch");
    F(p, 64, 16);
}

TEST(test_one_byte_overflow_is_caught_at_free)
{
    uint8_t *p = A(64, 16);
    p[64] = 1;
    EXPECT_PANIC(F(p, 64, 16), "heap overflow: byte 0 past the end of the 64-byte block");
    p[64] = HEAP_DEBUG_REDZONE_BYTE;
    F(p, 64, 16);
}

TEST(test_use_after_free_write_is_caught_before_reuse)
{
    uint8_t *p = A(64, 16);
    F(p, 64, 16);
    p[10] = 0;
    assert_int_equal(heap_debug_check(&dbg), 1);
    EXPECT_PANIC(heap_debug_flush(&dbg), "use after free: byte 10 of the freed 64-byte block");
    p[10] = HEAP_DEBUG_FREE_BYTE;
}

TEST(test_invalid_frees_read_nothing_outside)
{
    uint8_t *p = A(256, 16);
    EXPECT_PANIC(F(p + 64, 16, 16), "invalid free of");
    EXPECT_PANIC(F(p + 3, 16, 1), "invalid free of");
    EXPECT_PANIC(F(region, 16, 16), "invalid free of"); /* below every block: nothing read */
    static uint8_t elsewhere[64];
    EXPECT_PANIC(F(elsewhere + 16, 16, 16), "invalid free of");
    F(p, 256, 16);
}

TEST(test_realloc_moves_and_keeps_data)
{
    uint8_t *p = A(32, 16);
    for (int i = 0; i < 32; i++) p[i] = (uint8_t)i;
    uint8_t *q = allocator_realloc(&a, p, (struct layout){32, 16}, 300);
    assert_ptr_not_equal(q, p);
    for (int i = 0; i < 32; i++) assert_int_equal(q[i], i);
    EXPECT_PANIC(F(p, 32, 16), "double free of");
    uint8_t *z = allocator_alloc_zeroed(&a, (struct layout){50, 16});
    for (int i = 0; i < 50; i++) assert_int_equal(z[i], 0);
    F(z, 50, 16);
    F(q, 300, 16);
    assert_null(A(SIZE_MAX - 20, 16));
}

TEST(test_quarantine_gives_way_when_memory_runs_out)
{
    /* Fill the quarantine's byte budget, then ask for nearly everything: the
     * layer flushes the quarantine and retries instead of failing. */
    for (int i = 0; i < 8; i++) F(A(2000, 16), 2000, 16);
    assert_true(dbg.q_count > 0);
    void *big = A(sizeof region - 4096, 16);
    assert_non_null(big);
    assert_int_equal(dbg.q_count, 0);
    F(big, sizeof region - 4096, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blocks_are_aligned_separate_and_redzoned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_freed_memory_is_filled_and_quarantined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_double_free_after_reuse_within_the_quarantine, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_size_mismatch_either_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_byte_overflow_is_caught_at_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_after_free_write_is_caught_before_reuse, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_frees_read_nothing_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realloc_moves_and_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_gives_way_when_memory_runs_out, setup,
                                        teardown),
    };
    return RUN_TESTS(tests);
}
