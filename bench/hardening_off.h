/* Forced into a design's files (-include) for the "checks off" build of
 * bench/hardening_bench.c only: panic() becomes unreachable, so the compiler
 * deletes every check whose failure path panics, and the instructions left
 * are the design without its checks. Never for a build that runs kiln. */
#define KILN_HARDENING_OFF 1 /* the designs' panic helpers inline (default_heap_impl.h) */
#include "kiln/panic.h"
#undef panic
#define panic(...) __builtin_unreachable()
