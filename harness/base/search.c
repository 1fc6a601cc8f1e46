#include "search.h"

long long search_last(long long lo, long long hi, search_pred holds, void *ctx)
{
    while (hi - lo > 1) {
        long long mid = lo + (hi - lo) / 2;
        if (holds(mid, ctx))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

bool search_grow(long long *lo, long long *hi, search_pred holds, void *ctx)
{
    for (*hi = *lo > 0 ? *lo * 2 : 1; holds(*hi, ctx); *hi *= 2) {
        if (*hi >= SEARCH_MAX)
            return false;
        *lo = *hi;
    }
    return true;
}
