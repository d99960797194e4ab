/* str: a growable byte string. The contract is in kiln/str.h. */
#include "kiln/str.h"

#include <stdbool.h>

#include "kiln/alloc.h"
#include "kiln/fmt.h"
#include "kiln/panic.h"
#include "kiln/string.h"

#define STR_MIN_CAP 8

/* Make cap >= len + additional + 1. On failure s is unchanged. */
static enum coll_error reserve(struct str *s, size_t additional, bool fallible)
{
    if (s->cap > 0 && additional < s->cap - s->len) return COLL_OK;
    if (additional > SIZE_MAX - 1 - s->len || s->len + additional + 1 > (size_t)PTRDIFF_MAX) {
        if (!fallible) panic("str_reserve: len %zu + %zu overflows", s->len, additional);
        return COLL_CAPACITY_OVERFLOW;
    }
    size_t need = s->len + additional + 1;
    size_t cap = s->cap <= PTRDIFF_MAX / 2 ? s->cap * 2 : (size_t)PTRDIFF_MAX;
    if (cap < need) cap = need;
    if (cap < STR_MIN_CAP) cap = STR_MIN_CAP;
    struct layout nl = {cap, 1};
    char *p;
    if (s->buf == NULL)
        p = fallible ? try_heap_alloc(nl) : heap_alloc(nl);
    else
        p = fallible ? try_heap_realloc(s->buf, (struct layout){s->cap, 1}, cap)
                     : heap_realloc(s->buf, (struct layout){s->cap, 1}, cap);
    if (p == NULL) return COLL_ALLOC_FAILED; /* only the fallible forms return NULL */
    if (s->buf == NULL) p[0] = '\0';
    s->buf = p;
    s->cap = cap;
    return COLL_OK;
}

struct str str_with_capacity(size_t cap)
{
    struct str s = str_new();
    if (cap > 0) reserve(&s, cap, false);
    return s;
}

void str_reserve(struct str *s, size_t additional)
{
    reserve(s, additional, false);
}

enum coll_error try_str_reserve(struct str *s, size_t additional)
{
    return reserve(s, additional, true);
}

static enum coll_error append(struct str *s, const void *bytes, size_t n, bool fallible)
{
    if (n == 0) return COLL_OK;
    enum coll_error e = reserve(s, n, fallible);
    if (e != COLL_OK) return e;
    memcpy(s->buf + s->len, bytes, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return COLL_OK;
}

void str_append(struct str *s, const void *bytes, size_t n)
{
    append(s, bytes, n, false);
}

enum coll_error try_str_append(struct str *s, const void *bytes, size_t n)
{
    return append(s, bytes, n, true);
}

void str_push_str(struct str *s, const char *cstr)
{
    append(s, cstr, strlen(cstr), false);
}

enum coll_error try_str_push_str(struct str *s, const char *cstr)
{
    return append(s, cstr, strlen(cstr), true);
}

struct str str_from(const char *cstr)
{
    struct str s = str_new();
    str_push_str(&s, cstr);
    return s;
}

enum coll_error try_str_from(struct str *out, const char *cstr)
{
    *out = str_new();
    return try_str_push_str(out, cstr);
}

static size_t encode_or_panic(uint32_t cp, char out[4])
{
    size_t n = str_utf8_encode(cp, out);
    if (n == 0) panic("str_push_char: U+%04X is not a Unicode scalar value", (unsigned)cp);
    return n;
}

void str_push_char(struct str *s, uint32_t cp)
{
    char b[4];
    size_t n = encode_or_panic(cp, b);
    append(s, b, n, false);
}

enum coll_error try_str_push_char(struct str *s, uint32_t cp)
{
    char b[4];
    size_t n = encode_or_panic(cp, b);
    return append(s, b, n, true);
}

/* The sink of the formatting functions: appends each piece to s until one
 * fails to fit (fallible only), then ignores the rest. */
struct fmt_target {
    struct str *s;
    bool fallible;
    enum coll_error error;
};

static void sink(void *ctx, const char *piece, size_t n)
{
    struct fmt_target *t = ctx;
    if (t->error == COLL_OK) t->error = append(t->s, piece, n, t->fallible);
}

void str_vappendf(struct str *s, const char *fmt, va_list ap)
{
    struct fmt_target t = {s, false, COLL_OK};
    kvformat(sink, &t, fmt, ap);
}

enum coll_error try_str_vappendf(struct str *s, const char *fmt, va_list ap)
{
    size_t old_len = s->len;
    struct fmt_target t = {s, true, COLL_OK};
    kvformat(sink, &t, fmt, ap);
    if (t.error != COLL_OK) str_truncate(s, old_len);
    return t.error;
}

void str_appendf(struct str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    str_vappendf(s, fmt, ap);
    va_end(ap);
}

enum coll_error try_str_appendf(struct str *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum coll_error e = try_str_vappendf(s, fmt, ap);
    va_end(ap);
    return e;
}

struct str kformat(const char *fmt, ...)
{
    struct str s = str_new();
    va_list ap;
    va_start(ap, fmt);
    str_vappendf(&s, fmt, ap);
    va_end(ap);
    return s;
}

enum coll_error try_kformat(struct str *out, const char *fmt, ...)
{
    *out = str_new();
    va_list ap;
    va_start(ap, fmt);
    enum coll_error e = try_str_vappendf(out, fmt, ap);
    va_end(ap);
    if (e != COLL_OK) str_free(out);
    return e;
}

void str_truncate(struct str *s, size_t n)
{
    if (n >= s->len) return;
    s->len = n;
    s->buf[n] = '\0';
}

void str_clear(struct str *s)
{
    str_truncate(s, 0);
}

void str_free(struct str *s)
{
    if (s->buf) heap_dealloc(s->buf, (struct layout){s->cap, 1});
    *s = str_new();
}

size_t str_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF) return 0;
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t str_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (n == 0) return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t len;
    uint32_t c;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if ((u[0] & 0xE0) == 0xC0) {
        len = 2, c = u[0] & 0x1F;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3, c = u[0] & 0x0F;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4, c = u[0] & 0x07;
    } else {
        return 0; /* a continuation byte, or 0xF8.. */
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (u[i] & 0x3F);
    }
    if (c < min_for_len[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

size_t str_utf8_valid_up_to(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        size_t k = str_utf8_decode(s + i, n - i, &cp);
        if (k == 0) break;
        i += k;
    }
    return i;
}
