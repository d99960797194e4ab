/* vec: a growable array of fixed-size elements. The contract is in kiln/vec.h. */
#include "kiln/enum_name.h"
#include "kiln/vec.h"

#include "kiln/alloc.h"
#include "kiln/panic.h"
#include "kiln/string.h"

const char *coll_error_name(enum coll_error e)
{
    static const char *const names[] = {
        ENUM_NAME(COLL_OK),
        ENUM_NAME(COLL_CAPACITY_OVERFLOW),
        ENUM_NAME(COLL_ALLOC_FAILED),
    };
    return enum_name(names, e, "COLL_UNKNOWN_ERROR");
}

struct vec vec_new(size_t elem_size, size_t elem_align)
{
    if (elem_size == 0) panic("vec_new: element size 0 (kiln has no zero-sized elements)");
    if (elem_align == 0 || (elem_align & (elem_align - 1)) != 0)
        panic("vec_new: alignment %zu is not a power of two", elem_align);
    if (elem_size % elem_align != 0)
        panic("vec_new: element size %zu is not a multiple of its alignment %zu", elem_size,
              elem_align);
    return (struct vec){.elem_size = elem_size, .elem_align = elem_align};
}

/* The layout of a buffer of cap elements of v (cap > 0). As Rust's RawVec,
 * a buffer is at most PTRDIFF_MAX bytes, so element distances fit a ptrdiff_t. */
static enum coll_error buffer_layout(const struct vec *v, size_t cap, struct layout *out)
{
    if (cap > PTRDIFF_MAX / v->elem_size ||
        layout_array(v->elem_size, v->elem_align, cap, out) != LAYOUT_OK)
        return COLL_CAPACITY_OVERFLOW;
    return COLL_OK;
}

/* Move v's buffer to one of exactly new_cap elements (new_cap >= len, > 0).
 * On failure v is unchanged; when fallible is false, failure panics. */
static enum coll_error set_capacity(struct vec *v, size_t new_cap, bool fallible)
{
    struct layout nl;
    if (buffer_layout(v, new_cap, &nl) != COLL_OK) {
        if (!fallible)
            panic("vec: capacity %zu of %zu-byte elements overflows", new_cap, v->elem_size);
        return COLL_CAPACITY_OVERFLOW;
    }
    void *p;
    if (v->data == NULL) {
        p = fallible ? try_heap_alloc(nl) : heap_alloc(nl);
    } else {
        struct layout ol = {v->cap * v->elem_size, v->elem_align};
        p = fallible ? try_heap_realloc(v->data, ol, nl.size) : heap_realloc(v->data, ol, nl.size);
    }
    if (p == NULL) return COLL_ALLOC_FAILED; /* only the fallible forms return NULL */
    v->data = p;
    v->cap = new_cap;
    return COLL_OK;
}

struct vec vec_with_capacity(size_t elem_size, size_t elem_align, size_t cap)
{
    struct vec v = vec_new(elem_size, elem_align);
    if (cap > 0) set_capacity(&v, cap, false);
    return v;
}

static enum coll_error reserve(struct vec *v, size_t additional, bool fallible)
{
    if (additional <= v->cap - v->len) return COLL_OK;
    if (additional > SIZE_MAX - v->len) {
        if (!fallible) panic("vec_reserve: len %zu + %zu overflows", v->len, additional);
        return COLL_CAPACITY_OVERFLOW;
    }
    size_t need = v->len + additional;
    size_t cap = v->cap <= SIZE_MAX / 2 ? v->cap * 2 : SIZE_MAX;
    if (cap < need) cap = need;
    if (cap < VEC_MIN_CAP(v->elem_size)) cap = VEC_MIN_CAP(v->elem_size);
    return set_capacity(v, cap, fallible);
}

void vec_reserve(struct vec *v, size_t additional)
{
    reserve(v, additional, false);
}

enum coll_error try_vec_reserve(struct vec *v, size_t additional)
{
    return reserve(v, additional, true);
}

static char *slot(const struct vec *v, size_t i)
{
    return (char *)v->data + i * v->elem_size;
}

void vec_push(struct vec *v, const void *elem)
{
    if (v->len == v->cap) reserve(v, 1, false);
    memcpy(slot(v, v->len), elem, v->elem_size);
    v->len++;
}

enum coll_error try_vec_push(struct vec *v, const void *elem)
{
    if (v->len == v->cap) {
        enum coll_error e = reserve(v, 1, true);
        if (e != COLL_OK) return e;
    }
    memcpy(slot(v, v->len), elem, v->elem_size);
    v->len++;
    return COLL_OK;
}

bool vec_pop(struct vec *v, void *out)
{
    if (v->len == 0) return false;
    v->len--;
    if (out) memcpy(out, slot(v, v->len), v->elem_size);
    return true;
}

static void check_index(const struct vec *v, size_t i, const char *who)
{
    if (i >= v->len) panic("%s: index %zu out of bounds (len %zu)", who, i, v->len);
}

void *vec_get(const struct vec *v, size_t i)
{
    check_index(v, i, "vec_get");
    return slot(v, i);
}

void vec_set(struct vec *v, size_t i, const void *elem)
{
    check_index(v, i, "vec_set");
    memcpy(slot(v, i), elem, v->elem_size);
}

static enum coll_error insert(struct vec *v, size_t i, const void *elem, bool fallible)
{
    if (i > v->len) panic("vec_insert: index %zu out of bounds (len %zu)", i, v->len);
    if (v->len == v->cap) {
        enum coll_error e = reserve(v, 1, fallible);
        if (e != COLL_OK) return e;
    }
    memmove(slot(v, i + 1), slot(v, i), (v->len - i) * v->elem_size);
    memcpy(slot(v, i), elem, v->elem_size);
    v->len++;
    return COLL_OK;
}

void vec_insert(struct vec *v, size_t i, const void *elem)
{
    insert(v, i, elem, false);
}

enum coll_error try_vec_insert(struct vec *v, size_t i, const void *elem)
{
    return insert(v, i, elem, true);
}

void vec_remove(struct vec *v, size_t i, void *out)
{
    check_index(v, i, "vec_remove");
    if (out) memcpy(out, slot(v, i), v->elem_size);
    memmove(slot(v, i), slot(v, i + 1), (v->len - i - 1) * v->elem_size);
    v->len--;
}

void vec_swap_remove(struct vec *v, size_t i, void *out)
{
    check_index(v, i, "vec_swap_remove");
    if (out) memcpy(out, slot(v, i), v->elem_size);
    v->len--;
    if (i != v->len) memcpy(slot(v, i), slot(v, v->len), v->elem_size);
}

void vec_truncate(struct vec *v, size_t n)
{
    if (n < v->len) v->len = n;
}

void vec_clear(struct vec *v)
{
    v->len = 0;
}

void vec_shrink_to_fit(struct vec *v)
{
    if (v->cap == v->len) return;
    if (v->len == 0) {
        vec_free(v);
        return;
    }
    set_capacity(v, v->len, false);
}

void vec_free(struct vec *v)
{
    if (v->data) heap_dealloc(v->data, (struct layout){v->cap * v->elem_size, v->elem_align});
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
}
