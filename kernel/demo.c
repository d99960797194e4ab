/* The blog's intermediate demos: what posts 3 to 9 show on the screen before
 * the code moves on, reachable with demo=NAME (include/kiln/demo.h). Each
 * demo does the boot steps its post had at that point, then provokes what
 * the post provokes. Output as in the blog, up to addresses and the
 * differences README.md lists. */
#include "kiln/demo.h"

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kiln/cmdline.h"
#include "kiln/console.h"
#include "kiln/gdt.h"
#include "kiln/idt.h"
#include "kiln/init.h"
#include "kiln/memory.h"
#include "kiln/page_table_fmt.h"
#include "kiln/paging.h"
#include "kiln/panic.h"
#include "kiln/pic.h"
#include "kiln/string.h"
#include "kiln/timer.h"
#include "kiln/vmem.h"

void demo_translate(void)
{
    uint64_t stack_var = 0;
    uint64_t addresses[] = {
        0xb8000, /* the blog's identity-mapped VGA buffer: nothing maps it in kiln */
        (uint64_t)(uintptr_t)phys_to_virt(0xb8000), /* kiln's way to the VGA buffer */
        (uint64_t)(uintptr_t)demo_translate,        /* some code page */
        (uint64_t)(uintptr_t)&stack_var,            /* some stack page */
        PHYS_OFFSET,                                /* mapped to physical address 0 */
    };
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
        struct translation t = paging_translate(addresses[i]);
        if (t.mapped)
            println("VirtAddr(0x%llx) -> Some(PhysAddr(0x%llx))", (unsigned long long)addresses[i],
                    (unsigned long long)t.phys);
        else
            println("VirtAddr(0x%llx) -> None", (unsigned long long)addresses[i]);
    }
}

/* Post 8: a write to an address nothing maps. The page-fault handler prints
 * the report and halts. */
static void demo_page_fault(const struct boot_info *bi)
{
    (void)bi;
    kernel_init();
    *(volatile uint8_t *)0xdeadbeaf = 42;
    println("It did not crash!");
}

/* Post 8: a code page can be read but not written (kiln maps .text
 * read-only; the blog's bootloader does the same). */
static void demo_code_page(const struct boot_info *bi)
{
    (void)bi;
    kernel_init();
    volatile uint8_t *ptr = (volatile uint8_t *)(uintptr_t)demo_code_page;
    uint8_t x = *ptr; /* read from a code page */
    (void)x;
    println("read worked");
    *ptr = 42; /* write to a code page */
    println("write worked");
}

/* An IDT like the blog's at posts 6 and 7: only the breakpoint and the
 * double fault (on its IST stack) are present; every other entry is empty,
 * so an exception or interrupt there cannot be delivered and becomes a
 * double fault. kiln's own IDT has every entry (see README.md). */
static struct idt_table blog_idt;

static void load_blog_idt(void)
{
    gdt_init();
    idt_table_clear(&blog_idt);
    idt_table_set(&blog_idt, 3, 0);
    idt_table_set(&blog_idt, 8, DOUBLE_FAULT_IST_INDEX + 1);
    exceptions_init();
    idt_table_load(&blog_idt);
}

/* Post 6: a page fault without a page-fault handler is a double fault. */
static void demo_no_page_fault_handler(const struct boot_info *bi)
{
    (void)bi;
    load_blog_idt();
    *(volatile uint8_t *)0xdeadbeef = 42; /* trigger a page fault */
    println("It did not crash!");
}

/* Post 7: interrupts on before the IDT has a timer handler; the first tick
 * double faults. (The PIT is programmed as kiln always does, so a tick comes
 * on UEFI firmware too, which may leave it stopped.) */
static void demo_early_interrupts(const struct boot_info *bi)
{
    (void)bi;
    load_blog_idt();
    pic_init();
    timer_init();
    sti();
    hlt_loop();
}

