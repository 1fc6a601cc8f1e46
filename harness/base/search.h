/* The searches every command runs over a monotone predicate ("a block of
   n bytes fits", "the command succeeds with n bytes of headroom"): one
   doubling and one bisection, one cap. */
#ifndef STATICTLS_SEARCH_H
#define STATICTLS_SEARCH_H

#include <stdbool.h>

/* No static TLS block, free area or headroom is ever this large. */
#define SEARCH_MAX (1LL << 30)

typedef bool (*search_pred)(long long n, void *ctx);

/* The largest n in [lo, hi) for which holds(n), given that holds(lo) is
   true (or lo is below the range) and holds(hi) is false. */
long long search_last(long long lo, long long hi, search_pred holds, void *ctx);

/* From *lo, where holds(*lo) is true, doubles to the first *hi where it is
   false, *lo the last size where it held; false when it still holds at
   SEARCH_MAX. */
bool search_grow(long long *lo, long long *hi, search_pred holds, void *ctx);

#endif
