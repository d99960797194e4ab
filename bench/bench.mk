# Allocator benchmarks (included by the Makefile).
#   make bench            ns per operation: kiln's linked-list allocator against
#                         glibc malloc, and jemalloc / mimalloc when installed
#   make bench-callgrind  the same workloads' instructions per operation
#   (make bench also runs the frame allocator's benchmark: cycles per
#   frame_alloc / frame_free with 64 MiB and with 4 GiB, and its build time)
# Built with -O2 and no sanitizers into build/bench/.

BENCH_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -DKILN_HOST -MMD -MP
BENCH_LIB_SRCS := mm/alloc/layout.c mm/alloc/linked_list.c bench/panic.c
BENCH_LIB_OBJS := $(patsubst %,$(B)/bench/obj/%.o,$(BENCH_LIB_SRCS))
# The wrappers whose cost callgrind counts must stay real calls.
BENCH_MAIN_CFLAGS := $(BENCH_CFLAGS) -fno-optimize-sibling-calls

BENCH_HAVE_JEMALLOC := $(wildcard /usr/include/jemalloc/jemalloc.h)
BENCH_HAVE_MIMALLOC := $(wildcard /usr/include/mimalloc.h)
BENCH_BINS := $(B)/bench/heap_bench \
    $(if $(BENCH_HAVE_JEMALLOC),$(B)/bench/heap_bench_jemalloc) \
    $(if $(BENCH_HAVE_MIMALLOC),$(B)/bench/heap_bench_mimalloc)

$(B)/bench/obj/%.c.o: %.c
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_CFLAGS) -c $< -o $@

$(B)/bench/heap_bench: bench/heap_bench.c $(BENCH_LIB_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_MAIN_CFLAGS) -o $@ $(filter %.c %.o,$^)

$(B)/bench/heap_bench_jemalloc: bench/heap_bench.c $(BENCH_LIB_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_MAIN_CFLAGS) -DBENCH_JEMALLOC -o $@ $(filter %.c %.o,$^) -ljemalloc

$(B)/bench/heap_bench_mimalloc: bench/heap_bench.c $(BENCH_LIB_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_MAIN_CFLAGS) -DBENCH_MIMALLOC -o $@ $(filter %.c %.o,$^) -lmimalloc

define bench_notes
	$(if $(BENCH_HAVE_JEMALLOC),,@echo "note: libjemalloc-dev is not installed: jemalloc skipped")
	$(if $(BENCH_HAVE_MIMALLOC),,@echo "note: libmimalloc-dev is not installed: mimalloc skipped")
endef

$(B)/bench/frame_bench: bench/frame_bench.c $(B)/bench/obj/mm/frame.c.o $(B)/bench/obj/bench/panic.c.o
	@mkdir -p $(@D)
	$(HOSTCC) $(BENCH_CFLAGS) -o $@ $(filter %.c %.o,$^)

bench: $(BENCH_BINS) $(B)/bench/frame_bench
	@for b in $(BENCH_BINS) $(B)/bench/frame_bench; do echo "== $$b"; $$b || exit 1; done
	$(bench_notes)

bench-callgrind: $(BENCH_BINS)
	@command -v valgrind >/dev/null || { echo "bench-callgrind needs valgrind"; exit 1; }
	@for b in $(BENCH_BINS); do echo "== $$b (callgrind)"; $$b --callgrind || exit 1; done
	$(bench_notes)
