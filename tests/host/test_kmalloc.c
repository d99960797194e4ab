/* kmalloc & co., the global allocator slot, the dispatch defaults and the
 * Dummy, over a linked-list heap installed as the global allocator. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/alloc_designs.h"
#include "kiln/alloc_dummy.h"
#include "kiln/bump.h"
#include "kiln/linked_list.h"

static _Alignas(4096) unsigned char region[256 * 1024];
static struct linked_list_heap heap;

static int setup(void **state)
{
    (void)state;
    linked_list_init(&heap, region, sizeof region);
    struct allocator a = linked_list_allocator(&heap);
    global_alloc_set(&a);
    return 0;
}

/* Every test must leave the heap whole and sound. */
static int teardown(void **state)
{
    (void)state;
    assert_int_equal(linked_list_check(&heap), 0);
    assert_int_equal(linked_list_stats(&heap).used, 0);
    return 0;
}

static void test_kmalloc_kfree(void **state)
{
    (void)state;
    for (size_t size = 0; size <= 300; size++) {
        unsigned char *p = kmalloc(size);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal(kmalloc_size(p), size);
        memset(p, 0xab, size);
        /* the cost: kmalloc's 16-byte header, the block rounded to the heap's
         * unit, and the linked list's own 16-byte block header */
        assert_int_equal(linked_list_stats(&heap).used, 16 + 16 + (size + 15) / 16 * 16);
        kfree(p);
        assert_int_equal(linked_list_stats(&heap).used, 0);
    }
    kfree(NULL);
}

static void test_kmalloc_aligned(void **state)
{
    (void)state;
    void *keep = kmalloc(24); /* so the next block does not start on a page */
    for (size_t align = 1; align <= 4096; align *= 2) {
        void *p = kmalloc_aligned(100, align);
        assert_int_equal((uintptr_t)p % (align < 16 ? 16 : align), 0);
        assert_int_equal(kmalloc_size(p), 100);
        void *q = krealloc(p, 5000); /* keeps its alignment when it moves */
        assert_int_equal((uintptr_t)q % (align < 16 ? 16 : align), 0);
        kfree(q);
    }
    kfree(keep);
    assert_null(try_kmalloc_aligned(8, 24));
    EXPECT_PANIC(kmalloc_aligned(8, 24), "kmalloc_aligned: LAYOUT_ALIGN_NOT_POWER_OF_TWO");
}

static void test_krealloc_keeps_data(void **state)
{
    (void)state;
    char *p = krealloc(NULL, 10);
    memcpy(p, "0123456789", 10);
    char *wall = kmalloc(1); /* forces the growth to move */
    p = krealloc(p, 4000);
    assert_memory_equal(p, "0123456789", 10);
    assert_int_equal(kmalloc_size(p), 4000);
    memset(p + 10, 'x', 3990);
    p = krealloc(p, 5); /* shrinks in place */
    assert_memory_equal(p, "01234", 5);
    assert_int_equal(kmalloc_size(p), 5);
    char *same = krealloc(p, 0);
    assert_ptr_equal(same, p);
    assert_int_equal(kmalloc_size(same), 0);
    kfree(same);
    kfree(wall);
    /* failure keeps the block */
    char *q = kmalloc(64);
    memset(q, 7, 64);
    assert_null(try_krealloc(q, sizeof region));
    assert_null(try_krealloc(q, SIZE_MAX - 8));
    assert_int_equal(kmalloc_size(q), 64);
    for (int i = 0; i < 64; i++) assert_int_equal(q[i], 7);
    kfree(q);
}

static void test_kcalloc(void **state)
{
    (void)state;
    unsigned char *dirty = kmalloc(4000);
    memset(dirty, 0xff, 4000);
    kfree(dirty);
    unsigned char *z = kcalloc(100, 40);
    assert_ptr_equal(z, dirty); /* the same, dirtied memory */
    for (int i = 0; i < 4000; i++) assert_int_equal(z[i], 0);
    assert_int_equal(kmalloc_size(z), 4000);
    kfree(z);
    assert_null(try_kcalloc(SIZE_MAX / 2, 3));
    assert_null(try_kcalloc(3, SIZE_MAX / 2));
    EXPECT_PANIC(kcalloc(SIZE_MAX / 2, 3), "overflows");
    void *empty = kcalloc(0, SIZE_MAX);
    assert_non_null(empty);
    kfree(empty);
}

