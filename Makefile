# kiln: the one entry point. See README.md, and `make help` for every target
# and variable.

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
# HEAP_DEBUG=1: the kernel heap under mm/alloc/heap_debug.c (redzones, a
# freed-memory pattern, a quarantine), built apart in build/heap-debug.
ifeq ($(HEAP_DEBUG),1)
B ?= build/heap-debug
endif
# DEBUG=1: -Og instead of -O2, so gdb shows arguments and locals; its own
# build folder, so switching back and forth rebuilds nothing twice.
ifeq ($(DEBUG),1)
B ?= build/debug
OPT := -Og
else
B ?= build
OPT := -O2
endif
# V=1 shows whole commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- the kernel ---------------------------------------------------------
KERNEL_CFLAGS := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror \
    -ffreestanding -fno-stack-protector -fno-pic -mno-red-zone -mcmodel=kernel \
    -mgeneral-regs-only -fno-asynchronous-unwind-tables -fcf-protection=none \
    -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
    -Iinclude -I. -MMD -MP
ifeq ($(HEAP_DEBUG),1)
KERNEL_CFLAGS += -DHEAP_DEBUG
endif
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

# The compiler is part of the build: every object depends on a stamp holding
# CC, LD and the flags, rewritten only when they change, so
# `make CC=clang LD=ld.lld` after a gcc build rebuilds everything.
KERNEL_STAMP := $(B)/kernel/flags.stamp
KERNEL_FLAGS_NOW := $(CC) $(LD) $(KERNEL_CFLAGS) $(TEST_ORDER_FLAGS) $(KERNEL_LDFLAGS)
$(shell mkdir -p $(B)/kernel && { echo '$(KERNEL_FLAGS_NOW)' | cmp -s - $(KERNEL_STAMP) || \
    echo '$(KERNEL_FLAGS_NOW)' > $(KERNEL_STAMP); })

