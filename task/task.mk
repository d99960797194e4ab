# Cooperative multitasking (blog_os post 12), included from the Makefile.
#
# The host tests that share data between threads, built once more with
# ThreadSanitizer (clang-14 from libclang-rt-14-dev): TSan, not ASan, is what
# sees a missing release/acquire pair. The lock-free queue with racing
# producers and consumers, and the executor with its fake interrupt thread.
# make test runs them with the other host tests (build/host/test_*_tsan).
TSAN_CC ?= clang-14
TSAN_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -DKILN_HOST \
    -fsanitize=thread -fno-omit-frame-pointer -MMD -MP
TSAN_OBJS := $(patsubst %,$(B)/host/tsan/%.o,$(PURE_SRCS) tests/host/support.c)
TSAN_TESTS := $(B)/host/test_mpmc_queue_tsan $(B)/host/test_executor_tsan
HOST_TESTS += $(TSAN_TESTS)

$(B)/host/tsan/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  TSANCC  $<"
	$(Q)$(TSAN_CC) $(TSAN_CFLAGS) -c $< -o $@

$(B)/host/libkiln_tsan.a: $(TSAN_OBJS)
	@rm -f $@.tmp
	@ar rcs $@.tmp $^ && mv $@.tmp $@

$(B)/host/test_%_tsan: $(B)/host/tsan/tests/host/test_%.c.o $(B)/host/libkiln_tsan.a
	@echo "  TSANLD  $@"
	$(Q)$(TSAN_CC) $(TSAN_CFLAGS) -o $@ $(filter %.o %.a,$^) -lcmocka -lpthread
