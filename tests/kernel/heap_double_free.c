/* Freeing a block twice panics with "double free", the pointer and the
 * layout: the second free overlaps a hole in the sorted hole list.
 * bump cannot tell (its free only counts the live blocks down): there the
 * image asserts what the undetected double free does instead (booted on
 * bump by make test too, so that a bump that detects it changes this). */
// run: built
// run: bump @cmdline=alloc=bump
#include <stdint.h>

#include "kiln/box.h"
#include "kiln/init.h"
#include "kiln/ktest.h"

#include "bump_test.h"

static void free_twice(void)
{
    long *keep = BOX_NEW(long, 1); /* a neighbour, so the hole is not the heap's top */
    long *x = BOX_NEW(long, 2);
    long *after = BOX_NEW(long, 3);
    BOX_FREE(x);
    BOX_FREE(x);
    (void)keep;
    (void)after;
}

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    if (heap_is_bump()) ktest_main(); /* the case below */
    ktest_should_panic("double_free_panics", free_twice, "double free");
}

/* The second free counts one block too many, so freeing keep brings the
 * count to 0 while after still lives: bump resets its cursor under after,
 * and the third allocation from then on is after's memory, handed out
 * twice (docs/heap.md's misuse table: not detected). */
KTEST(bump_misses_a_double_free_and_hands_a_live_block_out_again)
{
    kassert_eq(heap_stats().used, 0); /* nothing else lives: the count can reach 0 */
    long *keep = BOX_NEW(long, 1);
    long *x = BOX_NEW(long, 2);
    long *after = BOX_NEW(long, 3);
    size_t used3 = heap_stats().used;
    BOX_FREE(x);
    BOX_FREE(x);
    kassert_eq(heap_stats().used, used3);
    kassert_eq(heap_check(), 0);
    BOX_FREE(keep);
    kassert_eq(heap_stats().used, 0); /* reset, with after live */
    long *a = BOX_NEW(long, 4), *b = BOX_NEW(long, 5), *c = BOX_NEW(long, 6);
    kassert(a == keep && b == x && c == after);
    kassert_eq(*after, 6);
    BOX_FREE(a);
    BOX_FREE(b);
    BOX_FREE(c);
    kassert_eq(heap_stats().used, 0);
}
