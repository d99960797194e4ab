/* The one idiom for the printable names of kiln's error enums: a table
 * indexed by the enum, each entry written ENUM_NAME(X) so that the string is
 * the enumerator's own spelling and the order cannot drift:
 *
 *     static const char *const names[] = {ENUM_NAME(MAP_OK), ...};
 *     return enum_name(names, e, "MAP_UNKNOWN_ERROR");
 */
#ifndef KILN_ENUM_NAME_H
#define KILN_ENUM_NAME_H

#define ENUM_NAME(e) [e] = #e

/* table[e], or unknown when e is outside the table or names a hole in it. */
#define enum_name(table, e, unknown)                                                               \
    ((unsigned long)(e) < sizeof(table) / sizeof((table)[0]) && (table)[(e)] ? (table)[(e)]        \
                                                                             : (unknown))

#endif
