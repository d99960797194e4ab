#include "kiln/cmdline.h"

#include <stdint.h>

#include "kiln/panic.h"
#include "kiln/string.h"

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t n)
{
    if (!cmdline || !key || !*key) panic("cmdline_get: NULL command line or empty key");
    if (!out && n) panic("cmdline_get: NULL out with size %zu", n);
    size_t klen = strlen(key);
    bool found = false;
    for (const char *p = cmdline; *p;) {
        while (*p == ' ') p++;
        const char *word = p;
        while (*p && *p != ' ') p++;
        size_t wlen = (size_t)(p - word);
        if (wlen < klen || memcmp(word, key, klen) != 0) continue;
        if (wlen > klen && word[klen] != '=') continue;
        found = true;
        const char *value = wlen > klen ? word + klen + 1 : word + wlen;
        size_t vlen = (size_t)(p - value);
        if (n == 0) continue;
        if (vlen > n - 1) vlen = n - 1;
        memcpy(out, value, vlen);
        out[vlen] = 0;
    }
    return found;
}

bool cmdline_size(const char *s, size_t *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
    size_t v = 0;
    const char *d = s;
    for (;; d++) {
        unsigned digit;
        if (*d >= '0' && *d <= '9')
            digit = (unsigned)(*d - '0');
        else if (base == 16 && *d >= 'a' && *d <= 'f')
            digit = (unsigned)(*d - 'a' + 10);
        else if (base == 16 && *d >= 'A' && *d <= 'F')
            digit = (unsigned)(*d - 'A' + 10);
        else
            break;
        if (v > (SIZE_MAX - digit) / base) return false;
        v = v * base + digit;
    }
    if (d == s) return false;
    unsigned shift = 0;
    if (*d == 'K' || *d == 'k')
        shift = 10, d++;
    else if (*d == 'M' || *d == 'm')
        shift = 20, d++;
    else if (*d == 'G' || *d == 'g')
        shift = 30, d++;
    if (*d != 0 || (shift && v > (SIZE_MAX >> shift))) return false;
    *out = v << shift;
    return true;
}
