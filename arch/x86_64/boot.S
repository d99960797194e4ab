/* kiln's entry: the Multiboot2 header and the 32-bit code GRUB jumps to.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with
 * eax = the Multiboot2 magic and ebx = the physical address of the boot
 * information. This code checks both the magic and CPUID's long-mode bit
 * (writing an error to the VGA screen and COM1 and halting otherwise), builds
 * the boot page tables, enables PAE, long mode and paging, loads a 64-bit GDT
 * and jumps to the higher half, where it calls kernel_main(magic, info).
 *
 * Boot page tables (see include/kiln/vmem.h for the whole map):
 *   PML4[0]   -> identity map of the first 4 GiB (2 MiB pages), only for the
 *                jump; removed before kernel_main runs
 *   PML4[256] -> the same 4 GiB at PHYS_OFFSET
 *   PML4[511] -> the kernel image at KERNEL_VMA + phys, 4 KiB pages, with the
 *                guard pages below the two stacks left unmapped, and W^X:
 *                .text read-only and executable; .rodata read-only; .data,
 *                .bss and the boot sections writable; all but .text
 *                no-execute where the CPU has NX
 */
#include "kiln/vmem.h"

#define V2P(x) ((x) - KERNEL_VMA)
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define PTE_PRESENT 0x1
#define PTE_PRESENT_WRITABLE 0x3
#define PTE_NO_EXECUTE_HIGH 0x80000000 /* bit 63, in the entry's high half */
#define PDE_HUGE_PRESENT_WRITABLE 0x83

    .section .multiboot_header, "a"
    .align 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long 0 /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
    .align 8
    .short 0, 0 /* end tag */
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov $V2P(boot_stack_top), %esp
    mov %eax, %edi /* kernel_main's first argument */
    mov %ebx, %esi /* and its second */
    cmp $MB2_BOOTLOADER_MAGIC, %eax
    jne no_multiboot
    call check_long_mode
    call build_page_tables
    call enable_long_mode
    lgdt gdt64_ptr
    ljmp $0x08, $long_mode_start

/* Halt unless CPUID exists and reports long mode. */
check_long_mode:
    pushfl /* CPUID exists when the ID flag (bit 21) can be flipped */
    pop %eax
    mov %eax, %ecx
    xor $(1 << 21), %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %ecx
    popfl
    cmp %eax, %ecx
    je no_long_mode
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    test $(1 << 20), %edx /* NX: remember it for the page tables */
    jz 1f
    movl $PTE_NO_EXECUTE_HIGH, nx_high
1:  ret

build_page_tables:
    mov $(V2P(boot_pdpt_direct) + PTE_PRESENT_WRITABLE), %eax
    mov %eax, V2P(boot_pml4)
    mov %eax, V2P(boot_pml4) + 256 * 8
    mov $(V2P(boot_pdpt_high) + PTE_PRESENT_WRITABLE), %eax
    mov %eax, V2P(boot_pml4) + 511 * 8

    mov $(V2P(boot_pd_direct) + PTE_PRESENT_WRITABLE), %eax
    xor %ecx, %ecx
1:  mov %eax, V2P(boot_pdpt_direct)(, %ecx, 8) /* 4 PDs: 4 GiB */
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jb 1b

    xor %ecx, %ecx
