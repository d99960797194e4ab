# kiln: the one entry point. See README.md.
#   make            kernel ELF and bootable ISO (build/kiln.iso)
#   make run        boot it in QEMU (BIOS);  make run-uefi: on OVMF
#   make test       host unit tests and every kernel test image
#   make debug      QEMU stopped at the first instruction, gdb attached
#   make bench      allocator benchmarks;  make bench-callgrind: instruction counts
#   make format     clang-format every source file
#   make heap-table rewrite the misuse table in docs/heap.md from the designs
# Overridable: CC, LD (e.g. make CC=clang LD=ld.lld), QEMU, TEST_TIMEOUT.

ifeq ($(origin CC),default)
CC := gcc
endif
LD ?= ld
ifeq ($(origin LD),default)
LD := ld
endif
HOSTCC ?= gcc
QEMU ?= qemu-system-x86_64
OVMF ?= /usr/share/ovmf/OVMF.fd
FONT ?= /usr/share/consolefonts/default8x16.psf.gz
B := build
# V=1 shows whole commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- the kernel ---------------------------------------------------------
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -ffreestanding -fno-stack-protector -fno-pic -mno-red-zone -mcmodel=kernel \
    -mgeneral-regs-only -fno-asynchronous-unwind-tables -fcf-protection=none \
    -fno-omit-frame-pointer \
    -Iinclude -I. -MMD -MP
# Test images keep their KTESTs in file order: gcc emits them in definition
# order only with -fno-toplevel-reorder (clang keeps it by default).
ifneq ($(findstring clang,$(CC)),)
KERNEL_CFLAGS += --target=x86_64-elf
TEST_ORDER_FLAGS :=
else
TEST_ORDER_FLAGS := -fno-toplevel-reorder
endif
KERNEL_LDFLAGS := -T arch/x86_64/linker.ld -z max-page-size=0x1000 --build-id=none -nostdlib -static

KERNEL_SRCS := $(wildcard arch/x86_64/*.S arch/x86_64/*.c boot/*.c kernel/*.c drivers/*.c \
                 drivers/*.S mm/*.c mm/alloc/*.c lib/*.c task/*.c)
KERNEL_OBJS := $(patsubst %,$(B)/kernel/%.o,$(KERNEL_SRCS))
# Everything but kernel_main: the test images link this with their own entry.
COMMON_OBJS := $(filter-out $(B)/kernel/kernel/main.c.o,$(KERNEL_OBJS))

TEST_SRCS := $(wildcard tests/kernel/*.c)
TEST_NAMES := $(basename $(notdir $(TEST_SRCS)))
TEST_ISOS := $(TEST_NAMES:%=$(B)/tests/%.iso)

.PHONY: all iso run run-uefi test test-host test-kernel debug clean deps need-deps format bench \
        bench-callgrind
all: $(B)/kiln.iso
iso: $(B)/kiln.iso

$(B)/kernel/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/kernel/%.S.o: %.S $(B)/font.psf
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -DFONT_PATH='"$(B)/font.psf"' -c $< -o $@

# The console font, embedded by drivers/font.S from Debian's console-data.
$(B)/font.psf: $(FONT)
	@mkdir -p $(@D)
	$(Q)gzip -dc $< > $@

$(B)/kiln.elf: $(KERNEL_OBJS) arch/x86_64/linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

$(B)/tests/%.o: tests/kernel/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(TEST_ORDER_FLAGS) -DKTEST_SUITE='"$*"' -c $< -o $@

$(B)/tests/%.elf: $(B)/tests/%.o $(COMMON_OBJS) arch/x86_64/linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $< $(COMMON_OBJS)

# One ISO per kernel: BIOS and UEFI GRUB both, so the same file boots on both.
$(B)/%.iso: $(B)/%.elf tools/grub.cfg
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $< $@

# run, run-uefi, debug and test install missing packages before building.
need-deps:
	@tools/install-deps.sh --check-only || tools/install-deps.sh
run: need-deps
	@$(MAKE) --no-print-directory $(B)/kiln.iso
	@tools/run.sh bios $(B)/kiln.iso
run-uefi: need-deps
	@$(MAKE) --no-print-directory $(B)/kiln.iso
	@tools/run.sh uefi $(B)/kiln.iso
debug: need-deps
	@$(MAKE) --no-print-directory $(B)/kiln.iso
	@tools/run.sh debug $(B)/kiln.iso

# ---- host builds of the pure code ----------------------------------------
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -DKILN_HOST \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -MMD -MP
# task/: the future, waker and executor core is pure; the rest needs the kernel.
TASK_PURE_SRCS := $(addprefix task/,future.c waker.c task.c executor.c simple_executor.c \
    async_example.c)
PURE_SRCS := $(filter-out lib/string.c,$(wildcard lib/*.c mm/alloc/*.c)) \
    $(wildcard boot/multiboot2.c drivers/scancode.c mm/frame.c) $(TASK_PURE_SRCS)
PURE_OBJS := $(patsubst %,$(B)/host/obj/%.o,$(PURE_SRCS))
HOST_TEST_SRCS := $(wildcard tests/host/test_*.c)
HOST_TESTS := $(patsubst tests/host/%.c,$(B)/host/%,$(HOST_TEST_SRCS))
HOST_SUPPORT := $(B)/host/obj/tests/host/support.c.o

$(B)/host/obj/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(B)/host/libkiln.a: $(PURE_OBJS)
	@rm -f $@.tmp
	@ar rcs $@.tmp $^ && mv $@.tmp $@

# kiln's own memcpy & co. under other names, so the test can compare them
# with the C library's (tests/host/string_rename.h).
$(B)/host/obj/string_renamed.o: lib/string.c tests/host/string_rename.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< (renamed)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -include tests/host/string_rename.h -c $< -o $@

$(B)/host/test_string: $(B)/host/obj/string_renamed.o
$(B)/host/test_%: $(B)/host/obj/tests/host/test_%.c.o $(HOST_SUPPORT) $(B)/host/libkiln.a
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $(filter %.o %.a,$^) -lcmocka

# ---- tests -----------------------------------------------------------------
# The clang build is tested too: one image built with clang and ld.lld.
CLANG_ISO := $(B)/clang/tests/basic_boot.iso
test: need-deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(HOST_TESTS) $(TEST_ISOS)
	@$(MAKE) --no-print-directory -j$$(nproc) B=$(B)/clang CC=clang LD=ld.lld $(CLANG_ISO)
	@tools/test.sh $(HOST_TESTS) -- $(TEST_ISOS) $(CLANG_ISO)

test-host: $(HOST_TESTS)
	@tools/test.sh $(HOST_TESTS) --

test-kernel: $(TEST_ISOS)
	@tools/test.sh -- $(TEST_ISOS)

-include bench/bench.mk
-include mm/alloc/heap_debug.mk
include task/task.mk

deps:
	tools/install-deps.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)
