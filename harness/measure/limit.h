/* The largest TLS block a fresh process accepts, byte-exact: predicted by
   the model, proven by two probes that run at once (N fits, N+1 does not),
   found by bisection when the prediction misses. */
#ifndef STATICTLS_LIMIT_H
#define STATICTLS_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "classify.h"
#include "fixture.h"
#include "plan.h"
#include "runenv.h"

struct limit_query {
    const struct run_env *env;
    struct fixture_kit *kit;
    enum tls_access model; /* IE: the largest that loads; otherwise the
                              largest that lands in static TLS */
    uint64_t align;
    char **after; /* libraries loaded first, in order */
    size_t nafter;
    long threads;
    /* Or these steps first (a case's), in place of threads and after: the
       block then measures the headroom the steps leave. */
    const struct plan *setup;
};

struct limit_result {
    uint64_t max_bytes;
    char *error_at_next; /* dlerror of the N+1 probe, or why it did not fit */
    enum load_kind kind_at_next;
    bool predicted_known;
    uint64_t predicted;
    bool prediction_hit; /* the two verifying probes agreed with the model */
    unsigned probes;     /* processes that loaded a block: the first also read
                            the budget */
    /* The two probes started together read different budgets: the second
       was told no steps, and the next size ran after the first. */
    bool budgets_differ;
    double seconds;
    struct budget budget;
};

/* False with the reason in err when nothing could be measured: the budget
   probe failed, or a library of --after did not load itself; out then holds
   nothing to free. */
bool limit_measure(const struct limit_query *q, struct limit_result *out, char *err,
                   size_t errlen);
void limit_result_free(struct limit_result *r);

#endif