static void test_oom(void **state)
{
    (void)state;
    assert_null(try_kmalloc(sizeof region));
    assert_null(try_kmalloc(SIZE_MAX));
    assert_null(try_kmalloc(SIZE_MAX - 20));
    assert_null(try_kcalloc(1, sizeof region));
    assert_null(try_kmalloc_aligned(1000, (size_t)1 << 40));
    EXPECT_PANIC(kmalloc(sizeof region), "allocation error: Layout { size: 262144, align: 16 }");
    EXPECT_PANIC(kmalloc_aligned(1u << 20, 64),
                 "allocation error: Layout { size: 1048576, align: 64 }");
    void *p = kmalloc(8);
    EXPECT_PANIC(krealloc(p, 1u << 20), "allocation error: Layout { size: 1048576, align: 16 }");
    kfree(p);
}

static void test_exact_alloc_error_message(void **state)
{
    (void)state;
    EXPECT_PANIC(alloc_error((struct layout){24, 8}),
                 "allocation error: Layout { size: 24, align: 8 }");
    /* the message ends there */
    assert_string_equal(strstr(support_panic_message, "allocation error"),
                        "allocation error: Layout { size: 24, align: 8 }");
}

static void test_kfree_invalid_pointer(void **state)
{
    (void)state;
    char *p = kmalloc(64);
    char want[64];
    snprintf(want, sizeof want, "kfree: invalid pointer 0x%lx", (unsigned long)(p + 16));
    EXPECT_PANIC(kfree(p + 16), want);                    /* inside a block: no header there */
    EXPECT_PANIC(kfree(p + 1), "kfree: invalid pointer"); /* misaligned */
    char *q = kmalloc(64);
    kfree(p);
    snprintf(want, sizeof want, "kfree: double free of 0x%lx", (unsigned long)p);
    EXPECT_PANIC(kfree(p), want); /* freed already, its header now a hole node */
    EXPECT_PANIC(kmalloc_size(p), "kmalloc_size: double free of");
    EXPECT_PANIC(krealloc(p, 8), "krealloc: double free of");
    kfree(q);
}

/* The seal changes on free and on a move: the stale pointer is caught, by
 * the freed mark where the allocator left the header alone (bump) and by
 * the ring of recent frees where it wrote its own links there. */
static void test_kfree_after_free_or_move(void **state)
{
    (void)state;
    char want[64];
    char *p = kmalloc(40), *wall = kmalloc(8);
    char *q = krealloc(p, 4000); /* moves: wall is in the way */
    assert_ptr_not_equal(q, p);
    snprintf(want, sizeof want, "kfree: double free of 0x%lx", (unsigned long)p);
    EXPECT_PANIC(kfree(p), want);
    kfree(q);
    kfree(wall);
}

/* A second kfree is "double free" however many frees came between, on every
 * design, as long as the block's memory was not handed out again: the freed
 * mark in kmalloc's header survives (the designs keep their own links
 * elsewhere: below the block in their 16-byte headers, or in its first
 * word), and kmalloc's ring of the last 64 frees is not what catches it. */
static _Alignas(ALLOC_DESIGN_STATE_ALIGN) unsigned char design_state[64 * 1024];
static char *others[1000];

static void double_free_at_distance(const struct alloc_design *design, size_t size, size_t distance)
{
    design->init(design_state, region, sizeof region);
    struct allocator a = design->allocator(design_state);
    global_alloc_set(&a);
    /* keep stops bump from resetting; x is freed, then distance others that
     * were allocated before, so that none of them reuses x's memory (small
     * ones share x's size class or neighbour it, some are 24 bytes) */
    char *keep = kmalloc(8), *x = kmalloc(size);
    for (size_t i = 0; i < distance; i++) others[i] = kmalloc(size <= 64 && i % 2 ? size : 24);
    kfree(x);
    for (size_t i = 0; i < distance; i++) kfree(others[i]);
    char want[64];
    snprintf(want, sizeof want, "kfree: double free of 0x%lx", (unsigned long)x);
    EXPECT_PANIC(kfree(x), want);
    kfree(keep);
    if (design->check(design_state) != 0)
        fail_msg("%s: check() != 0 after the double free", design->name);
}

/* Distances 1, 64, 65 and 1000, a small and a large block, every design. */
static void test_kfree_double_free_at_any_distance(void **state)
{
    (void)state;
    static const size_t distances[] = {1, 64, 65, 1000};
    for (size_t d = 0; d < alloc_design_count; d++) {
        assert_true(alloc_designs[d]->state_size <= sizeof design_state);
        for (size_t k = 0; k < sizeof distances / sizeof distances[0]; k++) {
            double_free_at_distance(alloc_designs[d], 40, distances[k]);
            double_free_at_distance(alloc_designs[d], 2000, distances[k]);
        }
    }
    setup(NULL);
}

