/* A census and its verdicts, as text and as JSON. */
#ifndef STATICTLS_RENDER_CENSUS_H
#define STATICTLS_RENDER_CENSUS_H

#include "census.h"
#include "census_verdict.h"

/* What the census found and was asked: its objects with TLS (the first
   nstatic need static TLS), their machine, the verdicts, and the policy and
   headroom asked for. */
struct census_view {
    const struct census *census;
    const struct census_object *const *tls;
    size_t ntls, nstatic;
    const char *machine;
    const struct census_verdict *verdicts;
    size_t nverdicts;
    const char *policy; /* or NULL */
    long min_headroom;
};

void render_census(const struct census_view *v);
void render_census_json(const struct census_view *v);

#endif