/* Post 6: endless recursion runs into the guard page below the stack; the
 * page fault cannot push its frame, so the CPU double faults, and the
 * double-fault handler runs on its own stack. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static volatile int depth;
static void __attribute__((noinline)) stack_overflow(void)
{
    stack_overflow(); /* for each recursion, the return address is pushed */
    depth++;          /* keeps the call from becoming a jump */
}
#pragma GCC diagnostic pop

static void demo_stack_overflow(const struct boot_info *bi)
{
    (void)bi;
    kernel_init();
    stack_overflow(); /* trigger a stack overflow */
    println("It did not crash!");
}

/* Post 3: the panic handler prints the message. */
static void demo_panic(const struct boot_info *bi)
{
    (void)bi;
    panic("Some panic message");
}

/* Post 7's deadlock, made on purpose. The blog's WRITER is a spin::Mutex
 * that leaves interrupts on; the timer handler prints a dot through the same
 * WRITER. When a tick comes while the loop holds it, the handler spins
 * forever and the loop never runs again: hyphens, then nothing. kiln's
 * console lock turns interrupts off while held (spin_lock_irqsave, the
 * blog's without_interrupts fix), so println itself cannot deadlock; this
 * demo wraps it in a lock of the blog's kind to show what that prevents. */
static volatile int blog_writer; /* 1 while held */

static void blog_print(const char *s)
{
    while (__atomic_exchange_n(&blog_writer, 1, __ATOMIC_ACQUIRE)) cpu_relax();
    print("%s", s);
    __atomic_store_n(&blog_writer, 0, __ATOMIC_RELEASE);
}

static void blog_timer_tick(uint64_t tick)
{
    (void)tick;
    blog_print(".");
}

static void demo_deadlock(const struct boot_info *bi)
{
    (void)bi;
    println("kiln's println cannot deadlock: its lock turns interrupts off while held.");
    println("This demo prints through a lock of the blog's kind, which leaves them on:");
    kernel_init();
    timer_set_hook(blog_timer_tick);
    for (;;) blog_print("-");
}

/* Print the non-empty entries of the table at phys, indented. */
static void print_entries(uint64_t phys, int level, const char *indent, bool descend)
{
    const uint64_t *table = phys_to_virt(phys);
    char entry[160];
    for (int i = 0; i < 512; i++) {
        if (table[i] == 0) continue;
        page_table_entry_format(table[i], entry, sizeof entry);
        println("%sL%d Entry %d: %s", indent, level, i, entry);
        if (descend && (table[i] & PTE_PRESENT) && !(table[i] & PTE_HUGE))
            print_entries(table[i] & PTE_ADDR_MASK, level - 1, "  ", false);
    }
}

/* Posts 8 and 9: where CR3 points, the non-empty level-4 entries with the
 * level-3 entries below each, and post 9's translations. */
static void demo_page_tables(const struct boot_info *bi)
{
    kernel_init();
    memory_init(bi);
    uint64_t l4 = read_cr3() & PTE_ADDR_MASK;
    println("Level 4 page table at: PhysAddr(0x%llx)", (unsigned long long)l4);
    print_entries(l4, 4, "", true);
    demo_translate();
    println("It did not crash!");
}

struct demo {
    const char *name;
    void (*run)(const struct boot_info *bi);
};

static const struct demo demos[] = {
    {"panic", demo_panic},
    {"no_page_fault_handler", demo_no_page_fault_handler},
    {"stack_overflow", demo_stack_overflow},
    {"early_interrupts", demo_early_interrupts},
    {"deadlock", demo_deadlock},
    {"page_fault", demo_page_fault},
    {"code_page", demo_code_page},
    {"page_tables", demo_page_tables},
};

void demo_run(const struct boot_info *bi)
{
    char name[32];
    if (!cmdline_get(bi->cmdline, "demo", name, sizeof name)) return;
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        if (strcmp(name, demos[i].name) != 0) continue;
        demos[i].run(bi);
        hlt_loop();
    }
    print("unknown demo in \"%s\"; the demos are:", bi->cmdline);
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) print(" %s", demos[i].name);
    println("");
}
