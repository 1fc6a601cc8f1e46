/* The least free static TLS a real command needs: predicted by the model
   from what the command loaded, verified with two squeezed runs (H works,
   H-1 fails), found by bisection when the prediction misses.  Shared by
   `headroom` and `doctor`. */
#ifndef STATICTLS_HEADROOM_H
#define STATICTLS_HEADROOM_H

#include <stdbool.h>
#include <stddef.h>

#include "budget.h"
#include "squeezerun.h"

/* The least headroom in which the model places every block in load order:
   a squeezed area is used up to `headroom` bytes before its aligned end;
   -1 if none up to their total size. */
long headroom_predict(const struct budget *b, const struct tls_block *blocks, size_t n);

/* The prediction from the objects a run loaded (ELF files read, the
   static-TLS ones in load order) on the host's budget; -1 without a model.
   nblocks: how many static-TLS objects there were. */
long headroom_predict_loaded(char **loaded, size_t nloaded, const struct settings *s,
                             size_t *nblocks);

struct headroom_result {
    long needed;             /* measured: needed works, needed - 1 fails */
    bool prediction_hit;     /* the prediction was verified by two runs */
    struct squeeze_run below; /* the run at needed - 1 */
};

/* Measures the needed headroom: the prediction verified, else bisection
   below free_bytes (the free bytes of an unsqueezed run). */
void headroom_measure(struct squeezer *s, long predicted, long free_bytes,
                      struct headroom_result *out);

#endif
