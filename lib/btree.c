/* btree: an ordered map on a B-tree. The contract is in kiln/btree.h.
 *
 * A node is one block: [struct btree_node][keys: CAPACITY][vals: CAPACITY],
 * and an internal node adds [edges: CAPACITY + 1 node pointers], at the
 * offsets btree_new computes. Insertion and removal walk down once recording
 * the path (node and index per level), then fix the tree on that path, so no
 * node needs a parent pointer. Keys and values only move between slots of
 * nodes; no key or value is ever held outside the tree, which is why no
 * scratch buffer of the (runtime) key size is needed.
 */
#include "kiln/btree.h"

#include <stdint.h>

#include "kiln/panic.h"
#include "kiln/string.h"

struct btree_node {
    unsigned short len; /* keys in use */
    bool leaf;          /* no edges; the block has the leaf layout */
};

typedef struct btree_node *edge_t;

static size_t round_up(size_t x, size_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static void check_align(size_t align, const char *what)
{
    if (align == 0 || (align & (align - 1)) != 0)
        panic("btree_new: %s alignment %zu is not a power of two", what, align);
}

struct btree btree_new(size_t key_size, size_t key_align, size_t val_size, size_t val_align,
                       btree_cmp_fn cmp)
{
    if (cmp == NULL) panic("btree_new: NULL comparator");
    if (key_size == 0) panic("btree_new: key size 0");
    check_align(key_align, "key");
    check_align(val_align, "value");
    if (key_size % key_align || val_size % val_align)
        panic("btree_new: a size is not a multiple of its alignment (key %zu/%zu, value %zu/%zu)",
              key_size, key_align, val_size, val_align);
    if (key_size > SIZE_MAX / 64 || val_size > SIZE_MAX / 64 || key_align > SIZE_MAX / 64 ||
        val_align > SIZE_MAX / 64)
        panic("btree_new: key or value too large for a node");
    struct btree t = {.cmp = cmp, .key_size = key_size, .val_size = val_size};
    t.keys_off = round_up(sizeof(struct btree_node), key_align);
    t.vals_off = round_up(t.keys_off + BTREE_CAPACITY * key_size, val_align);
    size_t leaf_size = t.vals_off + BTREE_CAPACITY * val_size;
    t.edges_off = round_up(leaf_size, _Alignof(edge_t));
    size_t align = key_align > val_align ? key_align : val_align;
    if (align < _Alignof(edge_t)) align = _Alignof(edge_t);
    if (layout_new(leaf_size, align, &t.leaf) != LAYOUT_OK ||
        layout_new(t.edges_off + (BTREE_CAPACITY + 1) * sizeof(edge_t), align, &t.internal) !=
            LAYOUT_OK)
        panic("btree_new: node layout overflows");
    return t;
}

static char *key_at(const struct btree *t, const struct btree_node *n, size_t i)
{
    return (char *)n + t->keys_off + i * t->key_size;
}

static char *val_at(const struct btree *t, const struct btree_node *n, size_t i)
{
    return (char *)n + t->vals_off + i * t->val_size;
}

static edge_t *edges(const struct btree *t, const struct btree_node *n)
{
    return (edge_t *)((char *)n + t->edges_off);
}

/* memmove that accepts n == 0 with any pointers (0-byte values, out == NULL). */
static void copy(void *dst, const void *src, size_t n)
{
    if (n) memmove(dst, src, n);
}

/* Move count entries (key and value) from src[si..] to dst[di..]; the
 * ranges may overlap within one node. */
static void kv_move(const struct btree *t, struct btree_node *dst, size_t di,
                    const struct btree_node *src, size_t si, size_t count)
{
    copy(key_at(t, dst, di), key_at(t, src, si), count * t->key_size);
    copy(val_at(t, dst, di), val_at(t, src, si), count * t->val_size);
}

static void edges_move(const struct btree *t, struct btree_node *dst, size_t di,
                       const struct btree_node *src, size_t si, size_t count)
{
    copy(edges(t, dst) + di, edges(t, src) + si, count * sizeof(edge_t));
}

static struct btree_node *node_alloc(const struct btree *t, bool leaf, bool fallible)
{
    struct layout l = leaf ? t->leaf : t->internal;
    struct btree_node *n = fallible ? try_heap_alloc(l) : heap_alloc(l);
    if (n) *n = (struct btree_node){.len = 0, .leaf = leaf};
    return n;
}

static void node_free(const struct btree *t, struct btree_node *n)
{
    heap_dealloc(n, n->leaf ? t->leaf : t->internal);
}

/* Find key in n: true and *i = its index, or false and *i = the edge (and
 * insertion position) where it would be. */
static bool search(const struct btree *t, const struct btree_node *n, const void *key, size_t *i)
{
    size_t k = 0;
    for (; k < n->len; k++) {
        int c = t->cmp(key, key_at(t, n, k));
        if (c == 0) {
            *i = k;
            return true;
        }
        if (c < 0) break;
    }
    *i = k;
    return false;
}

/* The full child at edge pi of parent (which has room) gives its middle key
 * to parent and its upper half to the empty node right, which becomes edge
 * pi + 1. Afterwards both halves hold BTREE_MIN_LEN keys. */
static void split_child(const struct btree *t, struct btree_node *parent, size_t pi,
                        struct btree_node *child, struct btree_node *right)
{
    const size_t mid = BTREE_MIN_LEN, rlen = BTREE_CAPACITY - mid - 1;
    kv_move(t, right, 0, child, mid + 1, rlen);
    if (!child->leaf) edges_move(t, right, 0, child, mid + 1, rlen + 1);
    right->len = rlen;
    kv_move(t, parent, pi + 1, parent, pi, parent->len - pi);
    edges_move(t, parent, pi + 2, parent, pi + 1, parent->len - pi);
    kv_move(t, parent, pi, child, mid, 1);
    edges(t, parent)[pi + 1] = right;
    parent->len++;
    child->len = mid;
}

static enum coll_error insert(struct btree *t, const void *key, const void *val, void *old_val,
                              bool *replaced, bool fallible)
{
    *replaced = false;
    if (t->root == NULL) {
        struct btree_node *n = node_alloc(t, true, fallible);
        if (n == NULL) return COLL_ALLOC_FAILED;
        copy(key_at(t, n, 0), key, t->key_size);
        copy(val_at(t, n, 0), val, t->val_size);
        n->len = 1;
        t->root = n;
        t->height = 0;
        t->len = 1;
        return COLL_OK;
    }
    /* Walk down: path[l] is the node at depth l, idx[l] the edge taken (the
     * insertion position at the leaf). */
    struct btree_node *path[BTREE_MAX_HEIGHT + 1];
    size_t idx[BTREE_MAX_HEIGHT + 1];
    size_t h = t->height;
    struct btree_node *n = t->root;
    for (size_t l = 0;; l++) {
        size_t i;
        if (search(t, n, key, &i)) {
            copy(old_val, val_at(t, n, i), old_val ? t->val_size : 0);
            copy(val_at(t, n, i), val, t->val_size);
            *replaced = true;
            return COLL_OK;
        }
        path[l] = n;
        idx[l] = i;
        if (l == h) break;
        n = edges(t, n)[i];
    }
    /* The full nodes at the bottom of the path split: levels d+1..h. */
    size_t full = 0;
    while (full <= h && path[h - full]->len == BTREE_CAPACITY) full++;
    bool new_root = full == h + 1;
    if (new_root && h + 1 >= BTREE_MAX_HEIGHT) panic("btree_insert: height %zu overflows", h + 1);
    /* Allocate every node first, so that failure changes nothing: pool[0]
     * the leaf (when the leaf splits), then internal nodes. */
    struct btree_node *pool[BTREE_MAX_HEIGHT + 1];
    size_t total = full + new_root;
    for (size_t k = 0; k < total; k++) {
        pool[k] = node_alloc(t, k == 0 && full > 0, fallible);
        if (pool[k] == NULL) {
            while (k-- > 0) node_free(t, pool[k]);
            return COLL_ALLOC_FAILED;
        }
    }
    size_t next = full > 0 ? 1 : 0; /* the next internal node of the pool */
    if (new_root) {
        struct btree_node *root = pool[total - 1];
        edges(t, root)[0] = t->root;
        t->root = root;
        t->height = ++h;
        for (size_t l = h; l > 0; l--) {
            path[l] = path[l - 1];
            idx[l] = idx[l - 1];
        }
        path[0] = root;
        idx[0] = 0;
    }
    /* Split top-down, so each middle key goes into a parent with room. */
    for (size_t l = h + 1 - full; l <= h; l++) {
        struct btree_node *right = l == h ? pool[0] : pool[next++];
        split_child(t, path[l - 1], idx[l - 1], path[l], right);
        if (idx[l] > BTREE_MIN_LEN) { /* the key belongs in the right half */
            path[l] = right;
            idx[l] -= BTREE_MIN_LEN + 1;
        }
    }
    n = path[h];
    size_t i = idx[h];
    kv_move(t, n, i + 1, n, i, n->len - i);
    copy(key_at(t, n, i), key, t->key_size);
    copy(val_at(t, n, i), val, t->val_size);
    n->len++;
    t->len++;
    return COLL_OK;
}

bool btree_insert(struct btree *t, const void *key, const void *val, void *old_val)
{
    bool replaced;
    insert(t, key, val, old_val, &replaced, false);
    return replaced;
}

enum coll_error try_btree_insert(struct btree *t, const void *key, const void *val, void *old_val,
                                 bool *replaced)
{
    bool r;
    enum coll_error e = insert(t, key, val, old_val, &r, true);
    if (replaced) *replaced = r;
    return e;
}

void *btree_get(const struct btree *t, const void *key)
{
    struct btree_node *n = t->root;
    for (size_t l = 0; n; l++) {
        size_t i;
        if (search(t, n, key, &i)) return val_at(t, n, i);
        n = l < t->height ? edges(t, n)[i] : NULL;
    }
    return NULL;
}

bool btree_contains(const struct btree *t, const void *key)
{
    return btree_get(t, key) != NULL;
}

/* The node at edge k of parent has BTREE_MIN_LEN - 1 keys; take one through
 * the parent from its left sibling (edge k - 1), which can spare one. */
static void rotate_right(const struct btree *t, struct btree_node *parent, size_t k)
{
    struct btree_node *left = edges(t, parent)[k - 1], *node = edges(t, parent)[k];
    kv_move(t, node, 1, node, 0, node->len);
    kv_move(t, node, 0, parent, k - 1, 1);
    kv_move(t, parent, k - 1, left, left->len - 1, 1);
    if (!node->leaf) {
        edges_move(t, node, 1, node, 0, node->len + 1);
        edges(t, node)[0] = edges(t, left)[left->len];
    }
    left->len--;
    node->len++;
}

/* As rotate_right, from the right sibling (edge k + 1). */
static void rotate_left(const struct btree *t, struct btree_node *parent, size_t k)
{
    struct btree_node *node = edges(t, parent)[k], *right = edges(t, parent)[k + 1];
    kv_move(t, node, node->len, parent, k, 1);
    kv_move(t, parent, k, right, 0, 1);
    kv_move(t, right, 0, right, 1, right->len - 1);
    if (!node->leaf) {
        edges(t, node)[node->len + 1] = edges(t, right)[0];
        edges_move(t, right, 0, right, 1, right->len);
    }
    right->len--;
    node->len++;
}

/* Merge edge k + 1 of parent and the key between into edge k, and free it.
 * Both children are at their minimum or one below, so the result fits. */
static void merge(const struct btree *t, struct btree_node *parent, size_t k)
{
    struct btree_node *left = edges(t, parent)[k], *right = edges(t, parent)[k + 1];
    kv_move(t, left, left->len, parent, k, 1);
    kv_move(t, left, left->len + 1, right, 0, right->len);
    if (!left->leaf) edges_move(t, left, left->len + 1, right, 0, right->len + 1);
    left->len += 1 + right->len;
    kv_move(t, parent, k, parent, k + 1, parent->len - k - 1);
    edges_move(t, parent, k + 1, parent, k + 2, parent->len - k - 1);
    parent->len--;
    node_free(t, right);
}

bool btree_remove(struct btree *t, const void *key, void *key_out, void *val_out)
{
    if (t->root == NULL) return false;
    struct btree_node *path[BTREE_MAX_HEIGHT + 1];
    size_t idx[BTREE_MAX_HEIGHT + 1];
    size_t h = t->height, l = 0, i;
    struct btree_node *n = t->root;
    for (;; l++) {
        bool found = search(t, n, key, &i);
        path[l] = n;
        idx[l] = i;
        if (found) break;
        if (l == h) return false;
        n = edges(t, n)[i];
    }
    copy(key_out, key_at(t, n, i), key_out ? t->key_size : 0);
    copy(val_out, val_at(t, n, i), val_out ? t->val_size : 0);
    if (l < h) {
        /* Replace the entry by its predecessor, the last of the rightmost
         * leaf under edge i, and remove that one instead. */
        struct btree_node *leaf = edges(t, n)[i];
        for (l++; l < h; l++) {
            path[l] = leaf;
            idx[l] = leaf->len;
            leaf = edges(t, leaf)[leaf->len];
        }
        path[h] = leaf; /* idx[h] is not needed: refilling reads idx[0..h-1] */
        kv_move(t, n, i, leaf, leaf->len - 1, 1);
        leaf->len--;
    } else {
        kv_move(t, n, i, n, i + 1, n->len - i - 1);
        n->len--;
    }
    t->len--;
    /* Refill the nodes that fell below the minimum, bottom-up. */
    for (l = h; l > 0 && path[l]->len < BTREE_MIN_LEN; l--) {
        struct btree_node *parent = path[l - 1];
        size_t k = idx[l - 1];
        if (k > 0 && edges(t, parent)[k - 1]->len > BTREE_MIN_LEN)
            rotate_right(t, parent, k);
        else if (k < parent->len && edges(t, parent)[k + 1]->len > BTREE_MIN_LEN)
            rotate_left(t, parent, k);
        else
            merge(t, parent, k > 0 ? k - 1 : k);
    }
    if (t->root->len == 0) {
        struct btree_node *old = t->root;
        t->root = old->leaf ? NULL : edges(t, old)[0];
        if (!old->leaf) t->height--;
        node_free(t, old);
    }
    return true;
}

static const void *edge_key(const struct btree *t, bool last, void **val)
{
    struct btree_node *n = t->root;
    if (n == NULL) return NULL;
    while (!n->leaf) n = edges(t, n)[last ? n->len : 0];
    size_t i = last ? n->len - 1u : 0;
    if (val) *val = val_at(t, n, i);
    return key_at(t, n, i);
}

const void *btree_first(const struct btree *t, void **val)
{
    return edge_key(t, false, val);
}
const void *btree_last(const struct btree *t, void **val)
{
    return edge_key(t, true, val);
}

static void free_node(struct btree *t, struct btree_node *n, btree_drop_fn drop)
{
    for (size_t i = 0; i <= n->len; i++) {
        if (!n->leaf) free_node(t, edges(t, n)[i], drop);
        if (i < n->len && drop) drop(key_at(t, n, i), val_at(t, n, i));
    }
    node_free(t, n);
}

void btree_free(struct btree *t, btree_drop_fn drop)
{
    if (t->root) free_node(t, t->root, drop);
    t->root = NULL;
    t->len = 0;
    t->height = 0;
}

/* Check the subtree at n (at depth d, keys strictly between lo and hi where
 * those are not NULL); add its keys to *keys and return the broken count. */
static size_t check_node(const struct btree *t, const struct btree_node *n, size_t d,
                         const void *lo, const void *hi, size_t *keys)
{
    size_t broken = 0, len = n->len;
    size_t min = n == t->root ? 1 : BTREE_MIN_LEN;
    if (len < min || len > BTREE_CAPACITY) broken++;
    if (len > BTREE_CAPACITY) len = BTREE_CAPACITY;
    if (n->leaf != (d == t->height)) return broken + 1; /* leaves at unequal depths */
    *keys += len;
    for (size_t i = 0; i < len; i++) {
        const void *k = key_at(t, n, i);
        if (i > 0 && t->cmp(key_at(t, n, i - 1), k) >= 0) broken++;
        if ((lo && t->cmp(lo, k) >= 0) || (hi && t->cmp(k, hi) >= 0)) broken++;
    }
    if (n->leaf) return broken;
    for (size_t i = 0; i <= len; i++) {
        const struct btree_node *c = edges(t, n)[i];
        if (c == NULL) {
            broken++;
            continue;
        }
        broken += check_node(t, c, d + 1, i > 0 ? key_at(t, n, i - 1) : lo,
                             i < len ? key_at(t, n, i) : hi, keys);
    }
    return broken;
}

size_t btree_check(const struct btree *t)
{
    if (t->root == NULL) return (t->len != 0) + (t->height != 0);
    size_t keys = 0;
    size_t broken = t->height >= BTREE_MAX_HEIGHT;
    if (broken) return broken;
    broken += check_node(t, t->root, 0, NULL, NULL, &keys);
    return broken + (keys != t->len);
}

/* Push n and its leftmost descendants, each to be read from key 0. */
static void iter_descend(struct btree_iter *it, struct btree_node *n)
{
    for (;;) {
        it->depth++;
        it->node[it->depth] = n;
        it->idx[it->depth] = 0;
        if (n->leaf) return;
        n = edges(it->t, n)[0];
    }
}

void btree_iter_init(struct btree_iter *it, const struct btree *t)
{
    it->t = t;
    it->depth = -1;
    if (t->root) iter_descend(it, t->root);
}

bool btree_iter_next(struct btree_iter *it, const void **key, void **val)
{
    while (it->depth >= 0) {
        struct btree_node *n = it->node[it->depth];
        size_t i = it->idx[it->depth];
        if (i < n->len) {
            if (key) *key = key_at(it->t, n, i);
            if (val) *val = val_at(it->t, n, i);
            it->idx[it->depth] = (unsigned short)(i + 1);
            if (!n->leaf) iter_descend(it, edges(it->t, n)[i + 1]);
            return true;
        }
        it->depth--;
    }
    return false;
}
