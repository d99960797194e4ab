/* kiln's default allocator: every size x alignment x free order, OOM,
 * coalescing, the phase change, extend, realloc, layout_of, a random
 * workload checked against a shadow model, and the registry entry.
 * default_heap_check() == 0 after every operation. The misuse panics and
 * check() against corruption: test_default_heap_misuse.c. */
#include <stdio.h>
#include <string.h>

#include "../../mm/alloc/default_heap_impl.h"
#include "default_heap_test.h"
#include "kiln/alloc_designs.h"
#include "kiln/linked_list.h"

/* ---- the slot starts table ------------------------------------------------------ */

/* dh_slot_starts, recomputed: class c's slots start at offset 64 (after the
 * page header), every 16 (c + 1) bytes, as many as fit in the page. */
static void test_slot_starts_table(void **state)
{
    (void)state;
    for (unsigned c = 0; c < DEFAULT_HEAP_CLASSES; c++) {
        size_t size = 16 * (c + 1), slots = 0;
        assert_int_equal(dh_class_size[c], size);
        for (size_t off = 0; off < DEFAULT_HEAP_PAGE; off += 16) {
            bool start = off >= 64 && (off - 64) % size == 0 && off + size <= DEFAULT_HEAP_PAGE;
            uint64_t word = dh_slot_starts[off / 1024][c];
            assert_int_equal(word >> (off / 16 % 64) & 1, start);
            slots += start;
        }
        /* A page of the class holds that many blocks: the next takes a new page. */
        uintptr_t mask = ~(uintptr_t)(DEFAULT_HEAP_PAGE - 1);
        default_heap_init(&heap, region, 1u << 20);
        uintptr_t page = (uintptr_t)alloc_ok(&heap, size, 16) & mask;
        for (size_t i = 1; i < slots; i++)
            assert_int_equal((uintptr_t)alloc_ok(&heap, size, 16) & mask, page);
        assert_int_not_equal((uintptr_t)alloc_ok(&heap, size, 16) & mask, page);
        CHECK(&heap);
    }
}

/* ---- every size x every alignment x four free orders ---------------------- */

static void test_every_size_align_order(void **state)
{
    (void)state;
    static void *blocks[MAX_SIZE + 1];
    static size_t idx[MAX_SIZE];
    rng_state = 0x9e3779b97f4a7c15ull;
    for (size_t align = 1; align <= 4096; align *= 2) {
        for (enum free_order o = FORWARD; o <= RANDOM; o++) {
            default_heap_init(&heap, region, REGION);
            for (size_t size = 1; size <= MAX_SIZE; size++) {
                blocks[size] = alloc_ok(&heap, size, align);
                fill(blocks[size], size, size);
            }
            free_order(o, idx, MAX_SIZE);
            for (size_t i = 0; i < MAX_SIZE; i++) {
                size_t size = idx[i] + 1;
                expect_filled(blocks[size], size, size);
                default_heap_dealloc(&heap, blocks[size], L(size, align));
                size_t broken = default_heap_check(&heap);
                if (broken)
                    fail_msg("align %zu, %s order, free of size %zu: %zu broken", align,
                             free_order_name[o], size, broken);
            }
            expect_all_free(&heap);
        }
    }
}

/* ---- OOM, coalescing, the phase change, extend ---------------------------- */

static void test_oom_keeps_heap_sound(void **state)
{
    (void)state;
    static void *p[4096];
    static size_t sz[4096];
    default_heap_init(&heap, region, 64 * 1024);
    size_t n = 0;
    rng_state = 5;
    for (;;) {
        size_t size = 1 + rnd() % 3000;
        void *q = default_heap_alloc(&heap, L(size, 8));
        CHECK(&heap);
        if (!q) break;
        fill(q, size, n);
        p[n] = q, sz[n] = size, n++;
    }
    assert_true(n > 20);
    /* Full: small and huge requests alike fail without harm. */
    assert_null(default_heap_alloc(&heap, L(64 * 1024, 8)));
    assert_null(default_heap_alloc(&heap, L(SIZE_MAX / 2, 8)));
    assert_null(default_heap_alloc(&heap, L(100, (size_t)1 << 40)));
    expect_consistent(&heap);
    for (size_t i = 0; i < n; i++) {
        expect_filled(p[i], sz[i], i);
        default_heap_dealloc(&heap, p[i], L(sz[i], 8));
        CHECK(&heap);
    }
    expect_all_free(&heap);
}

