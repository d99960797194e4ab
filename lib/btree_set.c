/* btree_set: an ordered set, a B-tree map with 0-byte values. The contract
 * is in kiln/btree.h. */
#include "kiln/btree.h"

struct btree_set btree_set_new(size_t key_size, size_t key_align, btree_cmp_fn cmp)
{
    return (struct btree_set){btree_new(key_size, key_align, 0, 1, cmp)};
}

bool btree_set_insert(struct btree_set *s, const void *key)
{
    return !btree_insert(&s->map, key, NULL, NULL);
}

enum coll_error try_btree_set_insert(struct btree_set *s, const void *key, bool *added)
{
    bool replaced = false;
    enum coll_error e = try_btree_insert(&s->map, key, NULL, NULL, &replaced);
    if (added) *added = e == COLL_OK && !replaced;
    return e;
}

bool btree_set_contains(const struct btree_set *s, const void *key)
{
    return btree_contains(&s->map, key);
}

bool btree_set_remove(struct btree_set *s, const void *key, void *key_out)
{
    return btree_remove(&s->map, key, key_out, NULL);
}

const void *btree_set_first(const struct btree_set *s)
{
    return btree_first(&s->map, NULL);
}
const void *btree_set_last(const struct btree_set *s)
{
    return btree_last(&s->map, NULL);
}

void btree_set_free(struct btree_set *s, btree_drop_fn drop)
{
    btree_free(&s->map, drop);
}

size_t btree_set_check(const struct btree_set *s)
{
    return btree_check(&s->map);
}

void btree_set_iter_init(struct btree_iter *it, const struct btree_set *s)
{
    btree_iter_init(it, &s->map);
}

const void *btree_set_iter_next(struct btree_iter *it)
{
    const void *key;
    return btree_iter_next(it, &key, NULL) ? key : NULL;
}
