#define _GNU_SOURCE
#include "caserun.h"

#include <stdarg.h>
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

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = {"PASS", "FAIL", "SKIP", "ERROR"};
    return names[v];
}

char *case_name(const char *path)
{
    const char *base = strrchr(path, '/');
    char *name = xstrdup(base ? base + 1 : path);
    char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".case") == 0)
        *dot = '\0';
    return name;
}

static void set_verdict(struct case_result *r, enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_verdict(struct case_result *r, enum verdict v, const char *fmt, ...)
{
    r->verdict = v;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

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
        path = kit_make(&f->kit, o->access, (uint64_t)size, o->align, label);
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

/* The object step i names, or NULL (threads). */
static const struct case_object *step_object(const struct case_def *c, size_t i)
{
    size_t k = c->steps[i].object;
    return k == CASE_NONE ? NULL : &c->objects[k];
}

/* Sizes relative to free, now that it is known: a TLS block of 1 byte to
   1 GiB (a 0-byte initial-exec block makes glibc divide by zero). */
static bool sizes_possible(const struct case_def *c, long long free_bytes, struct case_result *r)
{
    for (size_t i = 0; i < c->nobjects; i++) {
        const struct case_object *o = &c->objects[i];
        long long size = o->size.value + free_bytes;
        if (o->kind != OBJ_FIXTURE || !o->size.relative_to_free ||
            (size >= 1 && size <= CASE_MAX_SIZE))
            continue;
        set_verdict(r, VERDICT_ERROR, "%s:%d: fixture %s: free%+lld is %lld bytes here (free is "
                    "%lld, modelled); a block has 1 to %lld bytes", c->path, o->line, o->name,
                    o->size.value, size, free_bytes, (long long)CASE_MAX_SIZE);
        return false;
    }
    return true;
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
        const struct case_object *o = step_object(c, i);
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

static void judge_modelled(struct case_result *r, const char *version)
{
    find_predicted_trip(r);
    if (!r->prediction_complete)
        set_verdict(r, VERDICT_SKIP, "glibc %s: the model cannot predict every step", version);
    else if (r->predicted_trip)
        set_verdict(r, VERDICT_PASS, "modelled for glibc %s: step %zu fails with %s", version,
                    r->predicted_trip, load_kind_name(r->modelled[r->predicted_trip - 1].kind));
    else
        set_verdict(r, VERDICT_PASS, "modelled for glibc %s: every step loads", version);
}

/* A real library this machine does not have cannot be measured here.  A
   glibc tree searches only its own directories: a library by soname that
   it lacks (libgomp is gcc's, not glibc's) is a skip, since the host's
   copy would need the host's glibc. */
static bool skip_missing_library(const struct case_def *c, const struct libc_build *b,
                                 struct case_result *r)
{
    for (size_t i = 0; i < r->plan.n; i++) {
        const struct case_object *o = step_object(c, i);
        bool expected = c->expect == EXPECT_TRIP && (size_t)c->expect_step == i + 1 &&
                        c->expect_kind == KIND_NOT_FOUND;
        if (o && o->kind == OBJ_LIB && r->measured[i].kind == KIND_NOT_FOUND && !expected &&
            b->tree && !strchr(o->target, '/')) {
            set_verdict(r, VERDICT_SKIP, "library %s (%s) is not in the glibc tree %s (searched: "
                        "%s); the host's would need the host's glibc", o->name, o->target,
                        b->tree, b->search_path);
            return true;
        }
        if (o && o->kind == OBJ_LIB && r->measured[i].kind == KIND_NOT_FOUND && !expected) {
            set_verdict(r, VERDICT_SKIP, "library %s (%s) is not on this machine", o->name,
                        o->target);
            r->missing_library = true;
            r->missing_line = o->line;
            return true;
        }
    }
    return false;
}

/* Every step measured as modelled, and the probe ended where a step says
   why; otherwise the verdict is FAIL. */
static bool fail_unexplained(struct case_result *r, const struct probe_result *pr)
{
    for (size_t i = 0; i < r->plan.n; i++) {
        char why[256];
        if (!step_agrees(&r->measured[i], &r->modelled[i], why, sizeof why)) {
            set_verdict(r, VERDICT_FAIL, "step %zu disagrees with the model: %s", i + 1, why);
            return true;
        }
    }
    if (pr->end == PROBE_EXITED && pr->code == 0)
        return false;
    /* The probe died in the last step that began, which says how. */
    size_t last = r->plan.n;
    while (last > 0 && !r->measured[last - 1].ran)
        last--;
    bool explained = last && (r->measured[last - 1].kind == KIND_CRASHED ||
                              r->measured[last - 1].kind == KIND_TIMEOUT);
    char how[64];
    if (!explained)
        set_verdict(r, VERDICT_FAIL, "the probe ended by %s outside any step",
                    probe_end_text(pr, how, sizeof how));
    return !explained;
}

/* Whom the expectation is written for when it is not this libc: another
   architecture's layout (`arch`), other releases (`libc glibc>=2.22`).
   There the case still holds every step to the model.  False when it is
   for this one. */
static bool expectation_elsewhere(const struct case_def *c, const struct case_result *r,
                                  char *whom, size_t len)
{
    if (c->arch && strcmp(c->arch, r->budget.machine) != 0) {
        snprintf(whom, len, "%s", c->arch);
        return true;
    }
    if (!case_libc_release_holds(c, r->budget.libc_version)) {
        snprintf(whom, len, "%s%s%s", c->libc, c->libc_op, c->libc_version);
        return true;
    }
    return false;
}

/* The case's expectation against what was measured. */
static void judge_expectation(const struct case_def *c, struct case_result *r)
{
    const struct step_result *t = r->trip ? &r->measured[r->trip - 1] : NULL;
    char whom[64];
    bool other = expectation_elsewhere(c, r, whom, sizeof whom);
    enum expect_kind expect = other ? EXPECT_MODEL : c->expect;
    switch (expect) {
    case EXPECT_LOADS:
    case EXPECT_HEADROOM: /* the headroom is judged after it is measured */
        if (t)
            set_verdict(r, VERDICT_FAIL, "expected every step to load; step %zu: %s", r->trip,
                        t->error ? t->error : load_kind_name(t->kind));
        else
            set_verdict(r, VERDICT_PASS, "every step loaded, as expected");
        return;
    case EXPECT_TRIP:
        if (r->trip != (size_t)c->expect_step || !t || t->kind != c->expect_kind)
            set_verdict(r, VERDICT_FAIL, "expected step %d to fail with %s; %s%s",
                        c->expect_step, load_kind_name(c->expect_kind),
                        t ? "step failed: " : "every step loaded",
                        t ? (t->error ? t->error : load_kind_name(t->kind)) : "");
        else if (c->expect_message && (!t->error || !strstr(t->error, c->expect_message)))
            set_verdict(r, VERDICT_FAIL, "step %zu failed, but the message lacks \"%s\": %s",
                        r->trip, c->expect_message, t->error ? t->error : "");
        else
            set_verdict(r, VERDICT_PASS, "step %zu failed with %s, as expected", r->trip,
                        load_kind_name(t->kind));
        return;
    case EXPECT_MODEL:
        if (!r->prediction_complete)
            set_verdict(r, VERDICT_FAIL, "expected the model's outcome, but the model cannot "
                                         "predict every step here");
        else if (r->trip)
            set_verdict(r, VERDICT_PASS, "step %zu failed with %s, as the model predicts%s%s%s",
                        r->trip, load_kind_name(t->kind), other ? " (the expectation is for " : "",
                        other ? whom : "", other ? ")" : "");
        else
            set_verdict(r, VERDICT_PASS, "every step loaded, as the model predicts%s%s%s",
                        other ? " (the expectation is for " : "", other ? whom : "",
                        other ? ")" : "");
        return;
    }
}

/* A step where glibc's own bug leaves the rest undefined cannot be judged. */
static bool skip_undefined(struct case_result *r)
{
    for (size_t i = 0; i < r->plan.n; i++)
        if (r->modelled[i].undefined && r->measured[i].ran) {
            set_verdict(r, VERDICT_SKIP, "step %zu: %s: undefined from here", i + 1,
                        r->modelled[i].undefined);
            return true;
        }
    return false;
}

static void judge(const struct case_def *c, const struct libc_build *b, struct case_result *r,
                  const struct probe_result *pr)
{
    r->trip = first_failure(&r->plan, r->measured);
    find_predicted_trip(r);
    if (!skip_missing_library(c, b, r) && !skip_undefined(r) && !fail_unexplained(r, pr))
        judge_expectation(c, r);
}

/* expect headroom: once every step loaded, the largest IE block that still
   loads after them, measured as `limit` does, against the threshold. */
static void judge_headroom(const struct case_def *c, struct case_result *r, struct files *f,
                           const struct run_env *env)
{
    char whom[64];
    if (c->expect != EXPECT_HEADROOM || r->verdict != VERDICT_PASS ||
        expectation_elsewhere(c, r, whom, sizeof whom))
        return;
    struct limit_query q = {.env = env, .kit = &f->kit, .model = TLS_IE, .align = 1,
                            .setup = &r->plan};
    struct limit_result l;
    char err[1024];
    if (!limit_measure(&q, &l, err, sizeof err)) {
        set_verdict(r, VERDICT_FAIL, "the headroom after the steps could not be measured: %s",
                    err);
        return;
    }
    r->headroom = (long long)l.max_bytes;
    if (r->headroom >= c->expect_headroom)
        set_verdict(r, VERDICT_PASS, "headroom %lld bytes after the steps (measured: %lld "
                                     "loads, %lld fails), at least %ld as expected",
                    r->headroom, r->headroom, r->headroom + 1, c->expect_headroom);
    else
        set_verdict(r, VERDICT_FAIL, "headroom %lld bytes after the steps (measured: %lld "
                                     "loads, %lld fails), expected at least %ld",
                    r->headroom, r->headroom, r->headroom + 1, c->expect_headroom);
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
    run_env_empty(&bare, env->build, env->probe.timeout_s);
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
    const char *libs = strstr(err, "error while loading shared libraries: ");
    const char *said = strstr(err, "): "); /* after "the budget probe did not report (...)" */
    r->startup_error = xstrdup(libs   ? libs + strlen("error while loading shared libraries: ")
                               : said ? said + 3
                                      : err);
    r->startup_error[strcspn(r->startup_error, "\n")] = '\0';
    strip_dir_prefix(r->startup_error, f->kit.dir);
    return true;
}

/* A process that did not start, against the model and the expectation. */
static void judge_startup(const struct case_def *c, struct case_result *r)
{
    enum load_kind modelled = r->budget.startup_failure;
    r->prediction_complete = r->budget.modelled;
    if (!r->budget.modelled || modelled != r->startup_kind) {
        set_verdict(r, VERDICT_FAIL, "ld.so refused to start the process (%s), but the model %s",
                    r->startup_error, r->budget.modelled ? "says it starts"
                                                         : "cannot say (no model)");
        return;
    }
    if (c->expect == EXPECT_MODEL || (c->expect == EXPECT_TRIP && c->expect_step == 0 &&
                                      c->expect_kind == r->startup_kind))
        set_verdict(r, VERDICT_PASS, "ld.so refused to start the process with %s, as %s",
                    load_kind_name(r->startup_kind),
                    c->expect == EXPECT_MODEL ? "the model predicts" : "expected");
    else
        set_verdict(r, VERDICT_FAIL, "ld.so refused to start the process: %s", r->startup_error);
}

/* A case while its probe waits: the budget has come, the steps not yet. */
struct case_run {
    const struct case_def *c;
    const struct libc_build *b;
    const char *model_as;
    struct case_result *r;
    struct files f;
    struct run_env env;
    char err[1024];
    bool ready; /* the plan is built and predicted: its steps went out */
};

/* From the budget to the plan and the model's prediction; false, with the
   verdict set, where the case ends before any step. */
static bool prepare(struct case_run *cr)
{
    const struct case_def *c = cr->c;
    struct case_result *r = cr->r;
    if (c->libc && strcmp(c->libc, r->budget.libc_name) != 0) {
        set_verdict(r, VERDICT_SKIP, "the case is about %s; this is %s", c->libc,
                    r->budget.libc_name);
        return false;
    }
    /* ld.so ignores an audit module it cannot load and still counts it for
       the layout, as the model does: only the probe's check tells. */
    if (!cr->model_as && strcmp(r->budget.libc_name, "glibc") == 0 &&
        r->budget.audit_loaded < r->budget.audit_listed) {
        set_verdict(r, VERDICT_FAIL, "LD_AUDIT: ld.so loaded %zu of the case's %zu audit modules "
                    "(%s): nothing measured here would be about an audit module",
                    r->budget.audit_loaded, r->budget.audit_listed, r->budget.ld_audit);
        return false;
    }
    if (cr->model_as)
        budget_model_release(&r->budget, cr->model_as);
    if (r->budget.modelled)
        cr->f.free_bytes = (long long)model_free(&r->budget.model);
    else if (uses_free(c)) {
        set_verdict(r, VERDICT_SKIP, "sizes use free, and there is no model here: %s",
                    r->budget.why_not_modelled);
        return false;
    }
    if (r->budget.startup_failure != KIND_LOADED && !cr->model_as) {
        set_verdict(r, VERDICT_FAIL, "the process started, but the model says ld.so refuses "
                    "%s at startup (%s)", r->budget.startup_failure_at,
                    load_kind_name(r->budget.startup_failure));
        return false;
    }
    if (!sizes_possible(c, cr->f.free_bytes, r))
        return false;
    build_plan(c, &cr->f, &r->plan);
    plan_resolve(&r->plan, cr->env.vars, cr->b->lib_dirs);
    mark_unpredictable(c, &r->plan);
    r->modelled = xcalloc(r->plan.n, sizeof *r->modelled);
    plan_predict(&r->plan, &r->budget, r->modelled, NULL);
    return true;
}

/* The probe reported its budget: the steps made for it go back. */
static char **answer_steps(const struct probe_result *so_far, void *ctx, size_t *n)
{
    struct case_run *cr = ctx;
    *n = 0;
    cr->r->have_budget = budget_from_probe(so_far, &cr->env.probe, PROTO_READY, &cr->r->budget,
                                           cr->err, sizeof cr->err);
    if (!cr->r->have_budget || !prepare(cr))
        return NULL;
    cr->ready = true;
    char **args = xcalloc(cr->r->plan.n + 1, sizeof *args);
    for (size_t i = 0; i < cr->r->plan.n; i++)
        args[i] = plan_step_arg(&cr->r->plan.steps[i]);
    *n = cr->r->plan.n;
    return args;
}

/* Budget and steps in one probe: the probe reports its budget, the harness
   answers with the steps (fixtures sized from the free bytes it modelled). */
static void measure(struct case_run *cr)
{
    struct case_result *r = cr->r;
    struct probe_dialog d = {PROTO_READY, answer_steps, cr};
    struct probe_result pr;
    probe_run_dialog(&cr->env.probe, PROTO_MODE_BUDGET_STEPS, NULL, 0, &d, &pr);
    if (!cr->ready && !r->have_budget) { /* it stopped before its budget was out */
        r->have_budget = budget_from_probe(&pr, &cr->env.probe, PROTO_READY, &r->budget,
                                           cr->err, sizeof cr->err);
        if (r->have_budget) /* a budget then no steps: prepare said why */
            set_verdict(r, VERDICT_FAIL, "the probe took no steps");
        else if (read_refused_startup(cr->c, &cr->f, &cr->env, r, cr->err))
            judge_startup(cr->c, r);
        else if (strstr(cr->err, "cannot allocate TLS data structures for initial thread"))
            /* The case asked for more static TLS than a probe may map. */
            set_verdict(r, VERDICT_ERROR, "%s: the probe cannot map its static TLS area within "
                        "its memory limit (%llu bytes; `limits memory=SIZE` raises it)",
                        cr->c->path, cr->env.probe.limits.memory ? cr->env.probe.limits.memory
                                                                 : PROBE_DEFAULT_MEMORY);
        else
            set_verdict(r, VERDICT_FAIL, "%s", cr->err);
    }
    if (cr->ready) {
        r->measured = xcalloc(r->plan.n, sizeof *r->measured);
        plan_read_results(&r->plan, &pr, budget_static_end(&r->budget), r->measured);
        for (size_t i = 0; i < r->plan.n; i++) {
            strip_dir_prefix(r->measured[i].error, cr->f.kit.dir);
            strip_dir_prefix(r->measured[i].path, cr->f.kit.dir);
        }
        judge(cr->c, cr->b, r, &pr);
        judge_headroom(cr->c, r, &cr->f, &cr->env);
        r->probe_output = pr.output;
        pr.output = NULL;
    }
    probe_result_free(&pr);
}

/* Another release's model on this machine's startup: a budget probe only. */
static void model_only(struct case_run *cr)
{
    struct case_result *r = cr->r;
    r->have_budget = budget_read(&cr->env.probe, &r->budget, cr->err, sizeof cr->err);
    if (!r->have_budget)
        set_verdict(r, VERDICT_FAIL, "%s", cr->err);
    else if (prepare(cr))
        judge_modelled(r, cr->model_as);
}

static void run_case(const struct case_def *c, const struct libc_build *b, const char *model_as,
                     struct case_result *r)
{
    memset(r, 0, sizeof *r);
    r->def = c;
    r->headroom = -1;
    double start = now_seconds();
    struct case_run cr = {.c = c, .b = b, .model_as = model_as, .r = r,
                          .f = {.free_bytes = -1}};
    kit_open(&cr.f.kit, b->dir);
    run_env_empty(&cr.env, b, (double)c->timeout);
    cr.env.probe.limits = c->limits;
    set_environment(c, &cr.f, &cr.env);
    if (model_as)
        model_only(&cr);
    else
        measure(&cr);
    for (size_t i = 0; i < cr.f.n; i++)
        free(cr.f.made[i].path);
    free(cr.f.made);
    kit_close(&cr.f.kit);
    run_env_free(&cr.env);
    r->seconds = now_seconds() - start;
}

void case_run(const struct case_def *c, const struct libc_build *b, struct case_result *r)
{
    run_case(c, b, NULL, r);
}

void case_model_as(const struct case_def *c, const struct libc_build *b, const char *version,
                   struct case_result *r)
{
    run_case(c, b, version, r);
}

void case_signature(const struct case_result *r, char *buf, size_t len)
{
    if (r->startup_failed || (r->have_budget && r->budget.startup_failure != KIND_LOADED)) {
        snprintf(buf, len, "startup");
        return;
    }
    for (size_t i = 0; r->measured && i < r->plan.n; i++) {
        const struct step_result *m = &r->measured[i];
        const struct step_prediction *p = &r->modelled[i];
        char why[256];
        if (step_agrees(m, p, why, sizeof why))
            continue;
        const char *op = plan_op_name(r->plan.steps[i].op);
        if (m->kind != p->kind)
            snprintf(buf, len, "%s-%s-vs-%s", op, load_kind_name(m->kind), load_kind_name(p->kind));
        else if (strncmp(why, "module id", 9) == 0)
            snprintf(buf, len, "%s-modid", op);
        else
            snprintf(buf, len, "%s-tp-offset", op);
        return;
    }
    snprintf(buf, len, !r->have_budget          ? "no-budget"
                       : !r->prediction_complete ? "unpredicted"
                                                 : "probe-end");
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
    free(r->startup_error);
    memset(r, 0, sizeof *r);
}

void case_result_print(FILE *out, const struct case_result *r, bool verbose)
{
    const struct case_def *c = r->def;
    char *name = case_name(c->path);
    fprintf(out, "case %s: %s\n", name, c->title ? c->title : "");
    free(name);
    if (r->have_budget) {
        fprintf(out, "  libc %s %s on %s", r->budget.libc_name, r->budget.libc_version,
                r->budget.machine);
        if (c->tunables)
            fprintf(out, ", GLIBC_TUNABLES=%s", c->tunables);
        if (c->npreload)
            fprintf(out, ", %zu preloaded", c->npreload);
        if (c->naudit)
            fprintf(out, ", %ld audit module(s)", c->naudit);
        if (r->budget.modelled)
            fprintf(out, "; free at start %zu (modelled)", model_free(&r->budget.model));
        fputc('\n', out);
    }
    if (r->startup_failed)
        fprintf(out, "  startup  measured: ld.so refused: %s | modelled: %s\n", r->startup_error,
                r->budget.startup_failure != KIND_LOADED ? load_kind_name(r->budget.startup_failure)
                                                         : "starts");
    if (r->plan.n && r->modelled)
        plan_print(out, &r->plan, r->measured, r->modelled);
    if (r->verdict == VERDICT_FAIL && r->have_budget && r->budget.modelled) {
        fprintf(out, "  model: surplus %s\n", r->budget.surplus_formula);
        model_explain(&r->budget.model, out);
    }
    if ((verbose || r->verdict == VERDICT_FAIL) && r->probe_output && r->probe_output[0]) {
        fprintf(out, "  probe output:\n");
        for (const char *s = r->probe_output; *s;) {
            size_t len = strcspn(s, "\n");
            fprintf(out, "  # %.*s\n", (int)len, s);
            s += len + (s[len] == '\n');
        }
    }
    fprintf(out, "%s %s\n", verdict_name(r->verdict), r->reason);
}

void case_result_json(struct json *j, const struct case_result *r)
{
    const struct case_def *c = r->def;
    char *name = case_name(c->path);
    json_object(j);
    json_kv_string(j, "case", name);
    json_kv_string(j, "title", c->title);
    json_kv_string(j, "verdict", verdict_name(r->verdict));
    json_kv_string(j, "reason", r->reason);
    json_kv_string(j, "glibc_tunables", c->tunables);
    json_kv_int(j, "preloaded", (long long)c->npreload);
    json_kv_int(j, "audit_modules", c->naudit);
    json_key(j, "free_at_start_modelled");
    if (r->have_budget && r->budget.modelled)
        json_int(j, (long long)model_free(&r->budget.model));
    else
        json_null(j);
    json_kv_int(j, "trip_step_measured", (long long)r->trip);
    if (c->expect == EXPECT_HEADROOM) {
        json_kv_int(j, "headroom_expected", c->expect_headroom);
        json_key(j, "headroom_measured");
        if (r->headroom >= 0)
            json_int(j, r->headroom);
        else
            json_null(j);
    }
    if (r->startup_failed) { /* step 0: ld.so refused to start the process */
        json_kv_string(j, "startup_failure_measured", load_kind_name(r->startup_kind));
        json_kv_string(j, "startup_error", r->startup_error);
        json_kv_string(j, "startup_failure_modelled", load_kind_name(r->budget.startup_failure));
    }
    json_key(j, "trip_step_modelled");
    if (r->prediction_complete)
        json_int(j, (long long)r->predicted_trip);
    else
        json_null(j);
    json_key(j, "steps");
    json_array(j);
    for (size_t i = 0; i < r->plan.n && r->measured; i++) {
        const struct plan_step *s = &r->plan.steps[i];
        const struct step_result *m = &r->measured[i];
        const struct step_prediction *p = &r->modelled[i];
        json_object(j);
        json_kv_int(j, "step", s->number);
        json_kv_string(j, "op", plan_op_name(s->op));
        json_kv_string(j, "object", s->name);
        json_key(j, "measured");
        json_object(j);
        json_kv_string(j, "outcome", m->ran ? load_kind_name(m->kind) : "not-run");
        json_kv_string(j, "error", m->error);
        if (m->modid)
            json_kv_int(j, "modid", m->modid);
        if (m->has_tpoff && m->in_static)
            json_kv_int(j, "tp_offset", m->tpoff);
        else if (m->has_tpoff) /* a malloc address: different every run */
            json_kv_string(j, "placement", "dynamic");
        json_end(j);
        json_key(j, "modelled");
        if (p->known) {
            json_object(j);
            json_kv_string(j, "outcome", load_kind_name(p->kind));
            if (p->has_tpoff)
                json_kv_int(j, "tp_offset", p->tpoff);
            if (p->modid > 0 && p->kind == KIND_LOADED)
                json_kv_int(j, "modid", p->modid);
            json_kv_int(j, "free_after", (long long)p->free_after);
            json_end(j);
        } else {
            json_null(j);
        }
        json_end(j);
    }
    json_end(j);
    json_end(j);
    free(name);
}
