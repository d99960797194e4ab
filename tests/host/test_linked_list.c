/* The linked-list allocator's own cases: first fit, coalescing, trimming,
 * extend, in-place realloc, the misuse panics and the hardening of its hole
 * nodes (issue 12), with linked_list_check() == 0 after every operation. The
 * cases every design shares (every size x alignment x free order, random
 * work, OOM) are in test_alloc_suite.c. */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "kiln/linked_list.h"

#define U        LINKED_LIST_UNIT
#define HDR      16 /* the sealed header below each block (kiln/block_seal.h) */
#define REGION   (4u << 20)
#define MAX_SIZE 512

static _Alignas(4096) unsigned char region[REGION];
static struct linked_list_heap heap;

#define CHECK(h)                                                                                   \
    do {                                                                                           \
        size_t broken_ = linked_list_check(h);                                                     \
        if (broken_)                                                                               \
            fail_msg("%s:%d: linked_list_check: %zu broken", __FILE__, __LINE__, broken_);         \
    } while (0)

static uint8_t pattern(size_t i, size_t size)
{
    return (uint8_t)(i * 131 + size * 7 + 1);
}

static void fill(void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++) ((uint8_t *)p)[i] = pattern(i, tag);
}

static void expect_filled(const void *p, size_t size, size_t tag)
{
    for (size_t i = 0; i < size; i++)
        if (((const uint8_t *)p)[i] != pattern(i, tag))
            fail_msg("block %p (tag %zu) byte %zu was overwritten", p, tag, i);
}

static void *alloc_ok(struct linked_list_heap *h, size_t size, size_t align)
{
    struct alloc_stats before = linked_list_stats(h);
    void *p = linked_list_alloc(h, (struct layout){size, align});
    if (p == NULL) fail_msg("alloc {%zu, %zu} failed", size, align);
    uintptr_t a = (uintptr_t)p;
    assert_int_equal(a % align, 0);
    assert_int_equal(a % U, 0);
    assert_true(a >= h->start && a + size <= h->end);
    assert_true(linked_list_stats(h).used >= before.used + size);
    CHECK(h);
    return p;
}

/* The hole node {size, next} of a freed block: at the block's start, where
 * its header was, 16 bytes below the pointer the caller had. */
static size_t *node_of(void *p)
{
    return (size_t *)((unsigned char *)p - HDR);
}

static void expect_pristine(struct linked_list_heap *h)
{
    struct alloc_stats s = linked_list_stats(h);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.free, s.size);
    assert_int_equal(s.largest_hole, s.size > HDR ? s.size - HDR : 0); /* less a header */
    assert_int_equal(linked_list_holes(h), s.size ? 1 : 0);
    CHECK(h);
}

/* First fit: the lowest hole that fits (the post's find_region), also after
 * frees have merged low holes into bigger ones. */
static void test_first_fit_after_frees_below(void **state)
{
    (void)state;
    struct layout l = {64, 8};
    unsigned char *b[10];
    linked_list_init(&heap, region, 4096);
    for (int i = 0; i < 10; i++) b[i] = alloc_ok(&heap, 64, 8); /* 16 + 64 bytes each */
    /* 80-byte holes at b[1], b[3], b[5], b[7]; b[9] joins the top hole */
    for (int i = 1; i < 10; i += 2) linked_list_dealloc(&heap, b[i], l);
    CHECK(&heap);
    /* a search for 128 bytes passes the four small holes */
    assert_ptr_equal(alloc_ok(&heap, 128, 8), b[9]);
    /* freeing b[4] merges b[3..5] into 240 bytes below them */
    linked_list_dealloc(&heap, b[4], l);
    CHECK(&heap);
    assert_ptr_equal(alloc_ok(&heap, 160, 8), b[3]); /* 176 bytes */
    /* b[6] merges the 64 bytes left after it with b[7]'s hole: 224 bytes */
    linked_list_dealloc(&heap, b[6], l);
    CHECK(&heap);
    assert_ptr_equal(alloc_ok(&heap, 129, 8), b[3] + 176);
    /* an aligned search also starts from the lowest hole */
    assert_ptr_equal(alloc_ok(&heap, 48, 32), b[1]);
    linked_list_dealloc(&heap, b[8], l);
    linked_list_dealloc(&heap, b[0], l);
    linked_list_dealloc(&heap, b[2], l);
    linked_list_dealloc(&heap, b[9], (struct layout){128, 8});
    linked_list_dealloc(&heap, b[3], (struct layout){160, 8});
    linked_list_dealloc(&heap, b[3] + 176, (struct layout){129, 8});
    linked_list_dealloc(&heap, b[1], (struct layout){48, 32});
    expect_pristine(&heap);
}

