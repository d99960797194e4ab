#include "kiln/ksyms.h"

#include "kiln/fmt.h"

struct ksym_where ksym_lookup(const struct ksym_table *t, uint64_t addr)
{
    struct ksym_where w = {0};
    if (!t) return w;
    /* The last function starting at or below addr. */
    size_t lo = 0, hi = t->func_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->funcs[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const struct ksym_func *f = &t->funcs[lo - 1];
        if (addr - f->addr < f->size) {
            w.function = t->names + f->name;
            w.offset = addr - f->addr;
        }
    }
    if (!w.function || t->line_count == 0 || addr < t->line_base) return w;
    uint64_t off = addr - t->line_base;
    if (off > UINT32_MAX) return w;
    lo = 0, hi = t->line_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->lines[mid].addr <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return w;
    const struct ksym_line *l = &t->lines[lo - 1];
    if (l->file >= t->file_count || l->line == 0) return w;
    w.file = t->names + t->files[l->file];
    w.line = l->line;
    return w;
}

int ksym_format(const struct ksym_table *t, uint64_t addr, char *buf, size_t size)
{
    struct ksym_where w = ksym_lookup(t, addr);
    if (!w.function) return ksnprintf(buf, size, "0x%llx", (unsigned long long)addr);
    if (!w.file) return ksnprintf(buf, size, "%s+0x%llx", w.function, (unsigned long long)w.offset);
    return ksnprintf(buf, size, "%s+0x%llx (%s:%u)", w.function, (unsigned long long)w.offset,
                     w.file, w.line);
}
