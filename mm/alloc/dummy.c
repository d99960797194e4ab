/* The Dummy allocator: allocation always fails. */
#include "kiln/alloc_dummy.h"
#include "kiln/panic.h"

static void *dummy_op_alloc(void *state, struct layout layout)
{
    (void)state;
    (void)layout;
    return NULL;
}

static void dummy_op_dealloc(void *state, void *ptr, struct layout layout)
{
    (void)state;
    (void)ptr;
    (void)layout;
    panic("dealloc should be never called");
}

static const struct alloc_ops dummy_ops = {.alloc = dummy_op_alloc, .dealloc = dummy_op_dealloc};

struct allocator dummy_allocator(void)
{
    return (struct allocator){.ops = &dummy_ops, .state = NULL};
}
