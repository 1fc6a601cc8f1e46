/* A census and its verdicts, as text and as JSON. */
#ifndef STATICTLS_RENDER_CENSUS_H
#define STATICTLS_RENDER_CENSUS_H

#include "census.h"
#include "census_verdict.h"

/* What the census found and was asked: its objects with TLS (the first
   nstatic need static TLS), the groups of them each process would load
   with their verdicts, what those add up to, and the policy and headroom
   asked for. */
struct census_view {
    const struct census *census;
    const struct census_object *const *tls;
    size_t ntls, nstatic;
    const struct census_group *groups;
    size_t ngroups;
    enum census_outcome outcome;
    const char *policy; /* or NULL */
    long min_headroom;
};

/* Text: every name from a file or an archive printed with control bytes
   escaped (visible.h), so that a member name cannot move the cursor or
   recolour the terminal. */
void render_census(const struct census_view *v);
void render_census_json(const struct census_view *v);

#endif
