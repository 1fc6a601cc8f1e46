/* `load`'s answer as text and as JSON: each library's step, measured beside
   modelled, and the headroom left when asked for. */
#ifndef STATICTLS_RENDER_LOAD_H
#define STATICTLS_RENDER_LOAD_H

#include <stdbool.h>

#include "budget.h"
#include "limit.h"
#include "plan.h"

/* --min-headroom: the threshold, and what was measured against it. */
struct headroom_check {
    long min;              /* -1: not asked for */
    bool measured;
    struct limit_result l; /* the largest IE block after the libraries */
};

/* What one load measured: the plan, each step's result and prediction, the
   budget, and the headroom check. */
struct load_view {
    const struct plan *p;
    const struct step_result *r;
    const struct step_prediction *pr;
    const struct budget *b;
    const struct headroom_check *h;
    bool threads; /* the plan starts with a threads step */
};

void render_load(const struct load_view *v);
void render_load_json(const struct load_view *v, const char *sysroot);

/* The headroom is short of the threshold asked for (fail: the step that
   failed, or 0). */
bool load_short_of_headroom(const struct headroom_check *h, size_t fail);

#endif
