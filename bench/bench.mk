# Allocator benchmarks (included by the Makefile).
#   make bench            ns per operation of every design in the registry
#                         against glibc, jemalloc and mimalloc in one run, the
#                         region figures, the wall-time targets, and the chart
#                         docs/bench.svg; then the frame allocator's benchmark
#   make bench-callgrind  the allocators' own instructions per operation, and
#                         every target for the design "default"
#   make bench-kernel     the same designs inside kiln under QEMU: cycles per
#                         operation (bench/kernel_bench.c; not part of make test)
# Host binaries are built with -O2 and no sanitizers into build/bench/.

BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ibench -DKILN_HOST -MMD -MP
# Every pure allocator file, so a design that lands in the registry is built.
BENCH_LIB_SRCS := $(filter-out lib/string.c,$(wildcard lib/*.c mm/alloc/*.c)) bench/panic.c \
    bench/workloads.c
BENCH_LIB_OBJS := $(patsubst %,$(B)/bench/obj/%.o,$(BENCH_LIB_SRCS))
BENCH_HEAP_SRCS := bench/heap_bench.c bench/contenders.c bench/peers.c bench/report.c
BENCH_HEAP_OBJS := $(patsubst %,$(B)/bench/obj/%.o,$(BENCH_HEAP_SRCS))
# The peers are Debian packages; a benchmark that skips them compares nothing.
BENCH_PEERS := /usr/include/jemalloc/jemalloc.h:libjemalloc-dev /usr/include/mimalloc.h:libmimalloc-dev \
    /usr/bin/gnuplot:gnuplot-nox /usr/include/valgrind/callgrind.h:valgrind

.PHONY: bench-peers bench-kernel

bench-peers:
	@for p in $(BENCH_PEERS); do f=$${p%%:*}; pkg=$${p#*:}; \
	  [ -e $$f ] || { echo "make bench: $$pkg is missing ($$f): run tools/install-deps.sh"; exit 1; }; \
	done

$(B)/bench/obj/%.c.o: %.c | bench-peers
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_CFLAGS) -c $< -o $@

$(B)/bench/libbench.a: $(BENCH_LIB_OBJS)
	@rm -f $@.tmp
	@ar rcs $@.tmp $^ && mv $@.tmp $@

# The wrappers whose cost callgrind counts must stay real calls.
$(B)/bench/obj/bench/%.c.o: BENCH_CFLAGS += -fno-optimize-sibling-calls

# One binary: the designs, glibc (as __libc_malloc), jemalloc and mimalloc.
$(B)/bench/heap_bench: $(BENCH_HEAP_OBJS) $(B)/bench/libbench.a
	$(HOSTCC) -o $@ $^ -ljemalloc -lmimalloc

$(B)/bench/frame_bench: bench/frame_bench.c $(B)/bench/obj/mm/frame.c.o $(B)/bench/obj/bench/panic.c.o
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_CFLAGS) -o $@ $(filter %.c %.o,$^)

bench: bench-peers $(B)/bench/heap_bench $(B)/bench/frame_bench
	$(B)/bench/heap_bench --dat $(B)/bench/bench.dat
	gnuplot -c bench/bench.gp $(B)/bench/bench.dat docs/bench.svg
	@echo "wrote docs/bench.svg"
	@echo "== $(B)/bench/frame_bench"
	@$(B)/bench/frame_bench

bench-callgrind: bench-peers $(B)/bench/heap_bench
	$(B)/bench/heap_bench --callgrind

# The host test that runs every design through the workloads links them in.
$(B)/host/test_bench_workloads: $(B)/host/obj/bench/workloads.c.o

# ---- in the kernel ------------------------------------------------------------
# The workloads and the designs-over-a-region glue, built as kernel code for
# the benchmark image and for the test image tests/kernel/design_workloads.c.
BENCH_KERNEL_OBJS := $(B)/kernel/bench/workloads.c.o $(B)/kernel/bench/kernel_designs.c.o

# Linked as every kernel image is: two passes, with the symbol table.
$(B)/bench/kernel_bench.elf: $(B)/kernel/bench/kernel_bench.c.o $(BENCH_KERNEL_OBJS) $(COMMON_OBJS) \
    arch/x86_64/linker.ld tools/ksyms.sh | $(KSYMS_EMPTY)
	@mkdir -p $(@D)
	$(call link_with_ksyms,$(filter %.o,$^))

$(B)/tests/design_workloads.elf: $(B)/tests/design_workloads.o $(BENCH_KERNEL_OBJS) $(COMMON_OBJS) \
    arch/x86_64/linker.ld tools/ksyms.sh | $(KSYMS_EMPTY)
	$(call link_with_ksyms,$(filter %.o,$^))

# Boots the image once and prints its table; QEMU must exit with status 33.
bench-kernel: need-deps $(B)/bench/kernel_bench.iso
	@timeout --foreground -k 5 600 $(QEMU) -accel tcg -no-reboot -serial stdio -display none \
	    -monitor none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -m 256M \
	    -cdrom $(B)/bench/kernel_bench.iso </dev/null >$(B)/bench/kernel_bench.log 2>&1; \
	rc=$$?; tr -d '\r' <$(B)/bench/kernel_bench.log; \
	[ $$rc -eq 33 ] || { echo "bench-kernel: QEMU exit status $$rc (33 is success)"; exit 1; }
