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

/* A new library file with a block of n bytes; the path is the caller's. */
static char *block_file(struct prober *p, uint64_t n)
{
    char *label = xasprintf("%s-%llu-align%llu", tls_access_name(p->q->model),
                            (unsigned long long)n, (unsigned long long)p->q->align);
    char *path = kit_make(p->q->kit, p->q->model, n, p->q->align, label);
    free(label);
    return path;
}

/* The plan's last step loads the file at path (a copy). */
static void use_block(struct prober *p, const char *path)
{
    struct plan_step *block = &p->plan.steps[p->plan.n - 1];
    free(block->target);
    block->target = xstrdup(path);
}

/* The plan's last step becomes a new block of n bytes. */
static void make_block(struct prober *p, uint64_t n)
{
    char *path = block_file(p, n);
    use_block(p, path);
    free(path);
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
    if (!p->q->kit->keep) /* STATICTLS_KEEP: the blocks stay for a look */
        remove(p->plan.steps[p->plan.n - 1].target);
    step_results_free(r, p->plan.n);
    free(r);
    return ok;
}

/* Whether any probe failed to measure (its setup, or itself): then err
   says why, nothing the search found counts, and nothing is left to free. */
static bool setup_failed(struct prober *p, struct limit_result *out, char *err, size_t errlen)
{
    if (!p->setup_error[0])
        return false;
    snprintf(err, errlen, "%s", p->setup_error);
    plan_free(&p->plan);
    free(p->last_error);
    budget_free(&out->budget);
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

/* The plan's steps as the probe takes them, n of them. */
static char **plan_args(const struct prober *p, size_t *n)
{
    char **args = xcalloc(p->plan.n, sizeof *args);
    for (size_t i = 0; i < p->plan.n; i++)
        args[i] = plan_step_arg(&p->plan.steps[i]);
    *n = p->plan.n;
    return args;
}

/* Whether two probes reported the same budget: the same records, in the
   same order, up to PROTO_READY. */
static bool same_budget(const struct probe_result *a, const struct probe_result *b)
{
    for (size_t i = 0; i < a->nrecords && i < b->nrecords; i++) {
        const struct record *x = &a->records[i], *y = &b->records[i];
        if (strcmp(x->kind, y->kind) != 0 || x->nfields != y->nfields)
            return false;
        for (size_t k = 0; k < x->nfields; k++)
            if (strcmp(x->keys[k], y->keys[k]) != 0 || strcmp(x->values[k], y->values[k]) != 0)
                return false;
        if (strcmp(x->kind, PROTO_READY) == 0)
            return true;
    }
    return false;
}

/* Two probes start together and report their budgets.  The first to be
   ready is answered with the steps that load the block the model predicts
   from its budget (1 byte when it predicts none fits): budget and first
   verification in one process.  The other, where its budget is the same,
   loads one byte more; where no block fits by the model, one probe proves
   it, and this one is told no steps and does not count. */
struct pair {
    struct prober *p;
    struct limit_result *out;
    bool budget_ok;
    char err[1024];
    uint64_t size;                       /* the first block's */
    const struct probe_result *loads[2]; /* the probes loading size, size + 1 */
    char *blocks[2];                     /* their blocks' files */
};

static char **answer_pair(const struct probe_result *so_far, void *ctx, size_t *n)
{
    struct pair *v = ctx;
    struct prober *p = v->p;
    *n = 0;
    if (!v->loads[0] && !v->err[0]) { /* the first to be ready */
        v->budget_ok = budget_from_probe(so_far, &p->q->env->probe, PROTO_READY,
                                         &v->out->budget, v->err, sizeof v->err);
        if (!v->budget_ok)
            return NULL;
        p->static_end = budget_static_end(&v->out->budget);
        predict(p, v->out);
        v->size = v->out->predicted_known && v->out->predicted ? v->out->predicted : 1;
        v->loads[0] = so_far;
        v->blocks[0] = block_file(p, v->size);
        use_block(p, v->blocks[0]);
        return plan_args(p, n);
    }
    if (!v->budget_ok || !(v->out->predicted_known && v->out->predicted))
        return NULL;
    if (!same_budget(v->loads[0], so_far)) {
        v->out->budgets_differ = true; /* then the next size runs after, as a bisection does */
        return NULL;
    }
    v->loads[1] = so_far;
    v->blocks[1] = block_file(p, v->size + 1);
    use_block(p, v->blocks[1]);
    return plan_args(p, n);
}

/* The verdicts of the two probes: whether v->size fits and, where the
   second probe loaded it (*have_next), whether v->size + 1 does.  False
   when nothing could be measured (err says why). */
static bool pair_verdicts(struct pair *v, bool *fits_first, bool *have_next, bool *fits_next,
                          char *err, size_t errlen)
{
    struct prober *p = v->p;
    struct probe_dialog d[2] = {{PROTO_READY, answer_pair, v}, {PROTO_READY, answer_pair, v}};
    struct probe_result pr[2];
    probe_run_dialogs(&p->q->env->probe, PROTO_MODE_BUDGET_STEPS, NULL, 0, d, pr, 2);
    if (!v->budget_ok && !v->err[0]) /* both died before their budget was out */
        v->budget_ok = budget_from_probe(&pr[0], &p->q->env->probe, PROTO_READY,
                                         &v->out->budget, v->err, sizeof v->err);
    bool ok = v->budget_ok;
    if (!ok)
        snprintf(err, errlen, "%s", v->err);
    /* In this order, as one after the other: where the first failed to
       measure (its setup), its failure is the one told. */
    for (int i = 0; ok && i < 2 && v->loads[i]; i++) {
        use_block(p, v->blocks[i]);
        if (!p->setup_error[0])
            *(i == 0 ? fits_first : fits_next) = judge_block(p, v->loads[i]);
        else if (!p->q->kit->keep) /* STATICTLS_KEEP: the blocks stay for a look */
            remove(v->blocks[i]);
    }
    *have_next = ok && v->loads[1];
    probe_result_free(&pr[0]);
    probe_result_free(&pr[1]);
    free(v->blocks[0]);
    free(v->blocks[1]);
    return ok;
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

    /* Verify the prediction with two probes at once (both read the budget,
       the first's is used); bisect if it missed. */
    struct pair v = {.p = &p, .out = out};
    bool fits_first = false, have_next = false, fits_next = false;
    if (!pair_verdicts(&v, &fits_first, &have_next, &fits_next, err, errlen)) {
        plan_free(&p.plan);
        return false;
    }
    long long guess = out->predicted_known ? (long long)out->predicted : 0, lo = 0, hi = guess;
    /* The first probe loaded the guess, or (guess 0, which always fits) 1 byte;
       the second guess + 1, or else it runs now where it is needed. */
    bool ok_guess = guess ? fits_first : true;
    bool ok_next = !guess                          ? fits_first
                   : have_next                     ? fits_next
                   : !p.setup_error[0] && ok_guess ? fits(guess + 1, &p)
                                                   : false;
    if (setup_failed(&p, out, err, errlen))
        return false;
    out->prediction_hit = out->predicted_known && ok_guess && !ok_next;
    if (ok_guess && !ok_next) { /* proven: guess fits, guess + 1 does not */
        lo = guess;
    } else {
        lo = ok_guess ? guess + 1 : 0; /* too low: grow to a block that does not fit */
        bool grown = !ok_guess || search_grow(&lo, &hi, fits, &p);
        if (setup_failed(&p, out, err, errlen))
            return false;
        if (!grown)
            die("limit: a %lld-byte block still fits; giving up", hi);
        lo = search_last(lo, hi, fits, &p);
        bool next = fits(lo + 1, &p); /* the proof: lo fits (above), lo+1 does not */
        if (setup_failed(&p, out, err, errlen)) /* a probe that failed proves nothing */
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
