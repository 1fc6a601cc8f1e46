#define _GNU_SOURCE
#include "caserun.h"

#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "fixture.h"
#include "limit.h"
#include "protocol.h"
#include "runenv.h"
#include "envvars.h"
#include "xalloc.h"
#include "xpath.h"
#include "xproc.h"

/* Generated files, one per (object, instance). */
struct made {
    const char *object;
    int instance;
    char *path;
};

struct files {
    struct fixture_kit kit;
    struct made *made;
    size_t n;
    long long free_bytes; /* modelled; -1 before the budget is known */
};

static const char *object_path(struct files *f, const struct case_object *o, int instance)
{
    if (o->kind == OBJ_LIB)
        return o->target;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->made[i].object, o->name) == 0 && f->made[i].instance == instance)
            return f->made[i].path;
    char *path;
    char *label = xasprintf("%s.%d", o->name, instance);
    if (o->kind == OBJ_CRASH || o->kind == OBJ_HANG) {
        path = kit_copy(&f->kit, o->kind == OBJ_CRASH ? "ctor-crash.so" : "ctor-hang.so", label);
    } else {
        long long size = o->size.value + (o->size.relative_to_free ? f->free_bytes : 0);
        path = o->unique ? kit_make_unique(&f->kit, o->access, (uint64_t)size, o->align, label)
                         : kit_make(&f->kit, o->access, (uint64_t)size, o->align, label);
    }
    free(label);
    struct made *m = XAPPEND(&f->made, &f->n);
    *m = (struct made){o->name, instance, path};
    return path;
}

static void set_environment(const struct case_def *c, struct files *f, struct run_env *e)
{
    if (c->tunables)
        run_env_set(e, "GLIBC_TUNABLES", c->tunables);
    for (size_t i = 0; i < c->nenv; i++) {
        char *name = xstrdup(c->env[i]);
        char *eq = strchr(name, '=');
        *eq = '\0';
        run_env_set(e, name, eq + 1);
        free(name);
    }
    char *list = xstrdup("");
    for (size_t i = 0; i < c->npreload; i++) {
        char *next = xasprintf("%s%s%s", list, i ? ":" : "",
                               object_path(f, &c->objects[c->preload[i]], 0));
        free(list);
        list = next;
    }
    if (c->npreload)
        run_env_set(e, "LD_PRELOAD", list);
    free(list);
    list = xstrdup("");
    for (long i = 0; i < c->naudit; i++) {
        char *copy = kit_copy(&f->kit, "auditor.so", "auditor");
        char *next = xasprintf("%s%s%s", list, i ? ":" : "", copy);
        free(copy);
        free(list);
        list = next;
    }
    if (c->naudit)
        run_env_set(e, "LD_AUDIT", list);
    free(list);
}
/* The first object whose size relative to free is no TLS block of 1 byte
   to 1 GiB, now that free is known (a 0-byte initial-exec block makes
   glibc divide by zero); CASE_NONE when every size is possible. */
static size_t impossible_size(const struct case_def *c, long long free_bytes)
{
    for (size_t i = 0; i < c->nobjects; i++) {
        const struct case_object *o = &c->objects[i];
        long long size = o->size.value + free_bytes;
        if (o->kind == OBJ_FIXTURE && o->size.relative_to_free &&
            (size < 1 || size > CASE_MAX_SIZE))
            return i;
    }
    return CASE_NONE;
}

static bool uses_free(const struct case_def *c)
{
    for (size_t i = 0; i < c->nobjects; i++)
        if (c->objects[i].size.relative_to_free)
            return true;
    return false;
}

static void build_plan(const struct case_def *c, struct files *f, struct plan *p)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct case_step *s = &c->steps[i];
        if (s->op == OP_THREADS) {
            plan_add(p, OP_THREADS, "threads", NULL, s->count);
            continue;
        }
        const struct case_object *o = &c->objects[s->object];
        if (s->op == OP_CLOSE) {
            plan_add(p, OP_CLOSE, o->name, NULL, (long)s->closes);
            continue;
        }
        char *name = s->instance ? xasprintf("%s#%d", o->name, s->instance) : xstrdup(o->name);
        struct plan_step *ps = plan_add(p, s->op, name, object_path(f, o, s->instance), 0);
        ps->touches = o->kind == OBJ_FIXTURE;
        free(name);
    }
}

