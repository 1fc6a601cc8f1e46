#include "limit.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "protocol.h"
#include "search.h"
#include "die.h"
#include "xalloc.h"
#include "xpath.h"
#include "xproc.h"

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
    long static_end;
    unsigned probes;
    char *last_error;
    enum load_kind last_kind;
    char setup_error[512];
};

/* The plan's last step becomes a new block of n bytes. */
static void make_block(struct prober *p, uint64_t n)
{
    struct plan_step *block = &p->plan.steps[p->plan.n - 1];
    free(block->target);
    char *label = xasprintf("%s-%llu-align%llu", tls_access_name(p->q->model),
                            (unsigned long long)n, (unsigned long long)p->q->align);
    block->target = kit_make(p->q->kit, p->q->model, n, p->q->align, label);
    free(label);
}

/* Whether the block fitted in a probe that ran the plan; false also when
   the setup failed (p->setup_error says so).  The block's file goes. */
static bool judge_block(struct prober *p, const struct probe_result *pr)
{
    struct step_result *r = xcalloc(p->plan.n, sizeof *r);
    plan_read_results(&p->plan, pr, p->static_end, r);
    p->probes++;
    bool ok = false;
    size_t fail = first_failure(&p->plan, r);
    char why[512];
    struct step_result *last = &r[p->plan.n - 1];
    if (plan_probe_failure(&p->plan, r, pr, why, sizeof why)) { /* a step that never ran */
        snprintf(p->setup_error, sizeof p->setup_error, "%s", why);
    } else if (fail && fail < p->plan.n) {
        snprintf(p->setup_error, sizeof p->setup_error, "%s did not load: %s",
                 p->plan.steps[fail - 1].name, r[fail - 1].error ? r[fail - 1].error : "");
    } else if (!last->ran) {
        char how[64];
        snprintf(p->setup_error, sizeof p->setup_error, "the probe ended (%s) before the block",
                 probe_end_text(pr, how, sizeof how));
    } else if (!last->done) { /* it crashed or hung: no answer about the size */
        snprintf(p->setup_error, sizeof p->setup_error, "the block: %s",
                 last->error ? last->error : load_kind_name(last->kind));
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
    remove(p->plan.steps[p->plan.n - 1].target);
    step_results_free(r, p->plan.n);
    free(r);
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

/* Whether a block of n bytes fits, in a fresh probe. */
static bool fits(long long size, void *ctx)
{
    struct prober *p = ctx;
    if (size == 0)
        return true; /* a PT_TLS of size 0 is no TLS at all */
    make_block(p, (uint64_t)size);
    struct step_result *r = xcalloc(p->plan.n, sizeof *r);
    struct probe_result pr;
    plan_run(&p->plan, &p->q->env->probe, p->static_end, r, &pr);
    step_results_free(r, p->plan.n);
    free(r);
    bool ok = judge_block(p, &pr);
    probe_result_free(&pr);
    return ok;
}

/* The model's answer: the setup steps through the model, then the largest
   block it places. */
static void predict(struct prober *p, struct limit_result *out)
{
    struct plan setup = {p->plan.steps, p->plan.n - 1};
    struct step_prediction *pred = xcalloc(p->plan.n, sizeof *pred);
    struct model m;
    plan_predict(&setup, &out->budget, pred, &m);
    bool setup_known = out->budget.modelled;
    for (size_t i = 0; i < setup.n; i++)
        setup_known &= pred[i].known && pred[i].kind == KIND_LOADED;
    free(pred);
    out->predicted_known = setup_known;
    if (setup_known)
        out->predicted = model_largest(&m, p->q->align, p->q->model);
}

/* The first probe reports the budget, and the harness answers with the
   steps that load the block the model predicts (1 byte when it predicts
   none fits): budget and first verification in one process. */
struct first_probe {
    struct prober *p;
    struct limit_result *out;
    bool budget_ok;
    char err[1024];
    uint64_t size;
};

static char **answer_first(const struct probe_result *so_far, void *ctx, size_t *n)
{
    struct first_probe *f = ctx;
    struct prober *p = f->p;
    *n = 0;
    f->budget_ok = budget_from_probe(so_far, &p->q->env->probe, PROTO_READY, &f->out->budget,
                                     f->err, sizeof f->err);
    if (!f->budget_ok)
        return NULL;
    p->static_end = budget_static_end(&f->out->budget);
    predict(p, f->out);
    f->size = f->out->predicted_known && f->out->predicted ? f->out->predicted : 1;
    make_block(p, f->size);
    char **args = xcalloc(p->plan.n, sizeof *args);
    for (size_t i = 0; i < p->plan.n; i++)
        args[i] = plan_step_arg(&p->plan.steps[i]);
    *n = p->plan.n;
    return args;
}

/* The first probe's verdict on f->size bytes; false when nothing could be
   measured (err says why). */
static bool first_verdict(struct first_probe *f, bool *fits_first, char *err, size_t errlen)
{
    struct prober *p = f->p;
    struct probe_dialog d = {PROTO_READY, answer_first, f};
    struct probe_result pr;
    probe_run_dialog(&p->q->env->probe, PROTO_MODE_BUDGET_STEPS, NULL, 0, &d, &pr);
    if (!f->budget_ok && !f->err[0]) /* it died before its budget was out */
        f->budget_ok = budget_from_probe(&pr, &p->q->env->probe, PROTO_READY, &f->out->budget,
                                         f->err, sizeof f->err);
    if (!f->budget_ok) {
        snprintf(err, errlen, "%s", f->err);
        probe_result_free(&pr);
        return false;
    }
    *fits_first = judge_block(p, &pr);
    probe_result_free(&pr);
    return true;
}

bool limit_measure(const struct limit_query *q, struct limit_result *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    double start = now_seconds();
    struct prober p = {.q = q};
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

    /* Verify the prediction with two probes (the first also reads the
       budget); bisect if it missed. */
    struct first_probe f = {.p = &p, .out = out};
    bool fits_first = false;
    if (!first_verdict(&f, &fits_first, err, errlen)) {
        plan_free(&p.plan);
        return false;
    }
    long long guess = out->predicted_known ? (long long)out->predicted : 0, lo = 0, hi = guess;
    /* The first probe loaded the guess, or (guess 0, which always fits) 1 byte. */
    bool ok_guess = guess ? fits_first : true;
    bool ok_next = guess ? (!p.setup_error[0] && ok_guess ? fits(guess + 1, &p) : false)
                         : fits_first;
    if (setup_failed(&p, err, errlen))
        return false;
    out->prediction_hit = out->predicted_known && ok_guess && !ok_next;
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