static void test_invalid_layouts(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 64 * 1024);
    assert_null(default_heap_alloc(&heap, L(8, 0)));
    assert_null(default_heap_alloc(&heap, L(8, 24)));
    assert_null(default_heap_alloc(&heap, L(SIZE_MAX, 8)));
    void *p = alloc_ok(&heap, 8, 8);
    EXPECT_PANIC(default_heap_dealloc(&heap, p, L(8, 3)), "LAYOUT_ALIGN_NOT_POWER_OF_TWO");
    assert_null(default_heap_realloc(&heap, p, L(8, 8), SIZE_MAX));
    default_heap_dealloc(&heap, p, L(8, 8));
    expect_all_free(&heap);
}

static void test_coalescing(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 64 * 1024);
    struct alloc_stats fresh = default_heap_stats(&heap);
    void *b[5];
    for (int i = 0; i < 5; i++) b[i] = alloc_ok(&heap, 2000, 8);
    /* Holes at 1 and 3, then 2 joins them: one hole of three blocks. */
    default_heap_dealloc(&heap, b[1], L(2000, 8));
    default_heap_dealloc(&heap, b[3], L(2000, 8));
    CHECK(&heap);
    default_heap_dealloc(&heap, b[2], L(2000, 8));
    CHECK(&heap);
    void *big = alloc_ok(&heap, 3 * 2016 - 16, 8);
    assert_ptr_equal(big, b[1] < b[3] ? b[1] : b[3]); /* exactly where the three were */
    default_heap_dealloc(&heap, big, L(3 * 2016 - 16, 8));
    default_heap_dealloc(&heap, b[0], L(2000, 8));
    default_heap_dealloc(&heap, b[4], L(2000, 8));
    assert_int_equal(default_heap_stats(&heap).largest_hole, fresh.largest_hole);
    expect_pristine(&heap);
}

/* Fill with blocks of size until alloc fails; the count. */
static size_t fill_count(const struct allocator *a, size_t size, void **out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        void *p = allocator_alloc(a, L(size, 8));
        if (!p) break;
        out[n++] = p;
    }
    return n;
}

static void free_all(const struct allocator *a, size_t size, void **p, size_t n)
{
    for (size_t i = 0; i < n; i++) allocator_dealloc(a, p[i], L(size, 8));
}

/* The post's weak spot for fixed blocks: 16-byte fill, free all, 1 KiB fill,
 * 16-byte fill again; each phase serves at least 95% of the linked list. */
static void test_phase_change(void **state)
{
    (void)state;
    static void *p[8192];
    static struct linked_list_heap ll;
    size_t bytes = 100 * 1024, ll_count[3], dh_count[4];
    linked_list_init(&ll, region, bytes);
    struct allocator a = linked_list_allocator(&ll);
    for (int phase = 0; phase < 3; phase++) {
        size_t size = phase == 1 ? 1024 : 16;
        ll_count[phase] = fill_count(&a, size, p, 8192);
        free_all(&a, size, p, ll_count[phase]);
    }
    default_heap_init(&heap, region, bytes);
    a = default_heap_allocator(&heap);
    for (int phase = 0; phase < 4; phase++) {
        size_t size = phase == 1 || phase == 3 ? 1024 : 16;
        dh_count[phase] = fill_count(&a, size, p, 8192);
        CHECK(&heap);
        free_all(&a, size, p, dh_count[phase]);
        CHECK(&heap);
    }
    printf("phase change on 100 KiB: linked_list %zu/%zu/%zu, default %zu/%zu/%zu/%zu\n",
           ll_count[0], ll_count[1], ll_count[2], dh_count[0], dh_count[1], dh_count[2],
           dh_count[3]);
    assert_true(dh_count[0] * 100 >= ll_count[0] * 95);
    assert_true(dh_count[1] * 100 >= ll_count[1] * 95);
    assert_true(dh_count[2] * 100 >= ll_count[2] * 95);
    assert_true(dh_count[3] * 100 >= ll_count[1] * 95);
    expect_all_free(&heap);
}

static void test_tiny_and_misaligned_regions(void **state)
{
    (void)state;
    for (size_t off = 0; off < 17; off += 3) {
        for (size_t size = 0; size < 300; size += 7) {
            default_heap_init(&heap, region + off, size);
            CHECK(&heap);
            struct alloc_stats s = default_heap_stats(&heap);
            assert_int_equal(s.free + s.used, s.size);
            if (s.size) {
                assert_true(heap.start >= (uintptr_t)region + off);
                assert_true(heap.end <= (uintptr_t)region + off + size);
            }
            void *p = default_heap_alloc(&heap, L(1, 1));
            CHECK(&heap);
            if (p) {
                assert_true((uintptr_t)p >= heap.start && (uintptr_t)p < heap.end);
                default_heap_dealloc(&heap, p, L(1, 1));
                CHECK(&heap);
            }
        }
    }
}

