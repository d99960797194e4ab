/* Formatted output without libc and without floating point.
 *
 * kvformat walks the format once and hands each piece to a sink: runs of
 * literal text, padding, signs and prefixes, digits. Nothing is buffered,
 * so the stack cost is one small digit buffer whatever the width, and the
 * same core serves kvsnprintf (a sink that fills a buffer) and any console.
 *
 * A conversion is parsed in full before any argument is fetched: an unknown
 * or malformed one is then printed exactly as written and consumes no
 * argument, not even for a '*' it contains. The arguments of a known one are
 * fetched in order, width '*', precision '*', then the value.
 *
 * Numbers follow C99: the precision is the minimum digit count (and a zero
 * with precision 0 prints no digit), '0' pads between sign/prefix and digits
 * and is ignored with '-' or a precision, '+' and ' ' apply to d and i only,
 * '#' gives x/X a 0x/0X prefix when the value is not zero and o a leading 0.
 * %p is x with a 0x prefix always: (void *)0 prints 0x0.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <limits.h>

#include "kiln/fmt.h"
#include "kiln/panic.h"
#include "kiln/string.h"

_Static_assert(sizeof(uintmax_t) <= sizeof(unsigned long long), "%j must fit in long long");
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "%z and %t read the same width");

enum fmt_flag {
    FLAG_LEFT = 1 << 0,  /* '-' */
    FLAG_ZERO = 1 << 1,  /* '0' */
    FLAG_PLUS = 1 << 2,  /* '+' */
    FLAG_SPACE = 1 << 3, /* ' ' */
    FLAG_ALT = 1 << 4,   /* '#' */
};

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

/* One parsed conversion. width and prec hold the digits written in the
 * format (saturated at INT_MAX) until the '*' arguments replace them. */
struct fmt_spec {
    unsigned flags;
    bool width_star, prec_star;
    size_t width; /* minimum field width; 0 when none */
    int prec;     /* -1 when none */
    enum fmt_length length;
    char conv; /* the conversion character, or 0 at the end */
};

/* The sink plus the running count; total == sum of all n passed to sink. */
struct fmt_out {
    fmt_sink sink;
    void *ctx;
    size_t total;
};

#define RUN16(s) s s s s s s s s s s s s s s s s
static const char spaces[] = RUN16("    ");
static const char zeros[] = RUN16("0000");

static void put(struct fmt_out *o, const char *s, size_t n)
{
    if (n == 0) return;
    o->sink(o->ctx, s, n);
    o->total += n;
}

/* Emit n copies of ' ' or '0' in pieces from a constant run. */
static void pad(struct fmt_out *o, char c, size_t n)
{
    const char *run = c == '0' ? zeros : spaces;
    const size_t chunk = sizeof spaces - 1;
    for (; n > chunk; n -= chunk) put(o, run, chunk);
    put(o, run, n);
}

/* Parse decimal digits at *p, saturating at INT_MAX. */
static int parse_count(const char **p)
{
    int v = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        int d = **p - '0';
        v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
    }
    return v;
}

/* Parse the conversion that follows a '%'; p points past the '%'. Returns
 * the address of the conversion character (the NUL when the format ends). */
static const char *parse_spec(const char *p, struct fmt_spec *sp)
{
    *sp = (struct fmt_spec){.prec = -1};
    for (;; p++) {
        if (*p == '-')
            sp->flags |= FLAG_LEFT;
        else if (*p == '0')
            sp->flags |= FLAG_ZERO;
        else if (*p == '+')
            sp->flags |= FLAG_PLUS;
        else if (*p == ' ')
            sp->flags |= FLAG_SPACE;
        else if (*p == '#')
            sp->flags |= FLAG_ALT;
        else
            break;
    }
    if (*p == '*')
        sp->width_star = true, p++;
    else
        sp->width = (size_t)parse_count(&p);
    if (*p == '.') {
        p++;
        if (*p == '*')
            sp->prec_star = true, p++;
        else
            sp->prec = parse_count(&p);
    }
    switch (*p) {
    case 'h':
        sp->length = p[1] == 'h' ? LEN_HH : LEN_H;
        p += sp->length == LEN_HH ? 2 : 1;
        break;
    case 'l':
        sp->length = p[1] == 'l' ? LEN_LL : LEN_L;
        p += sp->length == LEN_LL ? 2 : 1;
        break;
    case 'z':
        sp->length = LEN_Z, p++;
        break;
    case 'j':
        sp->length = LEN_J, p++;
        break;
    case 't':
        sp->length = LEN_T, p++;
        break;
    default:
        break;
    }
    sp->conv = *p;
    return p;
}

