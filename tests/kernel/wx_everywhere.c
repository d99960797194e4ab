/* W^X beyond the kernel image: pages from paging_map_to, the heap and the
 * whole phys_offset window are no-execute, and the window's alias of the
 * kernel's .text and .rodata is read-only. Booted on BIOS and UEFI, with
 * 64 MiB to 5 GiB of RAM (5 GiB maps RAM above 4 GiB, once with 1 GiB pages),
 * and on a CPU without NX, where only the write half can hold. */
// run: bios
// run: uefi @uefi
// run: 64m -m 64M
// run: 2g -m 2G
// run: 5g -m 5G
// run: 5g-1g-pages -m 5G -cpu qemu64,+pdpe1gb
// run: no-nx -cpu qemu64,-nx
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/heap.h"
#include "kiln/idt.h"
#include "kiln/init.h"
#include "kiln/alloc.h"
#include "kiln/ktest.h"
#include "kiln/memory.h"
#include "kiln/page_fault.h"
#include "kiln/paging.h"
#include "kiln/vmem.h"

void kernel_main(uint32_t magic, uint64_t info_phys)
{
    kernel_boot_with_heap(magic, info_phys);
    ktest_main();
}

#define TEST_PAGE 0x0000123456789000ull /* an otherwise unused L4 slot */
extern char kernel_text_start[], kernel_rodata_start[], kernel_data_start[];
static const uint64_t read_only_value = 0x6b696c6e;

static volatile uint64_t fetch_error, fetch_address;
static volatile bool fetch_faulted;

/* The page fault of a call into a no-execute page: record it and emulate
 * the "ret" that was never run. */
static void return_from_fetch_fault(struct interrupt_frame *f)
{
    fetch_faulted = true;
    fetch_error = f->error_code;
    fetch_address = read_cr2();
    f->rip = *(uint64_t *)f->rsp;
    f->rsp += 8;
}

/* Put a "ret" at code and call it. With NX this must fault with
 * INSTRUCTION_FETCH at code; without NX the ret runs. */
static void assert_not_executable(uint8_t *code)
{
    struct translation t = paging_translate((uintptr_t)code);
    kassert(t.mapped);
    code[0] = 0xc3; /* ret */
    fetch_faulted = false;
    fetch_error = fetch_address = 0;
    idt_set_handler(14, return_from_fetch_fault);
    ((void (*)(void))(uintptr_t)code)();
    exceptions_init(); /* the kernel's page-fault handler again */
    if (!paging_has_nx()) {
        kassert(!(t.flags & PTE_NO_EXECUTE)); /* a reserved bit without NXE */
        kassert(!fetch_faulted);
        return;
    }
    kassert(t.flags & PTE_NO_EXECUTE);
    kassert(fetch_faulted);
    kassert_eq(fetch_address, (uintptr_t)code);
    kassert(fetch_error & PF_INSTRUCTION_FETCH);
}

static void assert_write_faults(uintptr_t addr)
{
    struct probe_result r = probe_write(addr, 0);
    kassert(r.faulted);
    kassert_eq(r.address, addr);
    kassert_eq(r.error_code & (PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE),
               PF_PROTECTION_VIOLATION | PF_CAUSED_BY_WRITE);
}

KTEST(map_to_is_no_execute_unless_asked)
{
    struct frame f;
    kassert(frame_alloc(memory_frames(), &f));
    struct page page = page_containing(TEST_PAGE);
    kassert_eq(paging_map_to(page, f, PTE_WRITABLE, memory_frame_source()), MAP_OK);
    assert_not_executable((uint8_t *)(uintptr_t)TEST_PAGE);
    kassert_eq(paging_unmap(page, NULL), MAP_OK);

    kassert_eq(paging_map_to(page, f, PTE_WRITABLE | PTE_EXECUTABLE, memory_frame_source()),
               MAP_OK);
    struct translation t = paging_translate(TEST_PAGE);
    kassert(!(t.flags & PTE_NO_EXECUTE));
    kassert(!(t.flags & PTE_EXECUTABLE)); /* software only, never stored */
    *(volatile uint8_t *)(uintptr_t)TEST_PAGE = 0xc3;
    ((void (*)(void))(uintptr_t)TEST_PAGE)(); /* runs the ret */

    kassert_eq(paging_update_flags(page, PTE_WRITABLE), MAP_OK); /* NX again */
    kassert_eq(paging_translate(TEST_PAGE).flags & PTE_NO_EXECUTE,
               paging_has_nx() ? PTE_NO_EXECUTE : 0);
    kassert_eq(paging_unmap(page, NULL), MAP_OK);
    frame_free(memory_frames(), f);
}

KTEST(heap_is_no_execute)
{
    kassert(paging_translate(HEAP_START).mapped);
    kassert(paging_translate(HEAP_START).flags & PTE_WRITABLE);
    uint8_t *code = kmalloc(64);
    assert_not_executable(code);
    kfree(code);
}

KTEST(direct_map_is_no_execute_everywhere)
{
    const uint64_t mib2 = 2ull << 20;
    uint64_t nx = paging_has_nx() ? PTE_NO_EXECUTE : 0;
    for (uint64_t p = 0; p < memory_direct_map_end(); p += mib2) {
        struct translation t = paging_translate(PHYS_OFFSET + p);
        kassert(t.mapped);
        kassert_eq(t.flags & PTE_NO_EXECUTE, nx);
    }
    kassert_eq(paging_translate(PHYS_OFFSET + 0xC0000000).flags & PTE_NO_EXECUTE, nx);
    struct frame f;
    kassert(frame_alloc(memory_frames(), &f));
    assert_not_executable(phys_to_virt(f.start));
    frame_free(memory_frames(), f);
}

KTEST(direct_map_alias_of_text_and_rodata_is_read_only)
{
    uintptr_t text = (uintptr_t)phys_to_virt(virt_to_phys((const void *)(uintptr_t)kernel_main));
    uintptr_t ro = (uintptr_t)phys_to_virt(virt_to_phys(&read_only_value));
    kassert_eq(*(const uint64_t *)ro, 0x6b696c6e); /* the same bytes */
    for (uintptr_t a = (uintptr_t)kernel_text_start; a < (uintptr_t)kernel_data_start;
         a += PAGE_SIZE) {
        struct translation t = paging_translate((uintptr_t)phys_to_virt(virt_to_phys((void *)a)));
        kassert(t.mapped);
        kassert(!(t.flags & PTE_WRITABLE));
    }
    assert_write_faults(text);
    assert_write_faults(ro);
    kassert_eq(read_only_value, 0x6b696c6e);
}

KTEST(direct_map_alias_of_data_stays_writable)
{
    /* paging edits the boot page tables in .bss through the window. */
    static uint64_t data_value;
    uintptr_t alias = (uintptr_t)phys_to_virt(virt_to_phys(&data_value));
    kassert(!probe_write(alias, 0x77).faulted);
    kassert_eq(data_value, 0x77);
}