static void test_extend(void **state)
{
    (void)state;
    /* From nothing, by odd steps, to a region that serves one large block. */
    default_heap_init(&heap, region + 3, 0);
    assert_null(default_heap_alloc(&heap, L(1, 1)));
    size_t total = 0;
    void *keep = NULL;
    for (size_t step = 1; total < 200000; step = step * 3 + 5) {
        default_heap_extend(&heap, step);
        total += step;
        CHECK(&heap);
        if (!keep) {
            keep = default_heap_alloc(&heap, L(24, 8));
            if (keep) fill(keep, 24, 99);
        }
    }
    assert_non_null(keep);
    struct alloc_stats s = default_heap_stats(&heap);
    assert_true(s.size >= total - 32);
    void *big = alloc_ok(&heap, s.largest_hole, 16);
    default_heap_dealloc(&heap, big, L(s.largest_hole, 16));
    expect_filled(keep, 24, 99);
    default_heap_dealloc(&heap, keep, L(24, 8));
    expect_all_free(&heap);

    /* The hole at the old end grows: a block straddles the old end. */
    default_heap_init(&heap, region, 100 * 1024);
    void *x = alloc_ok(&heap, 40 * 1024, 8), *y = alloc_ok(&heap, 40 * 1024, 8);
    void *a = x < y ? x : y, *top = x < y ? y : x;
    default_heap_dealloc(&heap, top, L(40 * 1024, 8)); /* a hole up to the old end */
    assert_null(default_heap_alloc(&heap, L(100 * 1024, 8)));
    default_heap_extend(&heap, 100 * 1024);
    CHECK(&heap);
    void *b = alloc_ok(&heap, 130 * 1024, 8); /* only the merged hole holds it */
    assert_true((uintptr_t)b < (uintptr_t)region + 100 * 1024);
    assert_true((uintptr_t)b + 130 * 1024 > (uintptr_t)region + 100 * 1024);
    /* Slab pages come from the new part too. */
    void *small[400];
    for (int i = 0; i < 400; i++) small[i] = alloc_ok(&heap, 40, 8);
    for (int i = 0; i < 400; i++) default_heap_dealloc(&heap, small[i], L(40, 8));
    default_heap_dealloc(&heap, a, L(40 * 1024, 8));
    default_heap_dealloc(&heap, b, L(130 * 1024, 8));
    expect_all_free(&heap);
    EXPECT_PANIC(default_heap_extend(&heap, SIZE_MAX), "wraps");
}

/* ---- realloc and layout_of -------------------------------------------------- */

/* The ops' resize_in_place (what mm/heap.c calls under its lock): true and
 * the same block, or false and nothing changed; checked as a free. */
static void test_resize_in_place(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 1u << 20);
    struct allocator a = default_heap_allocator(&heap);
    unsigned char *s = alloc_ok(&heap, 20, 8);
    fill(s, 20, 1);
    assert_true(a.ops->resize_in_place(a.state, s, L(20, 8), 32));  /* the same 32-byte class */
    assert_false(a.ops->resize_in_place(a.state, s, L(32, 8), 33)); /* another class */
    expect_filled(s, 20, 1);
    unsigned char *p = alloc_ok(&heap, 5000, 8), *wall = alloc_ok(&heap, 100, 8);
    fill(p, 5000, 2);
    assert_true(a.ops->resize_in_place(a.state, p, L(5000, 8), 2000));  /* shrinks: a hole above */
    assert_true(a.ops->resize_in_place(a.state, p, L(2000, 8), 4990));  /* grows into it */
    assert_false(a.ops->resize_in_place(a.state, p, L(4990, 8), 6000)); /* the wall above */
    expect_filled(p, 2000, 2);
    CHECK(&heap);
    EXPECT_PANIC(a.ops->resize_in_place(a.state, p + 16, L(4990, 8), 10), "invalid free of 0x");
    EXPECT_PANIC(a.ops->resize_in_place(a.state, p, L(100, 8), 10), "size mismatch");
    default_heap_dealloc(&heap, wall, L(100, 8));
    default_heap_dealloc(&heap, p, L(4990, 8));
    EXPECT_PANIC(a.ops->resize_in_place(a.state, p, L(4990, 8), 10), "double free of 0x");
    default_heap_dealloc(&heap, s, L(32, 8));
    expect_all_free(&heap);
}