/* ---- out of memory -------------------------------------------------------- */

static void test_oom_leaves_heap_intact(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 4096);
    void *a = alloc_ok(&heap, 1000, 8);
    void *b = alloc_ok(&heap, 1000, 64);
    struct alloc_stats before = linked_list_stats(&heap);
    size_t holes = linked_list_holes(&heap);
    const struct layout too_big[] = {
        {before.largest_hole + 1, 1},
        {4096, 1},
        {1u << 20, 8},
        {SIZE_MAX - 3, 4},
        {1, 8192},
        {0, 1ul << 40},
    };
    for (size_t i = 0; i < sizeof too_big / sizeof too_big[0]; i++) {
        assert_null(linked_list_alloc(&heap, too_big[i]));
        struct alloc_stats after = linked_list_stats(&heap);
        assert_memory_equal(&before, &after, sizeof before);
        assert_int_equal(linked_list_holes(&heap), holes);
        CHECK(&heap);
    }
    /* exhaust with small blocks of 16 + 16 bytes: each fits until none
     * does; the holes are the 48 bytes in front of b (64-aligned) and the
     * 2000 bytes above it, so 1 + 62 fit and 16 + 16 bytes stay free */
    assert_int_equal(before.free, 48 + 2000);
    size_t n = 0;
    while (linked_list_alloc(&heap, (struct layout){16, 16}) != NULL) {
        n++;
        CHECK(&heap);
    }
    assert_int_equal(n, 1 + 62);
    assert_int_equal(linked_list_stats(&heap).free, 32);
    assert_int_equal(linked_list_stats(&heap).largest_hole, 0);
    assert_null(linked_list_alloc(&heap, (struct layout){0, 1}));
    CHECK(&heap);
    (void)a, (void)b;
}

static void test_invalid_layout_alloc_is_null(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 4096);
    assert_null(linked_list_alloc(&heap, (struct layout){8, 0}));
    assert_null(linked_list_alloc(&heap, (struct layout){8, 24}));
    assert_null(linked_list_alloc(&heap, (struct layout){SIZE_MAX, 16}));
    expect_pristine(&heap);
}

/* ---- coalescing ------------------------------------------------------------ */

/* Four blocks of 48 bytes (64 with their headers) fill a 256-byte region
 * exactly: every hole that appears comes from the frees alone. largest is
 * the largest hole less a header. */
