# kiln's heap on Linux (included by the Makefile; see host/kiln_heap.h).
#   make host-lib   build/host/libkiln_heap.a (+ host/kiln_heap.h) and
#                   build/host/libkiln_malloc.so (LD_PRELOAD it)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60)
# Both libraries build from the kernel's own pure sources (mm/alloc/, lib/fmt.c)
# with -O2, -fPIC, no sanitizers; only the malloc API leaves the .so.

HOSTLIB_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ihost -DKILN_HOST \
    -fPIC -fvisibility=hidden -fno-omit-frame-pointer -MMD -MP
HOSTLIB_PURE := $(wildcard mm/alloc/*.c) lib/fmt.c
HOSTLIB_SRCS := $(HOSTLIB_PURE) host/kiln_heap.c host/mmap_source.c host/panic.c
HOSTLIB_OBJS := $(patsubst %,$(B)/host/pic/%.o,$(HOSTLIB_SRCS))
MALLOC_OBJS := $(HOSTLIB_OBJS) $(B)/host/pic/host/malloc_guard.c.o $(B)/host/pic/host/malloc.c.o

.PHONY: host-lib fuzz
host-lib: $(B)/host/libkiln_heap.a $(B)/host/libkiln_malloc.so

$(B)/host/pic/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< (lib)"
	$(Q)$(HOSTCC) $(HOSTLIB_CFLAGS) -c $< -o $@

# The malloc front end must not have its own calls folded into calloc & co.
$(B)/host/pic/host/malloc.c.o: HOSTLIB_CFLAGS += -fno-builtin

$(B)/host/libkiln_heap.a: $(HOSTLIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@.tmp
	$(Q)ar rcs $@.tmp $^ && mv $@.tmp $@

$(B)/host/libkiln_malloc.so: $(MALLOC_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) -shared -Wl,-z,defs -o $@ $^ -lpthread

# ---- fuzzing (clang's libFuzzer, ASan, UBSan) --------------------------------
# One allocator target for every registered design (fuzz_alloc, the design
# named by KILN_FUZZ_DESIGN), one for the Multiboot2 parser, one for the
# scancode decoder. host/fuzz.sh runs each from its committed seed corpus
# (tests/host/fuzz/corpus/<target>/) for FUZZ_SECONDS and prints executions
# and findings; crashes land in build/fuzz/artifacts/.
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Ihost -DKILN_HOST \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -MMD -MP
FUZZ_PURE := $(wildcard mm/alloc/*.c) lib/fmt.c boot/multiboot2.c drivers/scancode.c host/panic.c
FUZZ_PURE_OBJS := $(patsubst %,$(B)/fuzz/obj/%.o,$(FUZZ_PURE))
FUZZ_TARGETS := fuzz_alloc fuzz_multiboot2 fuzz_scancode
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)

$(B)/fuzz/obj/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(B)/fuzz/fuzz_alloc: $(B)/fuzz/obj/tests/host/fuzz/alloc_ops.c.o
$(B)/fuzz/%: $(B)/fuzz/obj/tests/host/fuzz/%.c.o $(FUZZ_PURE_OBJS)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^)

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) B=$(B) host/fuzz.sh

# ---- tests of the malloc library ------------------------------------------------
# tests/host/test_malloc.c (a cmocka binary, so each case counts in the
# runner's total) runs malloc_probe and real programs under LD_PRELOAD. The
# probe has no sanitizers (ASan would replace malloc itself) and no builtins
# (gcc would fold away the calls whose failure it tests).
$(B)/host/malloc_probe: tests/host/malloc_probe.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-builtin -Wno-alloc-size-larger-than \
	    -Wno-use-after-free -Wno-free-nonheap-object -pthread -o $@ $< -ldl
$(B)/host/test_malloc: $(B)/host/malloc_probe $(B)/host/libkiln_malloc.so

# tests/host/test_kiln_heap.c: the library's API (built with the host tests'
# sanitizers, from the same host/ sources).
$(B)/host/obj/tests/host/test_kiln_heap.c.o: HOST_CFLAGS += -Ihost
$(B)/host/test_kiln_heap: $(B)/host/obj/tests/host/test_kiln_heap.c.o $(B)/host/obj/host/kiln_heap.c.o \
    $(B)/host/obj/host/mmap_source.c.o $(HOST_SUPPORT) $(B)/host/libkiln.a
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka

# tests/host/test_fuzz_replay.c: the fuzz targets' checks over every committed
# seed and reproducer; the two byte-stream targets come in under other names.
$(B)/host/obj/fuzz/replay_%.o: tests/host/fuzz/fuzz_%.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< (replay)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -DLLVMFuzzerTestOneInput=replay_$* -c $< -o $@
$(B)/host/test_fuzz_replay: $(B)/host/obj/tests/host/test_fuzz_replay.c.o \
    $(B)/host/obj/tests/host/fuzz/alloc_ops.c.o $(B)/host/obj/fuzz/replay_multiboot2.o \
    $(B)/host/obj/fuzz/replay_scancode.o $(HOST_SUPPORT) $(B)/host/libkiln.a
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ -lcmocka

# ---- make bench: the malloc library against glibc, jemalloc and mimalloc ----------
.PHONY: bench-malloc
bench: bench-malloc
# The workload binary links the designs' benchmark workloads (bench/workloads.c)
# and nothing of kiln's allocators: the malloc it measures is the preloaded one.
$(B)/bench/malloc_bench: bench/malloc_bench.c bench/workloads.c bench/panic.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ibench -DKILN_HOST -pthread \
	    -o $@ $^
bench-malloc: $(B)/bench/malloc_bench $(B)/host/libkiln_malloc.so
	@echo "== libkiln_malloc.so (LD_PRELOAD)"
	@host/malloc_bench.sh $^

# The stress test under ThreadSanitizer: kiln's malloc and the probe built
# together with clang -fsanitize=thread, the API renamed (TSan brings its own
# malloc); tests/host/tsan.supp names the one race kiln accepts, and why.
TSAN_RENAME := $(foreach f,malloc free calloc realloc reallocarray aligned_alloc posix_memalign \
    memalign valloc pvalloc malloc_usable_size free_sized free_aligned_sized,-D$(f)=kiln_$(f))
TSAN_SRCS := tests/host/malloc_probe.c host/malloc.c host/malloc_guard.c host/kiln_heap.c \
    host/mmap_source.c host/panic.c $(HOSTLIB_PURE)
$(B)/host/malloc_probe_tsan: $(TSAN_SRCS) $(wildcard host/*.h include/kiln/*.h mm/alloc/*.h)
	@mkdir -p $(@D)
	@echo "  TSAN    $@"
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g -fsanitize=thread -Wall -Wextra -Werror \
	    -Wno-non-power-of-two-alignment -Iinclude -Ihost -DKILN_HOST -fno-builtin \
	    $(TSAN_RENAME) -DPROBE_LINKED=1 -o $@ $(TSAN_SRCS) -ldl
$(B)/host/test_malloc: $(B)/host/malloc_probe_tsan
