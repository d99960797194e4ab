/* list: the intrusive doubly linked list (after Linux's list.h), and on top of
 * it the owning linked list of values (Rust's LinkedList<T>), lib/list.c.
 *
 * Intrusive. A struct list_node is embedded in its owner; container_of gets
 * the owner back. The list is circular with a sentinel head: an empty head
 * points at itself. Invariants, for every linked node n:
 *   n->next->prev == n  and  n->prev->next == n.
 * Nothing is allocated; a node is on at most one list at a time. list_remove
 * checks the invariant around the node (as Linux's CONFIG_DEBUG_LIST) and
 * panics on a corrupt or unlinked node; a removed node has next == prev ==
 * NULL until it is linked again.
 *
 * Owning. struct owned_list allocates one block per element: a list_node
 * followed by a copy of the element (element size and alignment fixed at
 * owned_list_new, as every kiln collection: see kiln/vec.h). Invariant:
 * len == the number of nodes linked to head. The plain pushes panic through
 * alloc_error on failure; the try_ forms return a coll_error, list unchanged.
 */
#ifndef KILN_LIST_H
#define KILN_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/panic.h"
#include "kiln/vec.h" /* enum coll_error */

struct list_node {
    struct list_node *next;
    struct list_node *prev;
};

/* The address of the struct of type type whose member member is at ptr. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define list_entry(node, type, member)  container_of(node, type, member)

/* A head initializer for a variable named head: LIST_HEAD_INIT(head). */
#define LIST_HEAD_INIT(head)                                                                       \
    {                                                                                              \
        &(head), &(head)                                                                           \
    }

/* Make head an empty list. */
static inline void list_init(struct list_node *head)
{
    head->next = head;
    head->prev = head;
}

/* True when the list at head has no nodes. */
static inline bool list_empty(const struct list_node *head)
{
    return head->next == head;
}

/* Link node between the adjacent nodes prev and next, after checking that
 * they are adjacent. */
static inline void list_link_between(struct list_node *node, struct list_node *prev,
                                     struct list_node *next)
{
    if (prev->next != next || next->prev != prev)
        panic("list: corrupt list at %p (neighbours do not point at each other)", (void *)prev);
    node->next = next;
    node->prev = prev;
    prev->next = node;
    next->prev = node;
}

/* Add node at the end (before head) / at the start (after head). */
static inline void list_push_back(struct list_node *head, struct list_node *node)
{
    list_link_between(node, head->prev, head);
}
static inline void list_push_front(struct list_node *head, struct list_node *node)
{
    list_link_between(node, head, head->next);
}

/* Unlink node from its list; afterwards node->next == node->prev == NULL.
 * Panics "list_remove: ..." when node is not linked or its neighbours do not
 * point back at it. Never remove a head. */
static inline void list_remove(struct list_node *node)
{
    if (node->next == NULL || node->prev == NULL)
        panic("list_remove: node %p is not on a list", (void *)node);
    if (node->next->prev != node || node->prev->next != node)
        panic("list_remove: corrupt list around node %p", (void *)node);
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = NULL;
    node->prev = NULL;
}

/* The first / last node, or NULL when the list is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
    return list_empty(head) ? NULL : head->next;
}
static inline struct list_node *list_last(const struct list_node *head)
{
    return list_empty(head) ? NULL : head->prev;
}

/* for (struct list_node *pos over the list at head, front to back). The body
 * must not remove pos: use list_for_each_safe for that. */
#define list_for_each(pos, head)                                                                   \
    for (struct list_node *pos = (head)->next; pos != (head); pos = pos->next)

/* As list_for_each, but the body may remove (and free) pos. */
#define list_for_each_safe(pos, head)                                                              \
    for (struct list_node *pos = (head)->next, *pos##_next_ = pos->next; pos != (head);            \
         pos = pos##_next_, pos##_next_ = pos->next)

/* ---- the owning linked list ------------------------------------------- */

struct owned_list {
    struct list_node head;
    size_t len;
    size_t elem_size;
    size_t elem_align;
    size_t value_offset; /* from a node to its element: round_up(sizeof node, align) */
};

/* Called on each element by owned_list_free: releases what it owns. */
typedef void (*owned_list_drop_fn)(void *elem);

/* Make *l an empty list of elem_size-byte elements aligned to elem_align (it
 * does not allocate; l must not move while it has elements, since they point
 * at l->head). Panics unless elem_size > 0 and elem_align is a power of two. */
void owned_list_init(struct owned_list *l, size_t elem_size, size_t elem_align);

/* Append / prepend a copy of the element at elem. */
void owned_list_push_back(struct owned_list *l, const void *elem);
void owned_list_push_front(struct owned_list *l, const void *elem);
enum coll_error try_owned_list_push_back(struct owned_list *l, const void *elem);
enum coll_error try_owned_list_push_front(struct owned_list *l, const void *elem);

/* Remove the last / first element, copying it to out unless out is NULL.
 * Return false (and change nothing) when the list is empty. */
bool owned_list_pop_back(struct owned_list *l, void *out);
bool owned_list_pop_front(struct owned_list *l, void *out);

/* The address of the first / last element, or NULL when empty. */
void *owned_list_front(const struct owned_list *l);
void *owned_list_back(const struct owned_list *l);

/* The element after / before elem (an element of l), or NULL at the end. */
void *owned_list_next(const struct owned_list *l, const void *elem);
void *owned_list_prev(const struct owned_list *l, const void *elem);

/* The element of a node of l (for iterating with list_for_each). */
static inline void *owned_list_elem(const struct owned_list *l, struct list_node *node)
{
    return (char *)node + l->value_offset;
}

static inline size_t owned_list_len(const struct owned_list *l)
{
    return l->len;
}

/* Remove every element, calling drop on each (front to back) unless drop is
 * NULL, and free the nodes. l stays a valid empty list. */
void owned_list_free(struct owned_list *l, owned_list_drop_fn drop);

/* Typed wrappers: T is the element type; x an expression of type T or a
 * braced list. OWNED_LIST_FOR_EACH walks T *it front to back. */
#define OWNED_LIST_INIT(l, T) owned_list_init((l), sizeof(T), _Alignof(T))
#define OWNED_LIST_PUSH_BACK(l, T, ...)                                                            \
    ({                                                                                             \
        T ll_x_ = __VA_ARGS__;                                                                     \
        owned_list_push_back(owned_list_of_size((l), sizeof(T)), &ll_x_);                          \
    })
#define OWNED_LIST_PUSH_FRONT(l, T, ...)                                                           \
    ({                                                                                             \
        T ll_x_ = __VA_ARGS__;                                                                     \
        owned_list_push_front(owned_list_of_size((l), sizeof(T)), &ll_x_);                         \
    })
#define OWNED_LIST_FOR_EACH(l, T, it)                                                              \
    for (T *it = owned_list_front(owned_list_of_size((l), sizeof(T))); it;                         \
         it = owned_list_next((l), it))

/* l itself, after panicking unless its elements are elem_size bytes. */
static inline struct owned_list *owned_list_of_size(struct owned_list *l, size_t elem_size)
{
    if (l->elem_size != elem_size)
        panic("owned_list: a %zu-byte type used on a list of %zu-byte elements", elem_size,
              l->elem_size);
    return l;
}

#endif