static void test_coalescing(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int order[4]; /* blocks to free, -1 ends */
        size_t holes, largest;
    } cases[] = {
        {"alone", {1, -1}, 1, 64 - HDR},
        {"two apart", {0, 2, -1}, 2, 64 - HDR},
        {"with the next", {1, 0, -1}, 1, 128 - HDR},
        {"with the previous", {1, 2, -1}, 1, 128 - HDR},
        {"with both", {0, 2, 1, -1}, 1, 192 - HDR},
        {"everything", {3, 1, 0, 2}, 1, 256 - HDR},
    };
    struct layout l = {48, 8};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        void *b[4];
        linked_list_init(&heap, region, 256);
        for (int i = 0; i < 4; i++) b[i] = alloc_ok(&heap, 48, 8);
        assert_int_equal(linked_list_holes(&heap), 0);
        for (int i = 0; i < 4 && cases[c].order[i] >= 0; i++) {
            linked_list_dealloc(&heap, b[cases[c].order[i]], l);
            CHECK(&heap);
        }
        if (linked_list_holes(&heap) != cases[c].holes ||
            linked_list_stats(&heap).largest_hole != cases[c].largest)
            fail_msg("%s: %zu holes, largest %zu; want %zu, %zu", cases[c].name,
                     linked_list_holes(&heap), linked_list_stats(&heap).largest_hole,
                     cases[c].holes, cases[c].largest);
    }
}

/* ---- init and extend ---------------------------------------------------- */

static void test_init_trims_unaligned_region(void **state)
{
    (void)state;
    linked_list_init(&heap, region + 3, 1000);
    assert_int_equal(heap.start, (uintptr_t)region + 16);
    assert_int_equal(heap.end, (uintptr_t)region + 992); /* 1003 rounded down */
    expect_pristine(&heap);
    linked_list_init(&heap, region + 1, 20); /* no whole unit: empty */
    assert_int_equal(linked_list_stats(&heap).size, 0);
    assert_null(linked_list_alloc(&heap, (struct layout){1, 1}));
    CHECK(&heap);
    linked_list_extend(&heap, 20); /* top: region + 41, one unit [16, 32) */
    assert_int_equal(linked_list_stats(&heap).size, 16);
    expect_pristine(&heap);
    assert_null(linked_list_alloc(&heap, (struct layout){0, 1})); /* a unit holds a header only */
    linked_list_extend(&heap, 16);                                /* top: region + 57, [16, 48) */
    expect_pristine(&heap);
    assert_ptr_equal(alloc_ok(&heap, 16, 16), region + 32);
}

static void test_extend(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 256);
    void *a = alloc_ok(&heap, 256 - HDR, 8);
    assert_null(linked_list_alloc(&heap, (struct layout){1, 1}));
    linked_list_extend(&heap, 256); /* the new hole stands alone */
    CHECK(&heap);
    assert_int_equal(linked_list_holes(&heap), 1);
    assert_int_equal(linked_list_stats(&heap).size, 512);
    linked_list_extend(&heap, 8); /* half a unit: nothing yet */
    linked_list_extend(&heap, 8); /* the other half: merges with the top hole */
    CHECK(&heap);
    assert_int_equal(linked_list_holes(&heap), 1);
    assert_int_equal(linked_list_stats(&heap).largest_hole, 272 - HDR);
    void *b = alloc_ok(&heap, 272 - HDR, 16);
    assert_ptr_equal(b, region + 256 + HDR);
    linked_list_dealloc(&heap, a, (struct layout){256 - HDR, 8});
    linked_list_dealloc(&heap, b, (struct layout){272 - HDR, 16});
    expect_pristine(&heap);
    assert_int_equal(linked_list_stats(&heap).size, 272 + 256);
}

/* ---- realloc --------------------------------------------------------------- */

