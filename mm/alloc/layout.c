/* Layouts: the checked {size, align} pair every allocation takes.
 *
 * Valid means: align is a power of two (so align != 0) and
 * size + (align - 1) <= SIZE_MAX, so rounding the size up to the alignment,
 * or padding a block start to it, can never wrap.
 */
#include "kiln/alloc.h"
#include "kiln/enum_name.h"

/* The printable name of e; "LAYOUT_?" for a value outside the enum. */
const char *layout_error_name(enum layout_error e)
{
    static const char *const names[] = {
        ENUM_NAME(LAYOUT_OK),
        ENUM_NAME(LAYOUT_ALIGN_ZERO),
        ENUM_NAME(LAYOUT_ALIGN_NOT_POWER_OF_TWO),
        ENUM_NAME(LAYOUT_SIZE_OVERFLOW),
    };
    return enum_name(names, e, "LAYOUT_?");
}

/* Fill *out with {size, align} when valid; *out is untouched on an error. */
enum layout_error layout_new(size_t size, size_t align, struct layout *out)
{
    struct layout l = {size, align};
    enum layout_error e = layout_check(l);
    if (e == LAYOUT_OK) *out = l;
    return e;
}

/* {n * elem_size, align} when the product does not overflow and the result is
 * valid; LAYOUT_SIZE_OVERFLOW for an overflowing product. The alignment is
 * checked first, so a bad align is reported as such even when n is huge. */
enum layout_error layout_array(size_t elem_size, size_t align, size_t n, struct layout *out)
{
    enum layout_error e = layout_check((struct layout){0, align});
    if (e != LAYOUT_OK) return e;
    if (elem_size != 0 && n > SIZE_MAX / elem_size) return LAYOUT_SIZE_OVERFLOW;
    return layout_new(n * elem_size, align, out);
}
