/* The registry of allocator designs: one entry per file in mm/alloc/. */
#include "kiln/alloc_designs.h"

#include "kiln/bump.h"
#include "kiln/default_heap.h"
#include "kiln/fixed_block.h"
#include "kiln/linked_list.h"
#include "kiln/string.h"

static void bump_design_init(void *state, void *start, size_t size)
{
    bump_init(state, start, size);
}
static struct allocator bump_design_allocator(void *state)
{
    return bump_allocator(state);
}
static struct alloc_stats bump_design_stats(const void *state)
{
    return bump_stats(state);
}
static size_t bump_design_check(const void *state)
{
    return bump_check(state);
}

static const struct alloc_design bump_design = {
    .name = "bump",
    .state_size = sizeof(struct bump_heap),
    .init = bump_design_init,
    .allocator = bump_design_allocator,
    .stats = bump_design_stats,
    .check = bump_design_check,
};

static void linked_list_design_init(void *state, void *start, size_t size)
{
    linked_list_init(state, start, size);
}
static struct allocator linked_list_design_allocator(void *state)
{
    return linked_list_allocator(state);
}
static void linked_list_design_extend(void *state, size_t bytes)
{
    linked_list_extend(state, bytes);
}
static struct alloc_stats linked_list_design_stats(const void *state)
{
    return linked_list_stats(state);
}
static size_t linked_list_design_check(const void *state)
{
    return linked_list_check(state);
}

static const struct alloc_design linked_list_design = {
    .name = "linked_list",
    .state_size = sizeof(struct linked_list_heap),
    .init = linked_list_design_init,
    .allocator = linked_list_design_allocator,
    .extend = linked_list_design_extend,
    .stats = linked_list_design_stats,
    .check = linked_list_design_check,
};

static void fixed_block_design_init(void *state, void *start, size_t size)
{
    fixed_block_init(state, start, size);
}
static struct allocator fixed_block_design_allocator(void *state)
{
    return fixed_block_allocator(state);
}
static void fixed_block_design_extend(void *state, size_t bytes)
{
    fixed_block_extend(state, bytes);
}
static struct alloc_stats fixed_block_design_stats(const void *state)
{
    return fixed_block_stats(state);
}
static size_t fixed_block_design_check(const void *state)
{
    return fixed_block_check(state);
}

/* Grows through its fallback: the new bytes join the linked-list region. */
static const struct alloc_design fixed_block_design = {
    .name = "fixed_block",
    .state_size = sizeof(struct fixed_block_heap),
    .init = fixed_block_design_init,
    .allocator = fixed_block_design_allocator,
    .extend = fixed_block_design_extend,
    .stats = fixed_block_design_stats,
    .check = fixed_block_design_check,
};

static void default_design_init(void *state, void *start, size_t size)
{
    default_heap_init(state, start, size);
}
static struct allocator default_design_allocator(void *state)
{
    return default_heap_allocator(state);
}
static void default_design_extend(void *state, size_t bytes)
{
    default_heap_extend(state, bytes);
}
static struct alloc_stats default_design_stats(const void *state)
{
    return default_heap_stats(state);
}
static size_t default_design_check(const void *state)
{
    return default_heap_check(state);
}
static struct layout default_design_layout_of(const void *state, const void *ptr)
{
    return default_heap_layout_of(state, ptr);
}

static const struct alloc_design default_design = {
    .name = "default",
    .state_size = sizeof(struct default_heap),
    .init = default_design_init,
    .allocator = default_design_allocator,
    .extend = default_design_extend,
    .stats = default_design_stats,
    .check = default_design_check,
    .layout_of = default_design_layout_of,
};

const struct alloc_design *const alloc_designs[] = {&bump_design, &linked_list_design,
                                                    &fixed_block_design, &default_design};
const size_t alloc_design_count = sizeof(alloc_designs) / sizeof(alloc_designs[0]);

const struct alloc_design *alloc_design_find(const char *name)
{
    for (size_t i = 0; i < alloc_design_count; i++)
        if (strcmp(alloc_designs[i]->name, name) == 0) return alloc_designs[i];
    return NULL;
}