static void test_realloc_keeps_data(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 1u << 20);
    size_t sizes[] = {1, 16, 17, 100, 512, 513, 700, 4000, 20000, 3000, 300, 8, 40000, 5};
    for (size_t align = 1; align <= 4096; align *= 8) {
        size_t size = 10;
        void *p = alloc_ok(&heap, size, align);
        fill(p, size, 1);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            void *q = default_heap_realloc(&heap, p, L(size, align), sizes[i]);
            assert_non_null(q);
            assert_int_equal((uintptr_t)q % align, 0);
            CHECK(&heap);
            expect_filled(q, size < sizes[i] ? size : sizes[i], i + 1);
            size = sizes[i];
            fill(q, size, i + 2);
            p = q;
        }
        default_heap_dealloc(&heap, p, L(size, align));
    }
    /* In place: within a class, a shrinking pool block, a hole above. */
    void *p = alloc_ok(&heap, 20, 8);
    assert_ptr_equal(default_heap_realloc(&heap, p, L(20, 8), 30), p);
    default_heap_dealloc(&heap, p, L(30, 8));
    p = alloc_ok(&heap, 5000, 8);
    assert_ptr_equal(default_heap_realloc(&heap, p, L(5000, 8), 2000), p); /* a hole above */
    assert_ptr_equal(default_heap_realloc(&heap, p, L(2000, 8), 4900), p);
    default_heap_dealloc(&heap, p, L(4900, 8));
    /* A vec doubling: once moved, the block sits low in its hole and grows
     * in place. */
    p = alloc_ok(&heap, 600, 8);
    fill(p, 600, 5);
    p = default_heap_realloc(&heap, p, L(600, 8), 1200);
    assert_non_null(p);
    for (size_t size = 1200; size < 40000; size *= 2) {
        assert_ptr_equal(default_heap_realloc(&heap, p, L(size, 8), 2 * size), p);
        CHECK(&heap);
    }
    expect_filled(p, 600, 5);
    default_heap_dealloc(&heap, p, L(76800, 8));
    /* NULL allocates; a failed realloc keeps the block. */
    p = default_heap_realloc(&heap, NULL, L(0, 8), 64);
    assert_non_null(p);
    fill(p, 64, 7);
    assert_null(default_heap_realloc(&heap, p, L(64, 8), 2u << 20));
    expect_filled(p, 64, 7);
    default_heap_dealloc(&heap, p, L(64, 8));
    expect_all_free(&heap);
}

static void test_layout_of(void **state)
{
    (void)state;
    default_heap_init(&heap, region, 1u << 20);
    for (size_t size = 1; size <= 9000; size = size * 2 + 1) {
        for (size_t align = 1; align <= 8192; align *= 4) {
            void *p = alloc_ok(&heap, size, align);
            struct layout l = default_heap_layout_of(&heap, p);
            assert_true(l.size >= size);
            assert_true(l.size <= size + (size < 128 ? 16 : size / 8) + 32);
            /* The layout it reports is one dealloc accepts. */
            default_heap_dealloc(&heap, p, l);
            CHECK(&heap);
        }
    }
    expect_all_free(&heap);
}

/* ---- a random workload against a shadow model --------------------------------- */

