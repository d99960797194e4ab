/* The owning linked list over the intrusive one. The contract is in
 * kiln/list.h.
 *
 * Node block: [struct list_node][padding][element], of layout
 * {value_offset + elem_size, max(elem_align, alignof(struct list_node))}.
 */
#include "kiln/list.h"

#include "kiln/alloc.h"
#include "kiln/string.h"

void owned_list_init(struct owned_list *l, size_t elem_size, size_t elem_align)
{
    if (elem_size == 0) panic("owned_list_init: element size 0");
    if (elem_align == 0 || (elem_align & (elem_align - 1)) != 0)
        panic("owned_list_init: alignment %zu is not a power of two", elem_align);
    size_t offset = (sizeof(struct list_node) + elem_align - 1) & ~(elem_align - 1);
    if (elem_size > SIZE_MAX / 2 - offset)
        panic("owned_list_init: element size %zu overflows a node", elem_size);
    list_init(&l->head);
    l->len = 0;
    l->elem_size = elem_size;
    l->elem_align = elem_align;
    l->value_offset = offset;
}

static struct layout node_layout(const struct owned_list *l)
{
    size_t align =
        l->elem_align > _Alignof(struct list_node) ? l->elem_align : _Alignof(struct list_node);
    return (struct layout){l->value_offset + l->elem_size, align};
}

/* A new unlinked node holding a copy of elem, or NULL (fallible only). */
static struct list_node *node_new(const struct owned_list *l, const void *elem, bool fallible)
{
    struct layout nl = node_layout(l);
    struct list_node *n = fallible ? try_heap_alloc(nl) : heap_alloc(nl);
    if (n) memcpy(owned_list_elem(l, n), elem, l->elem_size);
    return n;
}

static enum coll_error push(struct owned_list *l, const void *elem, bool back, bool fallible)
{
    struct list_node *n = node_new(l, elem, fallible);
    if (n == NULL) return COLL_ALLOC_FAILED;
    if (back)
        list_push_back(&l->head, n);
    else
        list_push_front(&l->head, n);
    l->len++;
    return COLL_OK;
}

void owned_list_push_back(struct owned_list *l, const void *elem)
{
    push(l, elem, true, false);
}

void owned_list_push_front(struct owned_list *l, const void *elem)
{
    push(l, elem, false, false);
}

enum coll_error try_owned_list_push_back(struct owned_list *l, const void *elem)
{
    return push(l, elem, true, true);
}

enum coll_error try_owned_list_push_front(struct owned_list *l, const void *elem)
{
    return push(l, elem, false, true);
}

/* Unlink n, copy its element to out (unless NULL) and free it. */
static void take(struct owned_list *l, struct list_node *n, void *out)
{
    if (l->len == 0) panic("owned_list: len is 0 but the list at %p has nodes", (void *)l);
    list_remove(n);
    l->len--;
    if (out) memcpy(out, owned_list_elem(l, n), l->elem_size);
    heap_dealloc(n, node_layout(l));
}

bool owned_list_pop_back(struct owned_list *l, void *out)
{
    struct list_node *n = list_last(&l->head);
    if (n == NULL) return false;
    take(l, n, out);
    return true;
}

bool owned_list_pop_front(struct owned_list *l, void *out)
{
    struct list_node *n = list_first(&l->head);
    if (n == NULL) return false;
    take(l, n, out);
    return true;
}

void *owned_list_front(const struct owned_list *l)
{
    struct list_node *n = list_first(&l->head);
    return n ? owned_list_elem(l, n) : NULL;
}

void *owned_list_back(const struct owned_list *l)
{
    struct list_node *n = list_last(&l->head);
    return n ? owned_list_elem(l, n) : NULL;
}

static struct list_node *node_of(const struct owned_list *l, const void *elem)
{
    return (struct list_node *)((char *)elem - l->value_offset);
}

void *owned_list_next(const struct owned_list *l, const void *elem)
{
    struct list_node *n = node_of(l, elem)->next;
    return n == &l->head ? NULL : owned_list_elem(l, n);
}

void *owned_list_prev(const struct owned_list *l, const void *elem)
{
    struct list_node *n = node_of(l, elem)->prev;
    return n == &l->head ? NULL : owned_list_elem(l, n);
}

void owned_list_free(struct owned_list *l, owned_list_drop_fn drop)
{
    list_for_each_safe (n, &l->head) {
        if (drop) drop(owned_list_elem(l, n));
        take(l, n, NULL);
    }
    if (l->len != 0) panic("owned_list_free: len %zu after freeing every node", l->len);
}
