#include "kiln/cmdline.h"

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
