/* Entry stubs for all 256 interrupt vectors.
 *
 * The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30 only;
 * every other stub pushes a 0 in its place, so that each handler sees the same
 * struct interrupt_frame (include/kiln/idt.h). isr_common saves the general
 * registers, calls interrupt_dispatch(frame) on a 16-byte aligned stack, and
 * returns with iretq. isr_stubs[] holds the 256 entry addresses.
 */
    .text

.macro isr_stub vector
    .align 16
isr_stub_\vector:
    .if \vector == 8 || (\vector >= 10 && \vector <= 14) || \vector == 17 || \vector == 21 || \vector == 29 || \vector == 30
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp isr_common
.endm

.altmacro
.set vector, 0
.rept 256
    isr_stub %vector
    .set vector, vector + 1
.endr

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    mov %rsp, %rbx /* rbx survives the call */
    and $-16, %rsp
    call interrupt_dispatch
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp /* vector and error code */
    iretq

.macro isr_address vector
    .quad isr_stub_\vector
.endm

    .section .rodata
    .align 8
    .global isr_stubs
isr_stubs:
.set vector, 0
.rept 256
    isr_address %vector
    .set vector, vector + 1
.endr

    .section .note.GNU-stack, "", @progbits