/* Whether kiln formats this conversion; spec_len counts from '%' to the
 * conversion character, exclusive. Wide %lc/%ls are not supported. */
static bool spec_known(const struct fmt_spec *sp, size_t spec_len)
{
    switch (sp->conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        return true;
    case 'c':
    case 's':
    case 'p':
        return sp->length == LEN_NONE;
    case '%':
        return spec_len == 1;
    default:
        return false;
    }
}

/* Emit s[0..n) in a field of sp->width, padded with spaces. */
static void put_field(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
    size_t fill = sp->width > n ? sp->width - n : 0;
    if (!(sp->flags & FLAG_LEFT)) pad(o, ' ', fill);
    put(o, s, n);
    if (sp->flags & FLAG_LEFT) pad(o, ' ', fill);
}

/* Emit a number of magnitude mag (negative when neg) for d i u x X o p.
 * Field layout: [spaces] [sign or 0x] [zeros] digits [spaces]. */
static void put_number(struct fmt_out *o, const struct fmt_spec *sp, unsigned long long mag,
                       bool neg)
{
    char digits[24]; /* 64 bits take at most 22 octal digits */
    char *d = digits + sizeof digits;
    const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = 10;
    if (sp->conv == 'o') base = 8;
    if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') base = 16;
    bool zero = mag == 0;
    if (!zero || sp->prec != 0 || sp->conv == 'p') {
        do {
            *--d = set[mag % base];
            mag /= base;
        } while (mag != 0);
    }
    size_t ndigits = (size_t)(digits + sizeof digits - d);

    char prefix[2]; /* a sign (d i only) or 0x/0X (x X p only), never both */
    size_t nprefix = 0;
    bool is_signed = sp->conv == 'd' || sp->conv == 'i';
    if (neg)
        prefix[nprefix++] = '-';
    else if (is_signed && (sp->flags & FLAG_PLUS))
        prefix[nprefix++] = '+';
    else if (is_signed && (sp->flags & FLAG_SPACE))
        prefix[nprefix++] = ' ';
    if (sp->conv == 'p' ||
        ((sp->flags & FLAG_ALT) && !zero && (sp->conv == 'x' || sp->conv == 'X'))) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = sp->conv == 'X' ? 'X' : 'x';
    }

    size_t nzeros = sp->prec > 0 && (size_t)sp->prec > ndigits ? (size_t)sp->prec - ndigits : 0;
    if (sp->conv == 'o' && (sp->flags & FLAG_ALT) && nzeros == 0 && (ndigits == 0 || *d != '0'))
        nzeros = 1;
    size_t body = nprefix + nzeros + ndigits;
    bool zero_pad = (sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) && sp->prec < 0;
    if (zero_pad && sp->width > body) {
        nzeros += sp->width - body;
        body = sp->width;
    }
    size_t fill = sp->width > body ? sp->width - body : 0;

    if (!(sp->flags & FLAG_LEFT)) pad(o, ' ', fill);
    put(o, prefix, nprefix);
    pad(o, '0', nzeros);
    put(o, d, ndigits);
    if (sp->flags & FLAG_LEFT) pad(o, ' ', fill);
}

/* Format fmt with the arguments in ap, passing each piece of output to
 * sink(ctx, piece, n), in order and always with n > 0. Consumes exactly the
 * arguments the known conversions name, from ap itself. Returns the number of
 * bytes passed to the sink, or -1 when that exceeds INT_MAX (the output is
 * still delivered). Panics when sink or fmt is NULL. */
int kvformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
    if (sink == NULL || fmt == NULL) panic("kvformat: NULL %s", sink == NULL ? "sink" : "format");
    struct fmt_out o = {sink, ctx, 0};
    const char *p = fmt;
    while (*p) {
        if (*p != '%') {
            const char *q = p;
            while (*q && *q != '%') q++;
            put(&o, p, (size_t)(q - p));
            p = q;
            continue;
        }
        struct fmt_spec sp;
        const char *conv = parse_spec(p + 1, &sp);
        if (!spec_known(&sp, (size_t)(conv - p))) {
            /* Print it as written, up to and including the bad character. */
            size_t n = (size_t)(conv - p) + (*conv != 0);
            put(&o, p, n);
            p += n;
            continue;
        }
        p = conv + 1;
        if (sp.width_star) {
            int w = va_arg(ap, int);
            if (w < 0) sp.flags |= FLAG_LEFT;
            sp.width = w < 0 ? (size_t)(-(long long)w) : (size_t)w;
        }
        if (sp.prec_star) {
            int pr = va_arg(ap, int);
            sp.prec = pr < 0 ? -1 : pr;
        }

        long long sv;
        unsigned long long uv;
        switch (sp.conv) {
        case '%':
            put(&o, "%", 1);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_field(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL) s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
            put_field(&o, &sp, s, sp.prec < 0 ? strlen(s) : strnlen(s, (size_t)sp.prec));
            break;
        }
        case 'p':
            put_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false);
            break;
        case 'd':
        case 'i':
            switch (sp.length) {
            case LEN_HH:
                sv = (signed char)va_arg(ap, int);
                break;
            case LEN_H:
                sv = (short)va_arg(ap, int);
                break;
            case LEN_L:
                sv = va_arg(ap, long);
                break;
            case LEN_LL:
                sv = va_arg(ap, long long);
                break;
            case LEN_Z:
            case LEN_T:
                sv = va_arg(ap, ptrdiff_t);
                break;
            case LEN_J:
                sv = va_arg(ap, intmax_t);
                break;
            default:
                sv = va_arg(ap, int);
                break;
            }
            /* 0 - (unsigned)sv is the magnitude, also for LLONG_MIN. */
            put_number(&o, &sp, sv < 0 ? 0 - (unsigned long long)sv : (unsigned long long)sv,
                       sv < 0);
            break;
        default: /* u x X o */
            switch (sp.length) {
            case LEN_HH:
                uv = (unsigned char)va_arg(ap, unsigned);
                break;
            case LEN_H:
                uv = (unsigned short)va_arg(ap, unsigned);
                break;
            case LEN_L:
                uv = va_arg(ap, unsigned long);
                break;
            case LEN_LL:
                uv = va_arg(ap, unsigned long long);
                break;
            case LEN_Z:
            case LEN_T:
                uv = va_arg(ap, size_t);
                break;
            case LEN_J:
                uv = va_arg(ap, uintmax_t);
                break;
            default:
                uv = va_arg(ap, unsigned);
                break;
            }
            put_number(&o, &sp, uv, false);
            break;
        }
    }
    return o.total > INT_MAX ? -1 : (int)o.total;
}

/* The kvsnprintf sink: keeps the first room bytes, counts the rest away. */
struct fmt_buf {
    char *buf;
    size_t room; /* size - 1, or 0 when size == 0 */
    size_t len;  /* bytes stored; len <= room */
};

static void buf_put(void *ctx, const char *s, size_t n)
{
    struct fmt_buf *b = ctx;
    size_t k = b->room - b->len < n ? b->room - b->len : n;
    if (k == 0) return; /* also keeps a NULL buf (size == 0) untouched */
    memcpy(b->buf + b->len, s, k);
    b->len += k;
}

/* Format into buf: at most size-1 bytes and a NUL (nothing at all, and buf
 * may be NULL, when size == 0). Returns the length the whole output has,
 * whatever size is, or -1 when it exceeds INT_MAX. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = {buf, size == 0 ? 0 : size - 1, 0};
    int n = kvformat(buf_put, &b, fmt, ap);
    if (size != 0) buf[b.len] = 0;
    return n;
}

/* kvsnprintf with the arguments given inline. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
