#include "limit.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xsys.h"

/* The model's answer, by bisection over copies of the model state. */
static uint64_t model_largest(const struct model *m, uint64_t align, enum tls_access access)
{
    uint64_t lo = 0, hi = model_max_block(m, align) + 1;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        struct model copy = *m;
        struct tls_block b = {mid, align, 0};
        if (model_load(&copy, &b, access).how == PLACED_STATIC)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

struct prober {
    const struct limit_query *q;
    struct plan plan; /* setup steps, then the block */
    size_t static_size;
    unsigned probes;
    char *last_error;
    enum load_kind last_kind;
    char setup_error[512];
};

/* Whether a block of n bytes fits; false also when the setup failed. */
static bool fits(struct prober *p, uint64_t n)
{
    if (n == 0)
        return true; /* a PT_TLS of size 0 is no TLS at all */
    struct plan_step *block = &p->plan.steps[p->plan.n - 1];
    free(block->target);
    char *label = xasprintf("%s-%llu-align%llu", tls_access_name(p->q->model),
                            (unsigned long long)n, (unsigned long long)p->q->align);
    block->target = kit_make(p->q->kit, p->q->model, n, p->q->align, label);
    free(label);
    struct step_result *r = xcalloc(p->plan.n, sizeof *r);
    struct probe_result pr;
    plan_run(&p->plan, &p->q->env->probe, p->static_size, r, &pr);
    p->probes++;
    bool ok = false;
    size_t fail = first_failure(&p->plan, r);
    if (fail && fail < p->plan.n) {
        snprintf(p->setup_error, sizeof p->setup_error, "%s did not load: %s",
                 p->plan.steps[fail - 1].name, r[fail - 1].error ? r[fail - 1].error : "");
    } else {
        struct step_result *last = &r[p->plan.n - 1];
        ok = last->kind == KIND_LOADED && (p->q->model == TLS_IE || last->in_static);
        if (!ok) {
            free(p->last_error);
            p->last_error = xstrdup(last->kind != KIND_LOADED && last->error
                                        ? last->error
                                        : "loaded, but into dynamic TLS");
            strip_dir_prefix(p->last_error, p->q->kit->dir);
            p->last_kind = last->kind;
        }
    }
    remove(block->target);
    step_results_free(r, p->plan.n);
    free(r);
    probe_result_free(&pr);
    return ok;
}

bool limit_measure(const struct limit_query *q, struct limit_result *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    double start = now_seconds();
    if (!budget_read(&q->env->probe, &out->budget, err, errlen))
        return false;
    struct prober p = {.q = q, .static_size = out->budget.static_size};
    if (q->threads > 0)
        plan_add(&p.plan, OP_THREADS, "threads", NULL, q->threads);
    for (size_t i = 0; i < q->nafter; i++)
        plan_add(&p.plan, OP_LOAD, q->after[i], q->after[i], 0);
    plan_add(&p.plan, OP_LOAD, "block", "", 0);
    plan_resolve(&p.plan, &out->budget, q->env->vars, q->env->build->lib_dirs);

    /* Predict: run the setup steps through the model, then ask it. */
    struct plan setup = {p.plan.steps, p.plan.n - 1};
    struct step_prediction *pred = xcalloc(p.plan.n, sizeof *pred);
    struct model m;
    plan_predict(&setup, &out->budget, pred, &m);
    bool setup_known = out->budget.modelled;
    for (size_t i = 0; i < setup.n; i++)
        setup_known &= pred[i].known && pred[i].kind == KIND_LOADED;
    free(pred);
    out->predicted_known = setup_known;
    if (setup_known)
        out->predicted = model_largest(&m, q->align, q->model);

    /* Verify the prediction with two probes; bisect if it missed. */
    uint64_t guess = setup_known ? out->predicted : 0, lo, hi;
    bool ok_guess = fits(&p, guess);
    bool ok_next = !p.setup_error[0] && ok_guess ? fits(&p, guess + 1) : false;
    if (p.setup_error[0]) {
        snprintf(err, errlen, "%s", p.setup_error);
        plan_free(&p.plan);
        free(p.last_error);
        return false;
    }
    out->prediction_hit = setup_known && ok_guess && !ok_next;
    if (ok_guess && !ok_next) { /* proven: guess fits, guess + 1 does not */
        lo = guess;
    } else {
        if (ok_guess) { /* too low: find a block that does not fit */
            lo = guess + 1;
            hi = lo ? lo * 2 : 1;
            while (fits(&p, hi)) {
                lo = hi;
                if (hi > (1u << 30))
                    die("limit: a %llu-byte block still fits; giving up",
                        (unsigned long long)hi);
                hi *= 2;
            }
        } else {
            lo = 0;
            hi = guess;
        }
        while (hi - lo > 1) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (fits(&p, mid))
                lo = mid;
            else
                hi = mid;
        }
        if (fits(&p, lo + 1)) /* the proof: lo fits (above), lo+1 does not */
            die("limit: %llu-byte block fits after bisection said it would not",
                (unsigned long long)lo + 1);
    }
    out->max_bytes = lo;
    out->error_at_next = p.last_error;
    out->kind_at_next = p.last_kind;
    out->probes = p.probes;
    out->seconds = now_seconds() - start;
    plan_free(&p.plan);
    return true;
}

void limit_result_free(struct limit_result *r)
{
    free(r->error_at_next);
    budget_free(&r->budget);
    memset(r, 0, sizeof *r);
}
