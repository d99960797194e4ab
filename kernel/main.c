/* kernel_main: what kiln does after boot.S, in order, then the blog's demos. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/async.h"
#include "kiln/boot.h"
#include "kiln/box.h"
#include "kiln/console.h"
#include "kiln/demo.h"
#include "kiln/heap.h"
#include "kiln/init.h"
#include "kiln/memory.h"
#include "kiln/paging.h"
#include "kiln/panic.h"
#include "kiln/rc.h"
#include "kiln/timer.h"
#include "kiln/vec.h"
#include "kiln/vmem.h"

/* The blog's create_example_mapping: map an unused page to the VGA text
 * buffer's frame and write "New!" through it. */
static void demo_example_mapping(void)
{
    struct page page = page_containing(0xdeadbeaf000);
    struct frame vga;
    frame_from_start(0xb8000, &vga);
    enum map_error e = paging_map_to(page, vga, PTE_WRITABLE, memory_frame_source());
    if (e != MAP_OK) {
        println("create_example_mapping failed: %s", map_error_name(e));
        return;
    }
    if (console_display() == CONSOLE_VGA)
        ((volatile uint64_t *)(uintptr_t)page.start)[400] = 0xf021f077f065f04e;
    else
        println("(no VGA text buffer on this display: the \"New!\" write is skipped)");
    paging_unmap(page, NULL);

    /* With the blog's EmptyFrameAllocator, a page whose tables are missing
     * cannot be mapped. */
    page = page_containing(0x0000500000000000);
    e = paging_map_to(page, vga, PTE_WRITABLE, frame_source_empty);
    println("mapping 0x%llx with the empty frame allocator: %s", (unsigned long long)page.start,
            map_error_name(e));
}

static void drop_vec(void *v)
{
    vec_free(v);
}

/* "Heap Allocation": a box, a growing vec, and a reference-counted vec. */
static void demo_heap(void)
{
    int *heap_value = BOX_NEW(int, 41);
    println("heap value at %p", (void *)heap_value);

    struct vec vec = VEC_NEW(int);
    for (int i = 0; i < 500; i++) VEC_PUSH(&vec, int, i);
    println("vec at %p", (void *)VEC_DATA(&vec, int));

    struct vec numbers = VEC_NEW(int);
    for (int i = 1; i <= 3; i++) VEC_PUSH(&numbers, int, i);
    struct vec *reference_counted = RC_NEW(struct vec, drop_vec, numbers);
    struct vec *cloned_reference = rc_clone(reference_counted);
    println("current reference count is %zu", rc_strong_count(cloned_reference));
    rc_drop(reference_counted);
    println("reference count is %zu now", rc_strong_count(cloned_reference));

    rc_drop(cloned_reference);
    vec_free(&vec);
    BOX_FREE(heap_value);
}

/* "Paging Implementation": where physical memory is, and what is free. */
static void demo_memory(void)
{
    struct frame_stats fs = frame_stats(memory_frames());
    println("phys_offset: 0x%llx, %llu MiB mapped there; frames: %llu total, %llu free",
            (unsigned long long)PHYS_OFFSET, (unsigned long long)(memory_direct_map_end() >> 20),
            (unsigned long long)fs.total, (unsigned long long)fs.free);
}

/* "Heap Allocation": map the heap's pages and install the allocator. */
static void heap_init_or_panic(const char *cmdline)
{
    heap_set_cmdline(cmdline); /* alloc=NAME, heap_max=SIZE */
    enum map_error e = heap_init(memory_frame_source());
    if (e != MAP_OK) panic("heap initialization failed: %s", map_error_name(e));
}

/* The boot order, one step per line, each with the blog post it comes from. */
void kernel_main(uint32_t magic, uint64_t info_phys)
{
    const struct boot_info *bi = boot_info_load(magic, info_phys); /* A Minimal Rust Kernel */
    console_init(&bi->fb);           /* VGA Text Mode (a framebuffer under UEFI) */
    console_clear();                 /* VGA Text Mode */
    println("Hello World%c", '!');   /* VGA Text Mode */
    demo_run(bi);                    /* demo=NAME: one of the blog's intermediate demos instead */
    kernel_init();                   /* CPU Exceptions, Double Faults, Hardware Interrupts */
    int3();                          /* CPU Exceptions: the handler prints and returns */
    memory_init(bi);                 /* Paging Implementation: phys_offset, frames */
    demo_memory();                   /* Paging Implementation */
    demo_translate();                /* Paging Implementation: translate_addr */
    demo_example_mapping();          /* Paging Implementation: create_example_mapping */
    heap_init_or_panic(bi->cmdline); /* Heap Allocation: init_heap */
    demo_heap();                     /* Heap Allocation: Box, Vec, Rc */
    println("It did not crash!");    /* A Minimal Rust Kernel */
    async_demo_run();                /* Async/Await: the executor, from here on */
}