static void test_realloc_in_place_and_moving(void **state)
{
    (void)state;
    struct layout l = {100, 8};
    linked_list_init(&heap, region, 4096);
    char *a = alloc_ok(&heap, 100, 8);
    fill(a, 100, 1);
    /* grows in place: the hole above is large enough */
    char *g = linked_list_realloc(&heap, a, l, 1000);
    CHECK(&heap);
    assert_ptr_equal(g, a);
    expect_filled(g, 100, 1);
    assert_int_equal(linked_list_stats(&heap).used, HDR + 1008);
    /* shrinks in place: the tail becomes a hole and merges with the one above */
    fill(g, 1000, 2);
    char *s = linked_list_realloc(&heap, g, (struct layout){1000, 8}, 40);
    CHECK(&heap);
    assert_ptr_equal(s, a);
    expect_filled(s, 40, 2);
    assert_int_equal(linked_list_stats(&heap).used, HDR + 48);
    assert_int_equal(linked_list_holes(&heap), 1);
    /* a block right above: growing must move and keep the data */
    char *wall = alloc_ok(&heap, 16, 8);
    assert_ptr_equal(wall, a + 48 + HDR);
    fill(s, 40, 3);
    char *m = linked_list_realloc(&heap, s, (struct layout){40, 8}, 500);
    CHECK(&heap);
    assert_ptr_not_equal(m, s);
    expect_filled(m, 40, 3);
    /* the old place is a hole again: shrinking a moved block also stays put */
    assert_int_equal(linked_list_stats(&heap).used, HDR + 512 + HDR + 16);
    fill(m, 500, 4);
    assert_ptr_equal(linked_list_realloc(&heap, m, (struct layout){500, 8}, 200), m);
    expect_filled(m, 200, 4);
    CHECK(&heap);
    /* same rounded size: nothing moves, nothing changes */
    assert_ptr_equal(linked_list_realloc(&heap, m, (struct layout){200, 8}, 205), m);
    assert_int_equal(linked_list_stats(&heap).used, HDR + 208 + HDR + 16);
    /* grows in place into a hole that it fills exactly */
    linked_list_dealloc(&heap, wall, (struct layout){16, 8});
    CHECK(&heap);
    linked_list_dealloc(&heap, m, (struct layout){205, 8});
    expect_pristine(&heap);
}

static void test_realloc_failure_keeps_block(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 1024);
    char *a = alloc_ok(&heap, 300, 8);
    char *b = alloc_ok(&heap, 300, 8);
    fill(a, 300, 5);
    struct alloc_stats before = linked_list_stats(&heap);
    assert_null(linked_list_realloc(&heap, a, (struct layout){300, 8}, 2000));     /* no room */
    assert_null(linked_list_realloc(&heap, a, (struct layout){300, 8}, SIZE_MAX)); /* invalid */
    struct alloc_stats after = linked_list_stats(&heap);
    assert_memory_equal(&before, &after, sizeof before);
    expect_filled(a, 300, 5);
    CHECK(&heap);
    /* NULL reallocates as alloc */
    char *c = linked_list_realloc(&heap, NULL, (struct layout){0, 8}, 64);
    assert_non_null(c);
    CHECK(&heap);
    linked_list_dealloc(&heap, a, (struct layout){300, 8});
    linked_list_dealloc(&heap, b, (struct layout){300, 8});
    linked_list_dealloc(&heap, c, (struct layout){64, 8});
    expect_pristine(&heap);
}

/* ---- misuse ------------------------------------------------------------------ */

static void expect_message_has_pointer(const void *p)
{
    char want[64];
    snprintf(want, sizeof want, "%p", p);
    if (strstr(support_panic_message, want) == NULL)
        fail_msg("panic message \"%s\" lacks the pointer %s", support_panic_message, want);
    if (strstr(support_panic_message, "Layout { size: ") == NULL)
        fail_msg("panic message \"%s\" lacks the layout", support_panic_message);
}

static void test_double_free_panics(void **state)
{
    (void)state;
    struct layout l = {64, 8};
    linked_list_init(&heap, region, 4096);
    void *a = alloc_ok(&heap, 64, 8), *b = alloc_ok(&heap, 64, 8), *c = alloc_ok(&heap, 64, 8);
    linked_list_dealloc(&heap, b, l);
    EXPECT_PANIC(linked_list_dealloc(&heap, b, l), "double free");
    expect_message_has_pointer(b);
    CHECK(&heap);
    /* a wrong, larger layout: the header knows the block's size */
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){100, 8}), "size mismatch");
    /* freed into the middle of the top hole */
    linked_list_dealloc(&heap, c, l);
    EXPECT_PANIC(linked_list_dealloc(&heap, c, l), "double free");
    EXPECT_PANIC(linked_list_realloc(&heap, c, l, 128), "double free");
    CHECK(&heap);
    linked_list_dealloc(&heap, a, l);
    expect_pristine(&heap);
    EXPECT_PANIC(linked_list_dealloc(&heap, a, l), "double free");
}

