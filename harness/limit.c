#include "limit.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "search.h"
#include "xsys.h"

struct model_query {
    const struct model *m;
    uint64_t align;
    enum tls_access access;
};

/* Whether the model places an n-byte block in static TLS, on a copy. */
static bool model_fits(long long n, void *ctx)
{
    const struct model_query *q = ctx;
    struct model copy = *q->m;
    struct tls_block b = {(uint64_t)n, q->align, 0};
    return model_load(&copy, &b, q->access).how == PLACED_STATIC;
}

/* The model's answer, by bisection over copies of the model state. */
static uint64_t model_largest(const struct model *m, uint64_t align, enum tls_access access)
{
    struct model_query q = {m, align, access};
    return (uint64_t)search_last(0, (long long)model_max_block(m, align) + 1, model_fits, &q);
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
static bool fits(long long size, void *ctx)
{
    struct prober *p = ctx;
    uint64_t n = (uint64_t)size;
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
    char why[512];
    struct step_result *last = &r[p->plan.n - 1];
    if (plan_probe_failure(&p->plan, r, &pr, why, sizeof why)) {
        snprintf(p->setup_error, sizeof p->setup_error, "%s", why);
    } else if (fail && fail < p->plan.n) {
        snprintf(p->setup_error, sizeof p->setup_error, "%s did not load: %s",
                 p->plan.steps[fail - 1].name, r[fail - 1].error ? r[fail - 1].error : "");
    } else if (!last->done) { /* it crashed or hung: no answer about the size */
        snprintf(p->setup_error, sizeof p->setup_error, "the %llu-byte block: %s",
                 (unsigned long long)n, last->error ? last->error : load_kind_name(last->kind));
    } else {
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

/* Whether any probe failed to measure (its setup, or itself): then err
   says why and nothing the search found counts. */
static bool setup_failed(struct prober *p, char *err, size_t errlen)
{
    if (!p->setup_error[0])
        return false;
    snprintf(err, errlen, "%s", p->setup_error);
    plan_free(&p->plan);
    free(p->last_error);
    return true;
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
    for (size_t i = 0; q->setup && i < q->setup->n; i++) {
        const struct plan_step *s = &q->setup->steps[i];
        plan_add(&p.plan, s->op, s->name, s->target, s->count)->touches = s->touches;
    }
    plan_add(&p.plan, OP_LOAD, "block", "", 0)->touches = true;
    plan_resolve(&p.plan, q->env->vars, q->env->build->lib_dirs);

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
    long long guess = setup_known ? (long long)out->predicted : 0, lo = 0, hi = guess;
    bool ok_guess = fits(guess, &p);
    bool ok_next = !p.setup_error[0] && ok_guess ? fits(guess + 1, &p) : false;
    if (setup_failed(&p, err, errlen))
        return false;
    out->prediction_hit = setup_known && ok_guess && !ok_next;
    if (ok_guess && !ok_next) { /* proven: guess fits, guess + 1 does not */
        lo = guess;
    } else {
        lo = ok_guess ? guess + 1 : 0; /* too low: grow to a block that does not fit */
        bool grown = !ok_guess || search_grow(&lo, &hi, fits, &p);
        if (setup_failed(&p, err, errlen))
            return false;
        if (!grown)
            die("limit: a %lld-byte block still fits; giving up", hi);
        lo = search_last(lo, hi, fits, &p);
        bool next = fits(lo + 1, &p); /* the proof: lo fits (above), lo+1 does not */
        if (setup_failed(&p, err, errlen)) /* a probe that failed proves nothing */
            return false;
        if (next)
            die("limit: %lld-byte block fits after bisection said it would not", lo + 1);
    }
    out->max_bytes = (uint64_t)lo;
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
