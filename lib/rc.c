/* rc: a reference-counted value. The contract is in kiln/rc.h; the block
 * layout in kiln/counted.h. */
#include "kiln/rc.h"

#include <stdint.h>

#include "kiln/counted.h"
#include "kiln/panic.h"

#define RC_MAGIC 0x726320616c697665ull /* "rc alive" */

void *rc_new(const void *value, struct layout l, rc_drop_fn drop)
{
    return counted_new(value, l, drop, RC_MAGIC, false, "rc_new");
}

void *try_rc_new(const void *value, struct layout l, rc_drop_fn drop)
{
    return counted_new(value, l, drop, RC_MAGIC, true, "try_rc_new");
}

static struct counted_header *header(const void *value, const char *who)
{
    struct counted_header *h = counted_header(value, RC_MAGIC, "rc", who);
    if (h->strong == 0) panic("%s: %p is not a live rc value", who, value);
    return h;
}

void *rc_clone(void *value)
{
    struct counted_header *h = header(value, "rc_clone");
    if (h->strong == SIZE_MAX) panic("rc_clone: reference count overflow at %p", value);
    h->strong++;
    return value;
}

size_t rc_strong_count(const void *value)
{
    return header(value, "rc_strong_count")->strong;
}

bool rc_drop(void *value)
{
    struct counted_header *h = header(value, "rc_drop");
    if (--h->strong > 0) return false;
    counted_free(value);
    return true;
}
