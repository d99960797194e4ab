/* The try_ form of every collection on an exhausted kernel heap: each
 * returns its error (or NULL) and leaves its collection exactly as it was,
 * takes nothing from the heap, and works again once memory is back (with
 * bump: once every block is freed, so not while the collections live). */
#include <stdint.h>

#include "kiln/arc.h"
#include "kiln/binheap.h"
#include "kiln/box.h"
#include "kiln/btree.h"
#include "kiln/deque.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/ktest.h"
#include "kiln/list.h"
#include "kiln/rc.h"
#include "kiln/str.h"
#include "kiln/string.h"
#include "kiln/vec.h"

#include "bump_test.h"
#include "collections_test.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    heap_set_max(HEAP_SIZE); /* the post's fixed 100 KiB heap: no growth */
    ktest_main();
}

/* ---- every try_ form on an exhausted heap ------------------------------- */

/* Take everything the heap can give: the largest hole while one fits, then
 * halving sizes down to 1 byte, so that at the end not even one byte fits,
 * whatever the design (with the linked list, each hole is one block of its
 * size); then give it all back. */
#define HOG_MAX 4096
static void *hog[HOG_MAX];
static struct layout hog_layout[HOG_MAX];
static size_t hogs;

static void heap_exhaust(void)
{
    for (size_t size = heap_stats().largest_hole; size > 0;) {
        kassert(hogs < HOG_MAX);
        hog_layout[hogs] = (struct layout){size, 1};
        if ((hog[hogs] = try_heap_alloc(hog_layout[hogs])) != NULL)
            hogs++;
        else
            size /= 2;
    }
}

static void heap_release(void)
{
    for (; hogs > 0; hogs--) heap_dealloc(hog[hogs - 1], hog_layout[hogs - 1]);
}

