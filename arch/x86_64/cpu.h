/* The x86_64 instructions kiln's C code needs, as inline functions.
 * Kernel-only: pure code (lib/, mm/alloc/) never includes this. */
#ifndef KILN_ARCH_CPU_H
#define KILN_ARCH_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* A short delay between writes to slow devices (the PIC): port 0x80 is unused. */
static inline void io_wait(void)
{
    outb(0x80, 0);
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void invlpg(uint64_t addr)
{
    __asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline uint64_t read_rflags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; pop %0" : "=r"(f)::"memory");
    return f;
}
#define RFLAGS_IF (1ull << 9)
static inline bool interrupts_enabled(void)
{
    return read_rflags() & RFLAGS_IF;
}
static inline void cli(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void sti(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline void hlt(void)
{
    __asm__ volatile("hlt" ::: "memory");
}
/* Enable interrupts and halt as one step: an interrupt between the two
 * cannot be missed, because sti takes effect after the next instruction. */
static inline void sti_hlt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}
/* A breakpoint exception (vector 3), as the blog's x86_64::instructions::interrupts::int3. */
static inline void int3(void)
{
    __asm__ volatile("int3" ::: "memory");
}
/* Read RFLAGS, then disable interrupts; returns the RFLAGS read (irqsave). */
static inline uint64_t irq_save(void)
{
    uint64_t f = read_rflags();
    cli();
    return f;
}
/* Enable interrupts again if the RFLAGS that irq_save returned had IF. */
static inline void irq_restore(uint64_t flags)
{
    if (flags & RFLAGS_IF) sti();
}
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* Halt forever, waking only for interrupts (the blog's hlt_loop). */
static inline noreturn void hlt_loop(void)
{
    for (;;) hlt();
}

#endif