static void test_invalid_free_panics(void **state)
{
    (void)state;
    struct layout l = {64, 8};
    linked_list_init(&heap, region + 4096, 4096);
    char *a = alloc_ok(&heap, 64, 8);
    char outside[32];
    EXPECT_PANIC(linked_list_dealloc(&heap, outside, l), "invalid free");
    expect_message_has_pointer(outside);
    EXPECT_PANIC(linked_list_dealloc(&heap, region, l), "invalid free");        /* below */
    EXPECT_PANIC(linked_list_dealloc(&heap, region + 8192, l), "invalid free"); /* above */
    EXPECT_PANIC(linked_list_dealloc(&heap, a + 8, l), "invalid free"); /* misaligned for U */
    EXPECT_PANIC(linked_list_dealloc(&heap, a + 16, (struct layout){8, 32}), "invalid free");
    EXPECT_PANIC(linked_list_dealloc(&heap, region + 8192 - 16, l), "invalid free"); /* past end */
    EXPECT_PANIC(linked_list_realloc(&heap, a + 8, l, 8), "invalid free");
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){64, 3}),
                 "LAYOUT_ALIGN_NOT_POWER_OF_TWO");
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){64, 0}), "LAYOUT_ALIGN_ZERO");
    CHECK(&heap);
    linked_list_dealloc(&heap, NULL, l); /* does nothing */
    linked_list_dealloc(&heap, a, l);
    expect_pristine(&heap);
}

/* ---- the check itself must be able to fail -------------------------------- */

static void test_check_detects_corruption(void **state)
{
    (void)state;
    struct layout l = {64, 8};
    linked_list_init(&heap, region, 4096);
    void *a = alloc_ok(&heap, 64, 8), *b = alloc_ok(&heap, 64, 8);
    (void)alloc_ok(&heap, 64, 8);
    linked_list_dealloc(&heap, a, l);
    heap.used += 16; /* free + used != size */
    assert_int_equal(linked_list_check(&heap), 1);
    heap.used -= 16;
    size_t *hole = node_of(a); /* node {size, next} of the hole where a's block was */
    hole[0] = 96;              /* now overlaps b's block */
    assert_true(linked_list_check(&heap) > 0);
    hole[0] = 8; /* below the minimum */
    assert_true(linked_list_check(&heap) > 0);
    hole[0] = 80;
    CHECK(&heap);
    linked_list_dealloc(&heap, b, l);
    CHECK(&heap);
    hole[1] = (size_t)hole; /* a cycle */
    assert_true(linked_list_check(&heap) > 0);
}

/* ---- hardening: a corrupted hole node never makes the allocator write
 * outside its region ---------------------------------------------------- */

/* A region in the middle of a bigger buffer: whatever the allocator wrote
 * outside [region + 4096, region + 8192) would show in the guard bytes. */
static void guarded_heap(void)
{
    memset(region, 0xa5, 3 * 4096);
    linked_list_init(&heap, region + 4096, 4096);
}

static void expect_guards_intact(void)
{
    for (size_t i = 0; i < 4096; i++)
        if (region[i] != 0xa5 || region[8192 + i] != 0xa5)
            fail_msg("a byte outside the region changed at offset %zu", i < 4096 ? i : 8192 + i);
}

