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

# mm/heap.c is rebuilt when ALLOCATOR changes: the stamp holds the name and
# is rewritten only when it changes, as the flags stamp is. (A stamp file per
# name did not work: the Makefile's .SECONDARY keeps make from remaking a
# missing prerequisite, so a build went on with the previous design.)
ALLOCATOR_STAMP := $(B)/kernel/allocator.stamp
$(shell mkdir -p $(B)/kernel && { echo '$(ALLOCATOR)' | cmp -s - $(ALLOCATOR_STAMP) || \
    echo '$(ALLOCATOR)' > $(ALLOCATOR_STAMP); })
$(B)/kernel/mm/heap.c.o: $(ALLOCATOR_STAMP)