KTEST(try_forms_fail_cleanly_on_an_exhausted_heap)
{
    size_t used0 = heap_used();
    /* Each collection full, so that its next element needs memory. */
    struct vec v = VEC_NEW(int);
    struct deque d = DEQUE_NEW(int);
    struct binheap h = BINHEAP_NEW(int, cmp_int);
    struct owned_list l;
    OWNED_LIST_INIT(&l, int);
    struct btree full = BTREE_NEW(int, int, cmp_int), room = BTREE_NEW(int, int, cmp_int);
    struct btree_set set = BTREE_SET_NEW(int, cmp_int);
    for (int i = 0; i < 4; i++) VEC_PUSH(&v, int, i), DEQUE_PUSH_BACK(&d, int, i);
    for (int i = 0; i < 4; i++) BINHEAP_PUSH(&h, int, i), OWNED_LIST_PUSH_BACK(&l, int, i);
    for (int i = 0; i < BTREE_CAPACITY; i++) { /* one full leaf: the next key splits it */
        btree_insert(&full, &i, &(int){10 * i}, NULL);
        btree_set_insert(&set, &i);
        if (i % 2) btree_insert(&room, &i, &i, NULL);
    }
    struct str s = str_from("abcdefghijklmno"); /* 15 bytes and the NUL */
    kassert(str_capacity(&s) == 16 && vec_capacity(&v) == 4 && deque_capacity(&d) == 4);
    kassert(full.height == 0 && binheap_len(&h) == h.v.cap);

    heap_exhaust();
    size_t used_all = heap_used();
    kassert(heap_check() == 0);
    /* the linked list: no hole left that holds a block and its header */
    if (strcmp(heap_design(), "linked_list") == 0) kassert(heap_stats().largest_hole == 0);
    kassert(try_heap_alloc((struct layout){1, 1}) == NULL);

    void *vdata = v.data;
    kassert_eq(TRY_VEC_PUSH(&v, int, 4), COLL_ALLOC_FAILED);
    kassert_eq(try_vec_insert(&v, 0, &(int){-1}), COLL_ALLOC_FAILED);
    kassert(v.data == vdata && vec_len(&v) == 4 && vec_capacity(&v) == 4);
    for (int i = 0; i < 4; i++) kassert_eq(VEC_AT(&v, int, i), i);

    kassert_eq(try_str_push_str(&s, "xyz"), COLL_ALLOC_FAILED);
    kassert_eq(try_str_appendf(&s, "%d", 12345), COLL_ALLOC_FAILED);
    kassert_eq(try_str_push_char(&s, 0x20AC), COLL_ALLOC_FAILED);
    kassert(str_len(&s) == 15 && strcmp(str_as_cstr(&s), "abcdefghijklmno") == 0);
    struct str fs;
    kassert_eq(try_kformat(&fs, "%d", 1), COLL_ALLOC_FAILED);
    kassert(fs.buf == NULL && str_len(&fs) == 0);
    kassert_eq(try_str_from(&fs, "x"), COLL_ALLOC_FAILED);
    kassert(fs.buf == NULL);

    kassert_eq(try_owned_list_push_back(&l, &(int){4}), COLL_ALLOC_FAILED);
    kassert_eq(try_owned_list_push_front(&l, &(int){-1}), COLL_ALLOC_FAILED);
    kassert(owned_list_len(&l) == 4 && *(int *)owned_list_front(&l) == 0);
    kassert_eq(*(int *)owned_list_back(&l), 3);

    kassert_eq(try_deque_push_front(&d, &(int){-1}), COLL_ALLOC_FAILED);
    kassert_eq(try_deque_push_back(&d, &(int){4}), COLL_ALLOC_FAILED);
    kassert(deque_len(&d) == 4 && deque_capacity(&d) == 4);
    for (int i = 0; i < 4; i++) kassert_eq(DEQUE_AT(&d, int, i), i);

    kassert_eq(try_binheap_push(&h, &(int){9}), COLL_ALLOC_FAILED);
    kassert(binheap_len(&h) == 4 && binheap_check(&h) == 0 && *BINHEAP_PEEK(&h, int) == 3);

    bool replaced = true, added = true;
    int old = -1;
    kassert_eq(try_btree_insert(&full, &(int){11}, &(int){0}, NULL, &replaced), COLL_ALLOC_FAILED);
    kassert(!replaced && btree_len(&full) == BTREE_CAPACITY);
    kassert(!btree_contains(&full, &(int){11}) && btree_check(&full) == 0);
    /* Neither a replacement nor an insert into a leaf with room allocates. */
    kassert_eq(try_btree_insert(&full, &(int){5}, &(int){55}, &old, &replaced), COLL_OK);
    kassert(replaced && old == 50 && *(int *)btree_get(&full, &(int){5}) == 55);
    kassert_eq(try_btree_insert(&room, &(int){4}, &(int){4}, NULL, &replaced), COLL_OK);
    kassert(!replaced && btree_len(&room) == 6 && btree_check(&room) == 0);
    kassert_eq(try_btree_set_insert(&set, &(int){100}, &added), COLL_ALLOC_FAILED);
    kassert(!added && !btree_set_contains(&set, &(int){100}));
    kassert_eq(try_btree_set_insert(&set, &(int){3}, &added), COLL_OK);
    kassert(!added && btree_set_len(&set) == BTREE_CAPACITY);

    kassert(try_box_new(&(int){1}, layout_for(int)) == NULL);
    kassert(try_rc_new(&(int){1}, layout_for(int), NULL) == NULL);
    kassert(try_arc_new(&(int){1}, layout_for(int), NULL) == NULL);
    kassert(heap_used() == used_all && heap_check() == 0); /* the failures took nothing */
    heap_release();

    if (heap_is_bump()) { /* nothing comes back while the collections live */
        kassert(heap_used() == used_all && try_heap_alloc((struct layout){1, 1}) == NULL);
        kassert_eq(TRY_VEC_PUSH(&v, int, 4), COLL_ALLOC_FAILED);
        kassert(v.data == vdata && vec_len(&v) == 4 && VEC_AT(&v, int, 3) == 3);
    } else {
        kassert(TRY_VEC_PUSH(&v, int, 4) == COLL_OK && VEC_AT(&v, int, 4) == 4);
        kassert_eq(try_btree_insert(&full, &(int){11}, &(int){110}, NULL, &replaced), COLL_OK);
        kassert(full.height == 1 && btree_check(&full) == 0);
    }
    vec_free(&v);
    deque_free(&d);
    binheap_free(&h);
    owned_list_free(&l, NULL);
    btree_free(&full, NULL);
    btree_free(&room, NULL);
    btree_set_free(&set, NULL);
    str_free(&s);
    assert_heap_back_to(used0);
}
