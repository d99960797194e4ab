# Allocator designs (included from the Makefile).
#   make ALLOCATOR=NAME   the kernel's global allocator (mm/heap.c): default,
#                         linked_list, fixed_block or bump
# alloc=NAME on the kernel command line picks one at boot: make test boots
# heap_allocation, collections and heap_growth once per design that way
# (their "// run:" lines add it with @cmdline=, tools/test.sh; the variant
# "built" is the design make chose).
DESIGNS := bump linked_list fixed_block $(if $(wildcard mm/alloc/default_heap.c),default)
ALLOCATOR ?= $(if $(filter default,$(DESIGNS)),default,linked_list)
ifeq ($(filter $(ALLOCATOR),$(DESIGNS)),)
$(error ALLOCATOR=$(ALLOCATOR) is not one of: $(DESIGNS))
endif
KERNEL_CFLAGS += -DKILN_ALLOCATOR='"$(ALLOCATOR)"'

# mm/heap.c is rebuilt when ALLOCATOR changes.
$(B)/kernel/mm/heap.c.o: $(B)/allocator-$(ALLOCATOR).stamp
$(B)/allocator-$(ALLOCATOR).stamp:
	@mkdir -p $(@D)
	@rm -f $(B)/allocator-*.stamp
	@touch $@