/* kfree of a region's first byte: its header would lie below the region.
 * Refused before any read (ASan reports a read of the bytes below). */
static void test_kfree_first_byte_of_region(void **state)
{
    (void)state;
    void *p = kmalloc(16);
    char want[64];
    snprintf(want, sizeof want, "kfree: invalid pointer 0x%lx", (unsigned long)region);
    EXPECT_PANIC(kfree(region), want);
    EXPECT_PANIC(kfree(region + sizeof region), "kfree: invalid pointer"); /* one past the end */
    EXPECT_PANIC(kfree((void *)16), "kfree: invalid pointer");             /* nowhere near */
    kfree(p);
}

/* The layout front ends and the dispatch defaults. */
static void test_kalloc_family(void **state)
{
    (void)state;
    struct layout l = {48, 16};
    unsigned char *p = heap_alloc_zeroed(l);
    for (int i = 0; i < 48; i++) assert_int_equal(p[i], 0);
    memset(p, 3, 48);
    p = heap_realloc(p, l, 96);
    for (int i = 0; i < 48; i++) assert_int_equal(p[i], 3);
    heap_dealloc(p, (struct layout){96, 16});
    heap_dealloc(NULL, l);
    assert_null(try_heap_alloc((struct layout){8, 0}));
    assert_null(try_heap_alloc_zeroed((struct layout){8, 5}));
    assert_null(try_heap_realloc(NULL, (struct layout){8, 8}, SIZE_MAX));
    EXPECT_PANIC(heap_alloc((struct layout){1u << 20, 8}),
                 "allocation error: Layout { size: 1048576, align: 8 }");
    EXPECT_PANIC(heap_dealloc(region, (struct layout){8, 3}),
                 "allocator_dealloc: LAYOUT_ALIGN_NOT_POWER_OF_TWO");
    assert_ptr_equal(global_allocator()->state, &heap);
}

static void test_default_realloc_and_zeroed(void **state)
{
    (void)state;
    static unsigned char small[256];
    struct bump_heap b;
    bump_init(&b, small, sizeof small);
    struct allocator a = bump_allocator(&b); /* no realloc, no alloc_zeroed */
    memset(small, 0xee, sizeof small);
    unsigned char *p = allocator_alloc_zeroed(&a, (struct layout){32, 8});
    for (int i = 0; i < 32; i++) assert_int_equal(p[i], 0);
    memset(p, 9, 32);
    unsigned char *q = allocator_realloc(&a, p, (struct layout){32, 8}, 64);
    assert_ptr_not_equal(q, p);
    for (int i = 0; i < 32; i++) assert_int_equal(q[i], 9);
    assert_int_equal(b.allocations, 1); /* the old block was freed */
    /* failure (no room, or an invalid new layout) leaves the old block */
    assert_null(allocator_realloc(&a, q, (struct layout){64, 8}, 1000));
    assert_null(allocator_realloc(&a, q, (struct layout){64, 8}, SIZE_MAX));
    assert_null(allocator_realloc(&a, q, (struct layout){64, 7}, 8));
    assert_int_equal(b.allocations, 1);
    for (int i = 0; i < 32; i++) assert_int_equal(q[i], 9);
    assert_null(allocator_alloc(&a, (struct layout){8, 0}));
    assert_null(allocator_alloc_zeroed(&a, (struct layout){8, 0}));
    allocator_dealloc(&a, q, (struct layout){64, 8});
    assert_int_equal(bump_check(&b), 0);
}

static void test_dummy(void **state)
{
    (void)state;
    struct allocator d = dummy_allocator();
    assert_null(allocator_alloc(&d, (struct layout){8, 8}));
    EXPECT_PANIC(allocator_dealloc(&d, region, (struct layout){8, 8}),
                 "dealloc should be never called");
    global_alloc_set(&d);
    assert_null(try_kmalloc(8));
    assert_null(try_heap_alloc((struct layout){8, 8}));
    EXPECT_PANIC(kmalloc(8), "allocation error: Layout { size: 8, align: 16 }");
    EXPECT_PANIC(heap_alloc((struct layout){4, 4}),
                 "allocation error: Layout { size: 4, align: 4 }");
    EXPECT_PANIC(global_alloc_set(NULL), "global_alloc_set");
    setup(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kmalloc_kfree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kmalloc_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_krealloc_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kcalloc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exact_alloc_error_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kfree_after_free_or_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kfree_double_free_at_any_distance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kfree_first_byte_of_region, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kfree_invalid_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kalloc_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_realloc_and_zeroed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dummy, setup, teardown),
    };
    return RUN_TESTS(tests);
}
