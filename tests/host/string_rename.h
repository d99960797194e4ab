/* Included first when lib/string.c is built for its host test: kiln's string
 * functions get other names, so they never replace the C library's. */
#define memcpy  kiln_memcpy
#define memmove kiln_memmove
#define memset  kiln_memset
#define memcmp  kiln_memcmp
#define strlen  kiln_strlen
#define strnlen kiln_strnlen
#define strcmp  kiln_strcmp
#define strncmp kiln_strncmp
#define strchr  kiln_strchr
#define strstr  kiln_strstr
