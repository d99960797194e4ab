/* str: a growable byte string, UTF-8 by convention (Rust's String and
 * format!), lib/str.c.
 *
 * As every kiln collection (see kiln/vec.h), memory comes from the global
 * allocator; the plain operations panic through alloc_error when it fails,
 * the try_ forms return a coll_error and leave the string as it was.
 *
 * Text. kiln writes strings as UTF-8: str_push_char encodes a Unicode scalar
 * value and panics on anything else (a surrogate, or above U+10FFFF), which
 * Rust's char type rules out. Bytes appended with str_append, str_push_str or
 * a format are taken as they are, because C strings come from anywhere; use
 * str_utf8_valid_up_to to check them. A string may hold a NUL byte; the C
 * view then ends at it, while str_len counts every byte.
 *
 * Invariants of struct str:
 *   cap == 0  <=>  buf == NULL  (the empty, unallocated string);
 *   cap > 0   =>   len < cap and buf[len] == '\0' (always NUL-terminated);
 *   buf is a block of layout {cap, 1}.
 * Growth doubles the capacity (at least 8 bytes), so it may move buf.
 */
#ifndef KILN_STR_H
#define KILN_STR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kiln/vec.h" /* enum coll_error */

struct str {
    char *buf;
    size_t len; /* bytes, not counting the terminating NUL */
    size_t cap; /* bytes of buf, counting the terminating NUL */
};

/* The empty string; it does not allocate. */
static inline struct str str_new(void)
{
    return (struct str){0};
}

/* An empty string with room for cap bytes (and the NUL) without growing. */
struct str str_with_capacity(size_t cap);

/* A copy of the C string cstr. */
struct str str_from(const char *cstr);
/* As str_from into *out; on failure *out is the empty string. */
enum coll_error try_str_from(struct str *out, const char *cstr);

/* Room for at least additional more bytes: cap >= len + additional + 1. */
void str_reserve(struct str *s, size_t additional);
enum coll_error try_str_reserve(struct str *s, size_t additional);

/* Append the n bytes at bytes (which may hold NULs). */
void str_append(struct str *s, const void *bytes, size_t n);
enum coll_error try_str_append(struct str *s, const void *bytes, size_t n);

/* Append the C string cstr (without its NUL). */
void str_push_str(struct str *s, const char *cstr);
enum coll_error try_str_push_str(struct str *s, const char *cstr);

/* Append the code point cp encoded as UTF-8 (1 to 4 bytes). Panics
 * "str_push_char: U+D800 is not a Unicode scalar value" for a surrogate or a
 * value above U+10FFFF, in both forms. */
void str_push_char(struct str *s, uint32_t cp);
enum coll_error try_str_push_char(struct str *s, uint32_t cp);

/* Append formatted text (kiln/fmt.h conversions; Rust's write!). The try_
 * forms leave s as it was when any piece fails to fit. */
void str_appendf(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_vappendf(struct str *s, const char *fmt, va_list ap);
enum coll_error try_str_appendf(struct str *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum coll_error try_str_vappendf(struct str *s, const char *fmt, va_list ap);

/* A new string holding the formatted text (Rust's format!). */
struct str kformat(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As kformat into *out; on failure nothing stays allocated and *out is the
 * empty string. */
enum coll_error try_kformat(struct str *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The contents as a NUL-terminated C string: "" for the unallocated string.
 * Valid until s next changes. */
static inline const char *str_as_cstr(const struct str *s)
{
    return s->buf ? s->buf : "";
}

static inline size_t str_len(const struct str *s)
{
    return s->len;
}
static inline size_t str_capacity(const struct str *s)
{
    return s->cap;
}

/* Keep the first n bytes (nothing happens when n >= len); cap is kept. */
void str_truncate(struct str *s, size_t n);

/* len = 0; cap is kept. */
void str_clear(struct str *s);

/* Free the buffer; s becomes the empty string, ready for reuse. */
void str_free(struct str *s);

/* UTF-8 helpers. str_utf8_encode writes cp's encoding to out and returns its
 * length (1..4), or 0 when cp is not a scalar value. str_utf8_decode reads one
 * code point from the n bytes at s into *cp and returns its length, or 0 when
 * they do not start with a well-formed sequence (truncated, overlong, a
 * surrogate, above U+10FFFF, a stray continuation byte, n == 0).
 * str_utf8_valid_up_to returns the length of the longest well-formed prefix
 * (== n when all n bytes are valid UTF-8), as Rust's Utf8Error. */
size_t str_utf8_encode(uint32_t cp, char out[4]);
size_t str_utf8_decode(const char *s, size_t n, uint32_t *cp);
size_t str_utf8_valid_up_to(const char *s, size_t n);

#endif
