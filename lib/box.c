/* box: one value on the heap. The contract is in kiln/box.h. */
#include "kiln/box.h"

#include "kiln/string.h"

void *box_new(const void *value, struct layout l)
{
    void *p = heap_alloc(l);
    memcpy(p, value, l.size);
    return p;
}

void *try_box_new(const void *value, struct layout l)
{
    void *p = try_heap_alloc(l);
    if (p) memcpy(p, value, l.size);
    return p;
}

void box_free(void *ptr, struct layout l)
{
    if (ptr) heap_dealloc(ptr, l);
}