2:  mov %ecx, %eax /* PD entry i maps [i * 2 MiB, (i + 1) * 2 MiB) */
    shl $21, %eax
    or $PDE_HUGE_PRESENT_WRITABLE, %eax
    mov %eax, V2P(boot_pd_direct)(, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    mov $(V2P(boot_pd_kernel) + PTE_PRESENT_WRITABLE), %eax
    mov %eax, V2P(boot_pdpt_high) + 510 * 8
    mov $(V2P(boot_pt_kernel) + PTE_PRESENT_WRITABLE), %eax
    mov %eax, V2P(boot_pd_kernel)
    add $4096, %eax
    mov %eax, V2P(boot_pd_kernel) + 8

    mov $kernel_phys_start, %eax /* the image, page by page, less the guards */
3:  cmp $kernel_phys_end, %eax
    jae 5f
    cmp $V2P(boot_stack_guard), %eax
    je 4f
    cmp $V2P(double_fault_stack_guard), %eax
    je 4f
    mov $PTE_PRESENT_WRITABLE, %edx /* boot sections, .data, .bss: RW, NX */
    mov nx_high, %ebx
    cmp $V2P(kernel_text_start), %eax
    jb 6f
    cmp $V2P(kernel_data_start), %eax
    jae 6f
    mov $PTE_PRESENT, %edx /* .rodata: read-only, NX */
    cmp $V2P(kernel_rodata_start), %eax
    jae 6f
    xor %ebx, %ebx /* .text: read-only, executable */
6:  mov %eax, %ecx
    shr $12, %ecx
    or %eax, %edx
    mov %edx, V2P(boot_pt_kernel)(, %ecx, 8)
    mov %ebx, V2P(boot_pt_kernel) + 4(, %ecx, 8)
4:  add $4096, %eax
    jmp 3b
5:  ret

enable_long_mode:
    mov $V2P(boot_pml4), %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax /* PAE */
    mov %eax, %cr4
    mov $0x80000001, %eax
    cpuid
    mov %edx, %ebx
    mov $0xC0000080, %ecx /* EFER */
    rdmsr
    or $(1 << 8), %eax /* LME */
    test $(1 << 20), %ebx
    jz 1f
    or $(1 << 11), %eax /* NXE, where the CPU has no-execute */
1:  wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax /* PG, WP */
    mov %eax, %cr0
    ret

no_multiboot:
    mov $msg_no_multiboot, %esi
    jmp boot_fail
no_long_mode:
    mov $msg_no_long_mode, %esi
/* Write the NUL-terminated string at esi in white on red at the top of the
 * VGA text screen, and to COM1, then halt. */
boot_fail:
    mov $0xb8000, %edi
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    mov $0x4f, %ah
    stosw
    jmp 1b
2:  mov $'\n', %al
    out %al, %dx
3:  cli
    hlt
    jmp 3b

    .code64
long_mode_start:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half, %rax
    jmp *%rax

    .section .boot.data, "aw"
nx_high: /* PTE_NO_EXECUTE_HIGH when the CPU has NX, else 0 */
    .long 0
msg_no_multiboot:
    .asciz "kiln: boot error: not loaded by a Multiboot2 boot loader (bad magic in eax). Halted."
msg_no_long_mode:
    .asciz "kiln: boot error: this CPU has no 64-bit long mode (CPUID). Halted."
    .align 16
gdt64:
    .quad 0
    .quad 0x00af9a000000ffff /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff /* 0x10: kernel data */
gdt64_end:
gdt64_ptr:
    .word gdt64_end - gdt64 - 1
    .quad gdt64
gdt64_ptr_high:
    .word gdt64_end - gdt64 - 1
    .quad gdt64 + KERNEL_VMA

    .text
higher_half:
    lgdt gdt64_ptr_high + KERNEL_VMA /* GDTR must not point into the identity map */
    mov $boot_stack_top, %rsp
    movq $0, boot_pml4 /* drop the identity map */
    mov %cr3, %rax
    mov %rax, %cr3
    xor %ebp, %ebp
    mov %edi, %edi
    mov %esi, %esi
    mov %edi, boot_entry_magic /* for boot_cmdline(), which needs no kernel_main help */
    mov %rsi, boot_entry_info
    call kernel_main
1:  cli
    hlt
    jmp 1b

    .section .bss.pagetables, "aw", @nobits
    .align 4096
    .global boot_pml4
boot_pml4:          .skip 4096
boot_pdpt_direct:   .skip 4096
boot_pd_direct:     .skip 4 * 4096
boot_pdpt_high:     .skip 4096
boot_pd_kernel:     .skip 4096
boot_pt_kernel:     .skip 2 * 4096

    .section .bss.stacks, "aw", @nobits
    .align 4096
    .global boot_stack_guard, boot_stack_bottom, boot_stack_top
    .global double_fault_stack_guard, double_fault_stack_top
boot_stack_guard:   .skip 4096
boot_stack_bottom:  .skip KERNEL_STACK_SIZE
boot_stack_top:
double_fault_stack_guard: .skip 4096
double_fault_stack: .skip DOUBLE_FAULT_STACK_SIZE
double_fault_stack_top:

    .section .note.GNU-stack, "", @progbits