static void random_workload(uint64_t seed, size_t heap_bytes, size_t ops, size_t slots_used)
{
    enum { SLOTS = 400 };
    static struct {
        void *p;
        size_t size, align, tag;
    } slot[SLOTS];
    static unsigned char shadow[REGION / 16]; /* 1: a live block covers these 16 bytes */
    memset(slot, 0, sizeof slot);
    memset(shadow, 0, sizeof shadow);
    rng_state = seed;
    default_heap_init(&heap, region + (seed % 7), heap_bytes);
    uintptr_t base = (uintptr_t)region;
    for (size_t op = 0; op < ops; op++) {
        size_t i = rnd() % slots_used;
        uint64_t r = rnd();
        if (slot[i].p == NULL) {
            size_t size = (size_t)1 << (r % 14);
            size_t align = (r >> 8) % 16 ? 8 : (size_t)1 << (r >> 12) % 13;
            size = size + (r >> 20) % size;
            void *p = default_heap_alloc(&heap, L(size, align));
            CHECK(&heap);
            if (p == NULL) continue;
            assert_int_equal((uintptr_t)p % align, 0);
            assert_true((uintptr_t)p >= heap.start && (uintptr_t)p + size <= heap.end);
            for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + size; a += 16) {
                if (shadow[(a - base) / 16]) fail_msg("block %p overlaps a live block", p);
                shadow[(a - base) / 16] = 1;
            }
            slot[i].p = p, slot[i].size = size, slot[i].align = align, slot[i].tag = op;
            fill(p, size, op);
        } else {
            expect_filled(slot[i].p, slot[i].size, slot[i].tag);
            for (uintptr_t a = (uintptr_t)slot[i].p; a < (uintptr_t)slot[i].p + slot[i].size;
                 a += 16)
                shadow[(a - base) / 16] = 0;
            if (r % 4 == 0) {
                size_t new_size = 1 + (r >> 4) % 6000;
                struct layout l = {slot[i].size, slot[i].align};
                void *q = default_heap_realloc(&heap, slot[i].p, l, new_size);
                CHECK(&heap);
                if (q == NULL) {
                    for (uintptr_t a = (uintptr_t)slot[i].p;
                         a < (uintptr_t)slot[i].p + slot[i].size; a += 16)
                        shadow[(a - base) / 16] = 1;
                    expect_filled(slot[i].p, slot[i].size, slot[i].tag);
                    continue;
                }
                assert_int_equal((uintptr_t)q % slot[i].align, 0);
                expect_filled(q, slot[i].size < new_size ? slot[i].size : new_size, slot[i].tag);
                for (uintptr_t a = (uintptr_t)q; a < (uintptr_t)q + new_size; a += 16) {
                    if (shadow[(a - base) / 16]) fail_msg("realloc %p overlaps a live block", q);
                    shadow[(a - base) / 16] = 1;
                }
                slot[i].p = q, slot[i].size = new_size, slot[i].tag = op;
                fill(q, new_size, op);
            } else {
                default_heap_dealloc(&heap, slot[i].p, L(slot[i].size, slot[i].align));
                slot[i].p = NULL;
                CHECK(&heap);
            }
        }
        if (op % 1000 == 0) expect_consistent(&heap);
    }
    for (size_t i = 0; i < SLOTS; i++) {
        if (slot[i].p == NULL) continue;
        expect_filled(slot[i].p, slot[i].size, slot[i].tag);
        default_heap_dealloc(&heap, slot[i].p, L(slot[i].size, slot[i].align));
        CHECK(&heap);
    }
    expect_all_free(&heap);
}

static void test_random_workload(void **state)
{
    (void)state;
    random_workload(42, 1u << 20, 20000, 200);
    random_workload(7, 3u << 20, 20000, 400);
    random_workload(0xdeadbeef, 256u << 10, 20000, 300);
    random_workload(11, 100u << 10, 20000, 100);
}

/* ---- through the registry ------------------------------------------------------ */

static void test_registry(void **state)
{
    (void)state;
    const struct alloc_design *d = alloc_design_find("default");
    assert_non_null(d);
    assert_true(d->state_size >= sizeof(struct default_heap));
    assert_non_null(d->extend);
    assert_non_null(d->layout_of);
    static _Alignas(16) unsigned char st[sizeof(struct default_heap)];
    d->init(st, region, 200000);
    struct allocator a = d->allocator(st);
    void *p = allocator_alloc(&a, L(100, 8)), *q = allocator_alloc_zeroed(&a, L(3000, 64));
    assert_non_null(p);
    assert_non_null(q);
    for (int i = 0; i < 3000; i++) assert_int_equal(((unsigned char *)q)[i], 0);
    assert_int_equal(d->check(st), 0);
    struct alloc_stats s = d->stats(st);
    assert_int_equal(s.free + s.used, s.size);
    allocator_dealloc(&a, q, d->layout_of(st, q));
    allocator_dealloc(&a, p, L(100, 8));
    d->extend(st, 4096);
    assert_int_equal(d->check(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slot_starts_table),
        cmocka_unit_test(test_every_size_align_order),
        cmocka_unit_test(test_oom_keeps_heap_sound),
        cmocka_unit_test(test_invalid_layouts),
        cmocka_unit_test(test_coalescing),
        cmocka_unit_test(test_phase_change),
        cmocka_unit_test(test_tiny_and_misaligned_regions),
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_resize_in_place),
        cmocka_unit_test(test_realloc_keeps_data),
        cmocka_unit_test(test_layout_of),
        cmocka_unit_test(test_random_workload),
        cmocka_unit_test(test_registry),
    };
    return RUN_TESTS(tests);
}