static void test_overflow_into_a_hole_panics(void **state)
{
    (void)state;
    guarded_heap();
    unsigned char *a = alloc_ok(&heap, 64, 8);
    /* the hole above a starts at a + 64: a one-byte overflow hits its size */
    a[64] = 0xff;
    assert_true(linked_list_check(&heap) > 0);
    EXPECT_PANIC(linked_list_alloc(&heap, (struct layout){64, 8}), "heap corrupted");
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){64, 8}), "heap corrupted");
    char want[32];
    snprintf(want, sizeof want, "%p", (void *)(a + 64));
    if (strstr(support_panic_message, want) == NULL)
        fail_msg("\"%s\" does not name the node %s", support_panic_message, want);
    expect_guards_intact();
}

static void test_use_after_free_write_panics(void **state)
{
    (void)state;
    static const size_t wild[] = {0, 8, 4096, 16 * 4096}; /* offsets from the region's start */
    for (volatile size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
        guarded_heap();
        struct layout l = {64, 8};
        size_t *a = alloc_ok(&heap, 64, 8);
        void *b = alloc_ok(&heap, 64, 8);
        linked_list_dealloc(&heap, a, l);
        /* a freed block's first words (its header's place) are its hole node */
        node_of(a)[1] = (size_t)(region + 4096 + wild[i]) - (wild[i] == 0 ? 4096 : 0);
        assert_true(linked_list_check(&heap) > 0);
        EXPECT_PANIC(linked_list_alloc(&heap, (struct layout){512, 8}), "heap corrupted");
        EXPECT_PANIC(linked_list_dealloc(&heap, b, l), "heap corrupted");
        expect_guards_intact();
    }
    /* a size that reaches past the end */
    guarded_heap();
    size_t *a = alloc_ok(&heap, 64, 8);
    (void)alloc_ok(&heap, 64, 8);
    linked_list_dealloc(&heap, a, (struct layout){64, 8});
    node_of(a)[0] = 8192;
    EXPECT_PANIC(linked_list_alloc(&heap, (struct layout){4000, 8}), "heap corrupted");
    node_of(a)[0] = 0;
    EXPECT_PANIC(linked_list_alloc(&heap, (struct layout){16, 8}), "heap corrupted");
    expect_guards_intact();
}

static void test_check_never_faults(void **state)
{
    (void)state;
    static const uintptr_t wild[] = {1, 0xdead0000, 0x10, UINTPTR_MAX - 15};
    for (volatile size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
        linked_list_init(&heap, region, 4096);
        size_t *a = alloc_ok(&heap, 64, 8);
        (void)alloc_ok(&heap, 64, 8);
        linked_list_dealloc(&heap, a, (struct layout){64, 8});
        node_of(a)[1] = wild[i]; /* unmapped or misaligned: check must not follow it */
        assert_int_equal(linked_list_check(&heap), 1);
        EXPECT_PANIC(linked_list_stats(&heap), "heap corrupted");
    }
    linked_list_init(&heap, region, 4096);
    heap.head = (void *)0xdead0000;
    assert_int_equal(linked_list_check(&heap), 1);
}

/* Interior pointers, into a hole or into a live block, and a wrong layout are
 * caught: the 16 bytes below the pointer are not a live block's header. */