/* Crash and hang fixtures do what no model can say: stop predicting there. */
static void mark_unpredictable(const struct case_def *c, struct plan *p)
{
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct case_object *o = case_step_object(c, i);
        if (o && (o->kind == OBJ_CRASH || o->kind == OBJ_HANG) && c->steps[i].op != OP_CLOSE)
            p->steps[i].resolved = false;
    }
}

static void find_predicted_trip(struct case_result *r)
{
    r->prediction_complete = r->budget.modelled;
    for (size_t i = 0; i < r->plan.n; i++) {
        r->prediction_complete &= r->modelled[i].known;
        if (!r->predicted_trip && r->modelled[i].known && r->modelled[i].kind != KIND_LOADED)
            r->predicted_trip = i + 1;
    }
}

/* expect headroom: the largest IE block that still loads after the steps,
   measured as `limit` does; the verdict compares it with the threshold. */
static void measure_headroom(struct case_result *r, struct files *f, const struct run_env *env)
{
    struct limit_query q = {.env = env, .kit = &f->kit, .model = TLS_IE, .align = 1,
                            .setup = &r->plan};
    struct limit_result l;
    char err[1024];
    if (!limit_measure(&q, &l, err, sizeof err)) {
        r->headroom_error = xstrdup(err);
        return;
    }
    r->headroom = (long long)l.max_bytes;
    limit_result_free(&l);
}