TEST_SRCS := $(wildcard tests/kernel/*.c)
TEST_NAMES := $(basename $(notdir $(TEST_SRCS)))
TEST_ISOS := $(TEST_NAMES:%=$(B)/tests/%.iso)

.PHONY: all iso run run-uefi test test-build test-build-clang test-host test-kernel debug clean deps need-deps format bench \
        bench-callgrind help
all: $(B)/kiln.iso
iso: $(B)/kiln.iso

$(B)/kernel/%.c.o: %.c $(KERNEL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/kernel/%.S.o: %.S $(B)/font.psf $(KERNEL_STAMP)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -DFONT_PATH='"$(B)/font.psf"' -c $< -o $@

# The console font, embedded by drivers/font.S from Debian's console-data.
$(B)/font.psf: $(FONT)
	@mkdir -p $(@D)
	$(Q)gzip -dc $< > $@

# Two link passes, as Linux's kallsyms: the first with an empty symbol table,
# then tools/ksyms.sh reads that ELF's functions and lines into
# $@.ksyms.c, and the second link carries it (include/kiln/ksyms.h). The
# table is .rodata, after .text, so no function moves; regenerating it from
# the final ELF proves that.
KSYMS_EMPTY := $(B)/kernel/ksyms_empty.o
$(KSYMS_EMPTY): tools/ksyms.sh include/kiln/ksyms.h $(KERNEL_STAMP)
	@mkdir -p $(@D)
	$(Q)tools/ksyms.sh > $(@:.o=.c)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $(@:.o=.c) -o $@
define link_with_ksyms
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.pass1 $(1) $(KSYMS_EMPTY)
	$(Q)tools/ksyms.sh $@.pass1 > $@.ksyms.c
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $@.ksyms.c -o $@.ksyms.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(1) $@.ksyms.o
	$(Q)tools/ksyms.sh $@ | cmp -s - $@.ksyms.c || \
	    { echo "$@: the symbol table moved code between link passes" >&2; rm -f $@; exit 1; }
	$(Q)rm -f $@.pass1
endef

$(B)/kiln.elf: $(KERNEL_OBJS) $(KSYMS_EMPTY) arch/x86_64/linker.ld tools/ksyms.sh
	$(call link_with_ksyms,$(KERNEL_OBJS))

$(B)/tests/%.o: tests/kernel/%.c $(KERNEL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(TEST_ORDER_FLAGS) -DKTEST_SUITE='"$*"' -c $< -o $@

$(B)/tests/%.elf: $(B)/tests/%.o $(COMMON_OBJS) $(KSYMS_EMPTY) arch/x86_64/linker.ld tools/ksyms.sh
	$(call link_with_ksyms,$< $(COMMON_OBJS))

# One ISO per kernel: BIOS and UEFI GRUB both, so the same file boots on both.
$(B)/%.iso: $(B)/%.elf tools/grub.cfg tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $< $@

# run, run-uefi, debug and test install missing packages before building.
need-deps:
	@tools/install-deps.sh --check-only || tools/install-deps.sh
# QEMU_ARGS: extra QEMU arguments; CMDLINE: the kernel command line.
# make debug T=NAME debugs the test image NAME (T=NAME::CASE: that case only).
# DEMO=NAME: demo=NAME on the command line, one of the blog's intermediate
# demos (kernel/demo.c, docs/demos.md) instead of the normal boot.
RUN_CMDLINE := $(strip $(if $(DEMO),demo=$(DEMO)) $(CMDLINE))
RUN_ENV := QEMU_ARGS='$(QEMU_ARGS)' KILN_CMDLINE='$(RUN_CMDLINE)' MEM='$(MEM)' OVMF='$(OVMF)'
DEBUG_ISO := $(if $(T),$(B)/tests/$(firstword $(subst ::, ,$(T))).iso,$(B)/kiln.iso)
DEBUG_CMDLINE := $(strip $(CMDLINE) $(if $(findstring ::,$(T)),ktest=$(T)))
run: need-deps
	@$(MAKE) --no-print-directory $(B)/kiln.iso
	@$(RUN_ENV) tools/run.sh bios $(B)/kiln.iso
run-uefi: need-deps
	@$(MAKE) --no-print-directory $(B)/kiln.iso
	@$(RUN_ENV) tools/run.sh uefi $(B)/kiln.iso
debug: need-deps
	@$(if $(T),test -f tests/kernel/$(firstword $(subst ::, ,$(T))).c || \
	    { echo "make debug: T=$(T): no tests/kernel/$(firstword $(subst ::, ,$(T))).c" >&2; exit 2; })
	@$(MAKE) --no-print-directory $(DEBUG_ISO)
	@$(RUN_ENV) KILN_CMDLINE='$(DEBUG_CMDLINE)' tools/run.sh debug $(DEBUG_ISO)

# ---- host builds of the pure code ----------------------------------------
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -DKILN_HOST \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -MMD -MP
# task/: the future, waker and executor core is pure; the rest needs the kernel.
TASK_PURE_SRCS := $(addprefix task/,future.c waker.c task.c executor.c simple_executor.c \
    async_example.c)
PURE_SRCS := $(filter-out lib/string.c,$(wildcard lib/*.c mm/alloc/*.c)) \
    $(wildcard boot/multiboot2.c drivers/scancode.c drivers/key_echo.c mm/frame.c) $(TASK_PURE_SRCS)
PURE_OBJS := $(patsubst %,$(B)/host/obj/%.o,$(PURE_SRCS))
HOST_TEST_SRCS := $(wildcard tests/host/test_*.c)
HOST_TESTS := $(patsubst tests/host/%.c,$(B)/host/%,$(HOST_TEST_SRCS))
HOST_SUPPORT := $(B)/host/obj/tests/host/support.c.o

HOST_STAMP := $(B)/host/flags.stamp
HOST_FLAGS_NOW := $(HOSTCC) $(HOST_CFLAGS)
$(shell mkdir -p $(B)/host && { echo '$(HOST_FLAGS_NOW)' | cmp -s - $(HOST_STAMP) || \
    echo '$(HOST_FLAGS_NOW)' > $(HOST_STAMP); })

$(B)/host/obj/%.c.o: %.c $(HOST_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(B)/host/libkiln.a: $(PURE_OBJS)
	@rm -f $@.tmp
	@ar rcs $@.tmp $^ && mv $@.tmp $@

# kiln's own memcpy & co. under other names, so the test can compare them
# with the C library's (tests/host/string_rename.h).
$(B)/host/obj/string_renamed.o: lib/string.c tests/host/string_rename.h $(HOST_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< (renamed)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fno-builtin -include tests/host/string_rename.h -c $< -o $@

$(B)/host/test_string: $(B)/host/obj/string_renamed.o
# The default allocator's key comes from its heap's and region's addresses,
# and a few expected panic names rest on its 8-bit header checksum (a stray
# header passes for about 1 key in 256): its tests link without PIE, so
# their static heap and region, and so the key, are the same on every run.
$(B)/host/test_default_heap $(B)/host/test_default_heap_misuse: HOST_LINK_FLAGS := -no-pie
$(B)/host/test_%: $(B)/host/obj/tests/host/test_%.c.o $(HOST_SUPPORT) $(B)/host/libkiln.a
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_LINK_FLAGS) -o $@ $(filter %.o %.a,$^) -lcmocka

# ---- tests -----------------------------------------------------------------
# make test T=host | NAME | NAME::CASE runs a part (tools/test.sh --help).
# Building goes on past a failure (-k): an image or binary that does not build
# is one failed line of the report, and the rest still runs.
# The clang build is tested too: one image built with clang and ld.lld.
CLANG_ISO := $(B)/clang/tests/basic_boot.iso
T_NAME := $(firstword $(subst ::, ,$(T)))
# Deferred (=): fragments included below add to HOST_TESTS.
ifeq ($(T),)
TEST_BUILD = $(HOST_TESTS) $(TEST_ISOS) $(B)/kiln.iso
TEST_CLANG = $(CLANG_ISO)
else ifeq ($(T_NAME),host)
TEST_BUILD = $(HOST_TESTS) $(B)/kiln.iso
else
TEST_BUILD = $(filter $(B)/host/test_$(T_NAME) $(B)/host/test_$(T_NAME)_tsan \
    $(B)/tests/$(T_NAME).iso,$(HOST_TESTS) $(TEST_ISOS)) \
    $(if $(filter check_output,$(T_NAME)),$(B)/kiln.iso)
endif
# tests/readme/check_output.sh boots $(B)/kiln.iso itself and compares its
# output with README.md and docs/demos.md (TAP, counted like a host test).
README_CHECK := tests/readme/check_output.sh
BUILD_LOG := $(B)/test-logs/build.log
test: need-deps
	@mkdir -p $(B)/test-logs
	@{ $(if $(TEST_BUILD),$(MAKE) --no-print-directory -k -j$$(nproc) test-build;) \
	   $(if $(TEST_CLANG),$(MAKE) --no-print-directory -k -j$$(nproc) B=$(B)/clang CC=clang \
	       LD=ld.lld test-build-clang;) true; } 2>&1 | tee $(BUILD_LOG)
	@PURE_FILES='$(sort $(PURE_SRCS) lib/string.c)' \
	    KILN_ISO=$(B)/kiln.iso KILN_ISO_ALLOCATOR=$(ALLOCATOR) \
	    tools/test.sh $(if $(T),--only '$(T)') --build-log $(BUILD_LOG) tools/check-pure.sh \
	    $(HOST_TESTS) $(README_CHECK) -- $(TEST_ISOS) $(if $(TEST_CLANG),$(CLANG_ISO))

test-host:
	@$(MAKE) --no-print-directory test T=host

test-kernel: $(TEST_ISOS)
	@tools/test.sh -- $(TEST_ISOS)

-include bench/bench.mk
-include mm/alloc/heap_debug.mk
include task/task.mk
-include host/host.mk
include mm/designs.mk

# What make test builds, behind one name, so that up-to-date parts say
# nothing. After the fragments: they add to HOST_TESTS, and a rule's
# prerequisites are expanded where it stands.
test-build: $(TEST_BUILD)
	@:
# Run in the clang tree (B=$(B)/clang): its one test image.
test-build-clang: $(B)/tests/basic_boot.iso
	@:

help:
	@echo 'kiln: make TARGET [VARIABLE=value ...]'
	@echo
	@echo 'Targets'
	@echo '  all (default), iso  the kernel and its bootable ISO: $(B)/kiln.iso'
	@echo '  run                 boot it in QEMU on BIOS (a window with a display, else this terminal)'
	@echo '  run-uefi            the same on UEFI firmware (OVMF)'
	@echo '  test                host tests, the pure-code check and every kernel test image'
	@echo '  test-host           make test T=host'
	@echo '  test-kernel         the kernel test images only'
	@echo '  debug               QEMU stopped at the first instruction with gdb attached'
	@echo '                      (T=NAME: the test image NAME; DEBUG=1 for -Og)'
	@echo '  bench               allocator and frame benchmarks, docs/bench.svg; bench-callgrind: instruction counts'
	@echo '  bench-kernel        the allocator designs inside kiln under QEMU (cycles per operation)'
	@echo '  bench-peers         check that the peers (jemalloc, mimalloc), valgrind and gnuplot are installed'
	@echo '  format              clang-format every source file'
	@echo '  heap-table          rewrite the misuse table in docs/heap.md from the designs'
	@echo '  bench-hardening     instructions per op of each design: checks on, off, HEAP_DEBUG'
	@echo '  deps                install the Debian packages kiln needs (tools/install-deps.sh)'
	@echo '  clean               remove build/'
	@echo '  help                this text'
	@echo
	@echo 'Variables'
	@echo '  T=host|NAME|NAME::CASE  make test/debug: the host tests, the image tests/kernel/NAME.c'
	@echo '                      (and tests/host/test_NAME.c), or one case of it'
	@echo '  KTEST_VERBOSE=1     make test: boots one at a time, every serial line live, no capture'
	@echo '  TEST_JOBS=n         kernel images booted side by side (default: the number of cores)'
	@echo '  TEST_TIMEOUT=s      seconds before a kernel image counts as hung (default 60)'
	@echo '  HALT_SECONDS=s      how long a @halts image must stay halted (default 5)'
	@echo '  MEM=size            QEMU memory for run, run-uefi, debug (default 256M)'
	@echo '  QEMU_ARGS="..."     extra QEMU arguments for run, run-uefi, debug'
	@echo '  DEMO=NAME           make run DEMO=page_fault: one of the blog'"'"'s intermediate demos'
	@echo '                      (panic no_page_fault_handler stack_overflow early_interrupts'
	@echo '                      deadlock page_fault code_page page_tables; docs/demos.md)'
	@echo '  CMDLINE="..."       the kernel command line for run, run-uefi, debug'
	@echo '  OVMF=path           UEFI firmware (default /usr/share/ovmf/OVMF.fd)'
	@echo '  CC=, LD=            the kernel toolchain (default gcc and ld; or CC=clang LD=ld.lld)'
	@echo '  HOSTCC=             the host compiler for the host tests (default gcc)'
	@echo '  DEBUG=1             build at -Og into build/debug/ (for gdb)'
	@echo '  HEAP_DEBUG=1        the kernel heap under the HEAP_DEBUG layer, into build/heap-debug/'
	@echo '  ALLOCATOR=NAME      the kernel heap'"'"'s design: default, linked_list, fixed_block, bump'
	@echo '                      (alloc=NAME on the command line picks one at boot)'
	@echo '  BENCH_RUNS=n        make bench: interleaved runs per figure (default 5)'
	@echo '  BENCH_ONLY=a1,b     make bench, bench-callgrind: only these workloads'
	@echo '  V=1                 show whole commands'
	@echo '  QEMU=               the QEMU binary (default qemu-system-x86_64)'

deps:
	tools/install-deps.sh

format: need-deps
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(B)

.SECONDARY:
-include $(shell find $(B) -name '*.d' 2>/dev/null)