static void test_interior_pointer_and_larger_layout(void **state)
{
    (void)state;
    struct layout l = {64, 8};
    linked_list_init(&heap, region, 4096);
    unsigned char *a = alloc_ok(&heap, 64, 8), *b = alloc_ok(&heap, 64, 8);
    (void)alloc_ok(&heap, 64, 8);
    linked_list_dealloc(&heap, b, l);
    EXPECT_PANIC(linked_list_dealloc(&heap, b + 16, (struct layout){16, 16}), "double free");
    EXPECT_PANIC(linked_list_dealloc(&heap, b + 3, l), "invalid free");
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){65, 8}), "size mismatch");
    EXPECT_PANIC(linked_list_dealloc(&heap, a, (struct layout){48, 8}), "size mismatch");
    EXPECT_PANIC(linked_list_realloc(&heap, a, (struct layout){80, 8}, 8), "size mismatch");
    memset(a, 0x77, 64);
    EXPECT_PANIC(linked_list_dealloc(&heap, a + 16, (struct layout){16, 16}), "invalid free");
    EXPECT_PANIC(linked_list_dealloc(&heap, a + 32, (struct layout){32, 8}), "invalid free");
    expect_message_has_pointer(a + 32);
    EXPECT_PANIC(linked_list_realloc(&heap, a + 16, (struct layout){16, 16}, 8), "invalid free");
    /* a header overwritten: its seal's first byte (a write past the end of
     * the block below), or more of it */
    a[-16] ^= 1;
    assert_int_equal(linked_list_check(&heap), 1); /* check() walks the blocks too */
    EXPECT_PANIC(linked_list_dealloc(&heap, a, l), "heap corrupted");
    a[-9] ^= 1;
    EXPECT_PANIC(linked_list_dealloc(&heap, a, l), "invalid free");
    a[-16] ^= 1, a[-9] ^= 1;
    CHECK(&heap);
    linked_list_dealloc(&heap, a, l);
}

static void test_resize_in_place(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 4096);
    unsigned char *a = alloc_ok(&heap, 64, 8), *b = alloc_ok(&heap, 64, 8);
    assert_false(linked_list_resize_in_place(&heap, a, (struct layout){64, 8}, 65)); /* b */
    assert_true(linked_list_resize_in_place(&heap, b, (struct layout){64, 8}, 1000));
    assert_true(linked_list_resize_in_place(&heap, b, (struct layout){1000, 8}, 16));
    assert_true(linked_list_resize_in_place(&heap, a, (struct layout){64, 8}, 16));
    assert_true(linked_list_resize_in_place(&heap, a, (struct layout){16, 8}, 64));
    assert_false(linked_list_resize_in_place(&heap, b, (struct layout){16, 8}, 8192));
    assert_false(linked_list_resize_in_place(&heap, b, (struct layout){16, 8}, SIZE_MAX));
    CHECK(&heap);
    linked_list_dealloc(&heap, b, (struct layout){16, 8});
    EXPECT_PANIC(linked_list_resize_in_place(&heap, b, (struct layout){16, 8}, 32), "double free");
    linked_list_dealloc(&heap, a, (struct layout){64, 8});
    expect_pristine(&heap);
}

/* ---- through the allocator interface ------------------------------------- */

static void test_as_allocator(void **state)
{
    (void)state;
    linked_list_init(&heap, region, 8192);
    struct allocator a = linked_list_allocator(&heap);
    struct layout l = {100, 32};
    char *p = allocator_alloc_zeroed(&a, l);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 32, 0);
    for (int i = 0; i < 100; i++) assert_int_equal(p[i], 0);
    fill(p, 100, 9);
    char *q = allocator_realloc(&a, p, l, 3000);
    assert_non_null(q);
    expect_filled(q, 100, 9);
    CHECK(&heap);
    allocator_dealloc(&a, q, (struct layout){3000, 32});
    expect_pristine(&heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_fit_after_frees_below),
        cmocka_unit_test(test_oom_leaves_heap_intact),
        cmocka_unit_test(test_invalid_layout_alloc_is_null),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_init_trims_unaligned_region),
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_realloc_in_place_and_moving),
        cmocka_unit_test(test_realloc_failure_keeps_block),
        cmocka_unit_test(test_double_free_panics),
        cmocka_unit_test(test_invalid_free_panics),
        cmocka_unit_test(test_check_detects_corruption),
        cmocka_unit_test(test_as_allocator),
        cmocka_unit_test(test_resize_in_place),
        cmocka_unit_test(test_overflow_into_a_hole_panics),
        cmocka_unit_test(test_use_after_free_write_panics),
        cmocka_unit_test(test_check_never_faults),
        cmocka_unit_test(test_interior_pointer_and_larger_layout),
    };
    return RUN_TESTS(tests);
}
