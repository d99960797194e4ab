# The misuse table and the HEAP_DEBUG layer (included by the Makefile).
#   make heap-table   rewrite the misuse table in docs/heap.md from what the
#                     designs do now (tests/host/test_heap_misuse.c compares
#                     the two on every make test)
.PHONY: heap-table
heap-table: $(B)/host/test_heap_misuse
	@KILN_WRITE_TABLE=1 ASAN_OPTIONS=detect_leaks=1 $< >/dev/null && git --no-pager diff --stat -- docs/heap.md

# make bench-hardening: instructions per operation of each design with its
# checks as built and with them compiled out (bench/hardening_off.h), and
# under the HEAP_DEBUG layer; a1 and b, under callgrind.
HB_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -DKILN_HOST -MMD -MP
HB_INFRA := mm/alloc/allocator.c mm/alloc/layout.c mm/alloc/global.c mm/alloc/kmalloc.c \
    mm/alloc/heap_debug.c mm/alloc/designs.c mm/alloc/dummy.c
HB_DESIGNS := $(filter-out $(HB_INFRA),$(wildcard mm/alloc/*.c))
HB_ON_OBJS := $(patsubst %,$(B)/bench/hb/on/%.o,$(HB_INFRA) $(HB_DESIGNS) bench/panic.c)
HB_OFF_OBJS := $(patsubst %,$(B)/bench/hb/on/%.o,$(HB_INFRA) bench/panic.c) \
    $(patsubst %,$(B)/bench/hb/off/%.o,$(HB_DESIGNS))

$(B)/bench/hb/on/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HB_CFLAGS) -c $< -o $@
$(B)/bench/hb/off/%.c.o: %.c bench/hardening_off.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HB_CFLAGS) -Wno-unused-parameter -Wno-unused-variable \
	    -Wno-unused-but-set-variable -Wno-unused-function -include bench/hardening_off.h -c $< -o $@
$(B)/bench/hardening_bench: bench/hardening_bench.c $(HB_ON_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HB_CFLAGS) -fno-optimize-sibling-calls -o $@ $(filter %.c %.o,$^)
$(B)/bench/hardening_bench_off: bench/hardening_bench.c $(HB_OFF_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HB_CFLAGS) -fno-optimize-sibling-calls -o $@ $(filter %.c %.o,$^)

.PHONY: bench-hardening
bench-hardening: $(B)/bench/hardening_bench $(B)/bench/hardening_bench_off
	@$(B)/bench/hardening_bench

# The HEAP_DEBUG images run in every make test: they link a heap.c built
# with -DHEAP_DEBUG in place of the plain one.
HD_IMAGES := heap_debug heap_debug_double_free
HD_HEAP_OBJ := $(B)/kernel-heap-debug/mm/heap.c.o
HD_OBJS := $(HD_HEAP_OBJ) $(filter-out $(B)/kernel/mm/heap.c.o,$(COMMON_OBJS))
$(HD_HEAP_OBJ): mm/heap.c $(KERNEL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $< (HEAP_DEBUG)"
	$(Q)$(CC) $(KERNEL_CFLAGS) -DHEAP_DEBUG -c $< -o $@
$(HD_IMAGES:%=$(B)/tests/%.elf): $(B)/tests/%.elf: $(B)/tests/%.o $(HD_OBJS) $(KSYMS_EMPTY) \
        arch/x86_64/linker.ld tools/ksyms.sh
	$(call link_with_ksyms,$< $(HD_OBJS))