/* The case's preloads, as the model needs them, into a budget read without. */
static void add_preloads(const struct case_def *c, struct files *f, struct budget *b)
{
    struct budget_module *mods = xcalloc(c->npreload, sizeof *mods);
    for (size_t i = 0; i < c->npreload; i++) {
        const struct case_object *o = &c->objects[c->preload[i]];
        const char *path = object_path(f, o, 0);
        struct elf_tls t;
        char why[512];
        if (elf_tls_read(path, &t, why, sizeof why)) {
            mods[i].block = (struct tls_block){t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
            mods[i].access = elf_tls_access(&t);
            elf_tls_free(&t);
        }
        mods[i].path = xstrdup(path);
    }
    budget_add_preloads(b, mods, c->npreload);
    free(mods);
}

/* A budget probe that ld.so refused to start with a static TLS error:
   the measured outcome of the case.  The model then gets the budget of the
   same environment without the preloads, and the preloads as it would
   place them.  False when the probe failed for any other reason. */
static bool read_refused_startup(const struct case_def *c, struct files *f,
                                 const struct run_env *env, struct case_result *r,
                                 const char *err)
{
    enum load_kind kind = classify_dlerror(err);
    bool tls = kind == KIND_STATIC_TLS_EXHAUSTED || kind == KIND_STATIC_TLS_COUNT;
    bool audit = kind == KIND_AUDIT_LIMIT; /* too many audit modules for the namespaces */
    if (!(tls && c->npreload) && !audit)
        return false;
    struct run_env bare;
    run_env_bare(&bare, env);
    for (size_t i = 0; env->vars[i]; i++)
        if (strncmp(env->vars[i], "LD_PRELOAD=", 11) != 0 &&
            (!audit || strncmp(env->vars[i], "LD_AUDIT=", 9) != 0)) {
            char *name = xstrdup(env->vars[i]);
            char *eq = strchr(name, '=');
            *eq = '\0';
            run_env_set(&bare, name, eq + 1);
            free(name);
        }
    char why[1024];
    r->have_budget = budget_read(&bare.probe, &r->budget, why, sizeof why);
    run_env_free(&bare);
    if (!r->have_budget)
        return false;
    if (audit) /* ld.so stopped before any preload mattered */
        budget_set_audit(&r->budget, env_lookup(env->vars, "LD_AUDIT"));
    else
        add_preloads(c, f, &r->budget);
    r->startup_failed = true;
    r->startup_kind = kind;
    r->prediction_complete = r->budget.modelled;
    const char *libs = strstr(err, "error while loading shared libraries: ");
    const char *said = strstr(err, "): "); /* after "the budget probe did not report (...)" */
    r->startup_error = xstrdup(libs   ? libs + strlen("error while loading shared libraries: ")
                               : said ? said + 3
                                      : err);
    r->startup_error[strcspn(r->startup_error, "\n")] = '\0';
    strip_dir_prefix(r->startup_error, f->kit.dir);
    return true;
}

/* A case while its probe waits: the budget has come, the steps not yet. */
struct case_run {
    const struct case_def *c;
    const struct libc_build *b;
    const char *model_as;
    struct case_result *r;
    struct files f;
    struct run_env env;
    bool ready; /* the plan is built and predicted: its steps went out */
};

/* From the budget to the plan and the model's prediction; false, with
   r->end saying why, where the case ends before any step. */
static bool prepare(struct case_run *cr)
{
    const struct case_def *c = cr->c;
    struct case_result *r = cr->r;
    if (c->libc && strcmp(c->libc, r->budget.libc_name) != 0) {
        r->end = CASE_ENDED_OTHER_LIBC;
        return false;
    }
    /* ld.so ignores an audit module it cannot load and still counts it for
       the layout, as the model does: only the probe's check tells. */
    if (!cr->model_as && strcmp(r->budget.libc_name, "glibc") == 0 &&
        r->budget.audit_loaded < r->budget.audit_listed) {
        r->end = CASE_ENDED_AUDIT_UNLOADED;
        return false;
    }
    if (cr->model_as)
        budget_model_release(&r->budget, cr->model_as);
    if (r->budget.modelled)
        cr->f.free_bytes = (long long)model_free(&r->budget.model);
    else if (uses_free(c)) {
        r->end = CASE_ENDED_NO_MODEL;
        return false;
    }
    if (r->budget.startup_failure != KIND_LOADED && !cr->model_as) {
        r->end = CASE_ENDED_STARTUP_STARTED;
        return false;
    }
    r->bad_object = impossible_size(c, cr->f.free_bytes);
    if (r->bad_object != CASE_NONE) {
        r->end = CASE_ENDED_SIZE_IMPOSSIBLE;
        return false;
    }
    build_plan(c, &cr->f, &r->plan);
    plan_resolve(&r->plan, cr->env.vars, cr->b->lib_dirs);
    /* Measured runs only: a library built against a newer glibc than this
       build's is refused by ld.so whatever its TLS, so nothing runs. */
    if (!cr->model_as && strcmp(r->budget.libc_name, "glibc") == 0 &&
        plan_glibc_refusal(&r->plan, r->budget.libc_version, r->error, sizeof r->error)) {
        r->end = CASE_ENDED_GLIBC_TOO_OLD;
        return false;
    }
    mark_unpredictable(c, &r->plan);
    r->modelled = xcalloc(r->plan.n, sizeof *r->modelled);
    plan_predict(&r->plan, &r->budget, r->modelled, NULL);
    find_predicted_trip(r);
    return true;
}

/* The probe reported its budget: the steps made for it go back. */
static char **answer_steps(const struct probe_result *so_far, void *ctx, size_t *n)
{
    struct case_run *cr = ctx;
    *n = 0;
    cr->r->have_budget = budget_from_probe(so_far, &cr->env.probe, PROTO_READY, &cr->r->budget,
                                           cr->r->error, sizeof cr->r->error);
    if (!cr->r->have_budget || !prepare(cr))
        return NULL;
    cr->ready = true;
    char **args = xcalloc(cr->r->plan.n + 1, sizeof *args);
    for (size_t i = 0; i < cr->r->plan.n; i++)
        args[i] = plan_step_arg(&cr->r->plan.steps[i]);
    *n = cr->r->plan.n;
    return args;
}

/* A probe that stopped before its budget was out: why. */
static void read_no_budget(struct case_run *cr, const struct probe_result *pr)
{
    struct case_result *r = cr->r;
    r->have_budget = budget_from_probe(pr, &cr->env.probe, PROTO_READY, &r->budget, r->error,
                                       sizeof r->error);
    if (r->have_budget) /* a budget then no steps: prepare said why */
        r->end = CASE_ENDED_NO_STEPS;
    else if (read_refused_startup(cr->c, &cr->f, &cr->env, r, r->error))
        r->end = CASE_ENDED_STARTUP_REFUSED;
    else if (strstr(r->error, "cannot allocate TLS data structures for initial thread"))
        r->end = CASE_ENDED_TLS_UNMAPPABLE; /* more static TLS than a probe may map */
    else
        r->end = CASE_ENDED_NO_BUDGET;
}

/* Budget and steps in one probe: the probe reports its budget, the harness
   answers with the steps (fixtures sized from the free bytes it modelled). */
static void measure(struct case_run *cr)
{
    struct case_result *r = cr->r;
    struct probe_dialog d = {PROTO_READY, answer_steps, cr};
    struct probe_result pr;
    probe_run_dialog(&cr->env.probe, PROTO_MODE_BUDGET_STEPS, NULL, 0, &d, &pr);
    if (!cr->ready && !r->have_budget)
        read_no_budget(cr, &pr);
    if (cr->ready) {
        r->end = CASE_ENDED_STEPS;
        r->measured = xcalloc(r->plan.n, sizeof *r->measured);
        plan_read_results(&r->plan, &pr, budget_static_end(&r->budget), r->measured);
        for (size_t i = 0; i < r->plan.n; i++) {
            strip_dir_prefix(r->measured[i].error, cr->f.kit.dir);
            strip_dir_prefix(r->measured[i].path, cr->f.kit.dir);
        }
        r->trip = first_failure(&r->plan, r->measured);
        r->probe_end = pr.end;
        r->probe_code = pr.code;
        char why[1024];
        if (plan_probe_failure(&r->plan, r->measured, &pr, why, sizeof why))
            r->probe_failure = xstrdup(why);
        if (case_headroom_due(cr->c, r))
            measure_headroom(r, &cr->f, &cr->env);
        r->probe_output = pr.output;
        pr.output = NULL;
    }
    probe_result_free(&pr);
}

/* Another release's model on this machine's startup: a budget probe only. */
static void model_only(struct case_run *cr)
{
    struct case_result *r = cr->r;
    r->modelled_for = xstrdup(cr->model_as);
    r->have_budget = budget_read(&cr->env.probe, &r->budget, r->error, sizeof r->error);
    if (!r->have_budget)
        r->end = CASE_ENDED_NO_BUDGET;
    else if (prepare(cr))
        r->end = CASE_ENDED_STEPS;
}

/* What was recorded, judged: the only place a verdict is stored. */
static void store_verdict(const struct case_def *c, struct case_result *r)
{
    struct case_verdict v = case_judge(c, r);
    r->verdict = v.verdict;
    memcpy(r->reason, v.reason, sizeof r->reason);
    r->missing_library = v.missing_library;
    r->missing_line = v.missing_line;
}

static void run_case(const struct case_def *c, const struct libc_build *b,
                     const struct settings *s, const char *model_as, struct case_result *r)
{
    memset(r, 0, sizeof *r);
    r->def = c;
    r->headroom = -1;
    r->libc_tree = b->tree ? xstrdup(b->tree) : NULL;
    r->search_path = b->tree && b->search_path ? xstrdup(b->search_path) : NULL;
    double start = now_seconds();
    struct case_run cr = {.c = c, .b = b, .model_as = model_as, .r = r,
                          .f = {.free_bytes = -1}};
    kit_open(&cr.f.kit, b->dir, s);
    run_env_empty(&cr.env, b, s, (double)c->timeout);
    cr.env.probe.limits = c->limits;
    set_environment(c, &cr.f, &cr.env);
    if (model_as)
        model_only(&cr);
    else
        measure(&cr);
    store_verdict(c, r);
    for (size_t i = 0; i < cr.f.n; i++)
        free(cr.f.made[i].path);
    free(cr.f.made);
    kit_close(&cr.f.kit);
    run_env_free(&cr.env);
    r->seconds = now_seconds() - start;
}

void case_run(const struct case_def *c, const struct libc_build *b, const struct settings *s,
              struct case_result *r)
{
    run_case(c, b, s, NULL, r);
}

void case_model_as(const struct case_def *c, const struct libc_build *b,
                   const struct settings *s, const char *version, struct case_result *r)
{
    run_case(c, b, s, version, r);
}

void case_result_free(struct case_result *r)
{
    if (r->measured)
        step_results_free(r->measured, r->plan.n);
    free(r->measured);
    free(r->modelled);
    plan_free(&r->plan);
    if (r->have_budget)
        budget_free(&r->budget);
    free(r->probe_output);
    free(r->probe_failure);
    free(r->startup_error);
    free(r->headroom_error);
    free(r->modelled_for);
    free(r->libc_tree);
    free(r->search_path);
    memset(r, 0, sizeof *r);
}
