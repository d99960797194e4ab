/* btree: an ordered map and set on a B-tree (Rust's BTreeMap and BTreeSet),
 * lib/btree.c and lib/btree_set.c.
 *
 * As every kiln collection (see kiln/vec.h), keys and values are bytes of
 * sizes fixed at btree_new, copied in and out through void pointers, and keys
 * are ordered by a comparator callback. Values may be 0 bytes (the set).
 *
 * Why a B-tree. As Rust's, each node holds up to 11 sorted keys (order
 * B = 6), so a lookup compares against a few cache lines per level instead of
 * chasing one pointer per key, and a map of n entries uses about n / 8 blocks
 * instead of n. Terms: a leaf has no children; an internal node with k keys
 * has k + 1 children ("edges"), and child i holds the keys between key i-1
 * and key i. Invariants (btree_check counts each broken one):
 *   keys strictly increase in order of the walk (left child, key, ...);
 *   BTREE_MIN_LEN <= len <= BTREE_CAPACITY for every node but the root,
 *   and 1 <= len <= BTREE_CAPACITY for the root (root == NULL when empty);
 *   every leaf lies at depth height (the root is at depth 0);
 *   len (the map's) == the number of keys in all nodes.
 * Insertion splits full nodes on the search path (only those it must), and
 * removal refills a node that falls below BTREE_MIN_LEN by borrowing from a
 * sibling or merging with it, so both are O(log n).
 *
 * Memory. The plain operations panic through alloc_error when the allocator
 * fails; try_btree_insert and try_btree_set_insert return a coll_error and
 * leave the tree as it was: they allocate every node a split needs before
 * changing anything. Removal never allocates. Pointers into the tree (from
 * btree_get, first/last, iterators) are valid until the tree next changes.
 */
#ifndef KILN_BTREE_H
#define KILN_BTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "kiln/alloc.h"
#include "kiln/vec.h" /* enum coll_error */

#define BTREE_B          6
#define BTREE_CAPACITY   (2 * BTREE_B - 1) /* 11 keys */
#define BTREE_MIN_LEN    (BTREE_B - 1)     /* 5 keys */
#define BTREE_MAX_HEIGHT 32                /* > log_6(SIZE_MAX) + 1: more than any map in memory */

/* < 0, 0, > 0 as key a is less than, equal to, greater than key b. */
typedef int (*btree_cmp_fn)(const void *a, const void *b);

/* Called on each entry by btree_free: releases what the key and value own. */
typedef void (*btree_drop_fn)(void *key, void *val);

struct btree_node; /* lib/btree.c */

struct btree {
    struct btree_node *root;
    size_t len;
    size_t height; /* edges from the root to every leaf */
    btree_cmp_fn cmp;
    size_t key_size, val_size;
    /* The node shape, fixed at btree_new. */
    size_t keys_off, vals_off, edges_off;
    struct layout leaf, internal;
};

/* An empty map (it does not allocate). Panics when key_size == 0, an
 * alignment is not a power of two, a size is not a multiple of its alignment,
 * a node would overflow, or cmp is NULL. */
struct btree btree_new(size_t key_size, size_t key_align, size_t val_size, size_t val_align,
                       btree_cmp_fn cmp);

/* Map key to a copy of val. When key is already present its value is
 * replaced (the stored key is kept, as Rust's): the old value is copied to
 * old_val unless old_val is NULL, and true is returned; otherwise the entry is
 * added and false is returned. */
bool btree_insert(struct btree *t, const void *key, const void *val, void *old_val);

/* As btree_insert, but returns COLL_ALLOC_FAILED (tree unchanged) when a
 * node cannot be allocated; *replaced tells which case happened on success
 * (replaced may be NULL). */
enum coll_error try_btree_insert(struct btree *t, const void *key, const void *val, void *old_val,
                                 bool *replaced);

/* The value mapped to key, or NULL when key is absent. */
void *btree_get(const struct btree *t, const void *key);

/* True when key is present. */
bool btree_contains(const struct btree *t, const void *key);

/* Remove key's entry, copying the stored key and value to key_out and
 * val_out unless they are NULL. Returns false (tree unchanged) when absent. */
bool btree_remove(struct btree *t, const void *key, void *key_out, void *val_out);

/* The least / greatest key (NULL when empty); its value goes to *val unless
 * val is NULL. */
const void *btree_first(const struct btree *t, void **val);
const void *btree_last(const struct btree *t, void **val);

static inline size_t btree_len(const struct btree *t)
{
    return t->len;
}
static inline bool btree_is_empty(const struct btree *t)
{
    return t->len == 0;
}

/* Remove every entry, calling drop(key, val) on each in key order unless drop
 * is NULL, and free every node. t stays a valid empty map. */
void btree_free(struct btree *t, btree_drop_fn drop);

/* The number of broken invariants (see above): 0 for a valid tree. */
size_t btree_check(const struct btree *t);

/* An in-order walk: btree_iter_init, then btree_iter_next until it returns
 * false. The tree must not change during the walk. */
struct btree_iter {
    const struct btree *t;
    int depth; /* the top frame; -1 when done */
    struct btree_node *node[BTREE_MAX_HEIGHT];
    unsigned short idx[BTREE_MAX_HEIGHT]; /* the next key of node[d] */
};
void btree_iter_init(struct btree_iter *it, const struct btree *t);
/* The next entry in key order: sets *key and *val (either may be NULL) and
 * returns true, or returns false at the end. */
bool btree_iter_next(struct btree_iter *it, const void **key, void **val);

/* ---- the set: a map with 0-byte values (lib/btree_set.c) --------------- */

struct btree_set {
    struct btree map;
};

struct btree_set btree_set_new(size_t key_size, size_t key_align, btree_cmp_fn cmp);
/* Add a copy of key: true when it was not present (BTreeSet::insert). */
bool btree_set_insert(struct btree_set *s, const void *key);
/* As btree_set_insert; *added (may be NULL) tells whether it was new. */
enum coll_error try_btree_set_insert(struct btree_set *s, const void *key, bool *added);
bool btree_set_contains(const struct btree_set *s, const void *key);
/* Remove key, copying the stored key to key_out unless NULL: true if it was
 * present. */
bool btree_set_remove(struct btree_set *s, const void *key, void *key_out);
const void *btree_set_first(const struct btree_set *s);
const void *btree_set_last(const struct btree_set *s);
static inline size_t btree_set_len(const struct btree_set *s)
{
    return s->map.len;
}
/* drop (may be NULL) gets each key, in order (its value argument points at
 * 0 bytes). */
void btree_set_free(struct btree_set *s, btree_drop_fn drop);
size_t btree_set_check(const struct btree_set *s);
void btree_set_iter_init(struct btree_iter *it, const struct btree_set *s);
/* The next key in order, or NULL at the end. */
const void *btree_set_iter_next(struct btree_iter *it);

/* Typed constructors: K and V are the key and value types. */
#define BTREE_NEW(K, V, cmp)  btree_new(sizeof(K), _Alignof(K), sizeof(V), _Alignof(V), (cmp))
#define BTREE_SET_NEW(K, cmp) btree_set_new(sizeof(K), _Alignof(K), (cmp))

#endif
