#include "casejudge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "caserun.h"

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = {"PASS", "FAIL", "SKIP", "ERROR"};
    return names[v];
}

static struct case_verdict verdict(enum verdict v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct case_verdict verdict(enum verdict v, const char *fmt, ...)
{
    struct case_verdict out = {.verdict = v};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out.reason, sizeof out.reason, fmt, ap);
    va_end(ap);
    return out;
}

/* Another release's outcome, by the model alone. */
static struct case_verdict judge_modelled(const struct case_result *r)
{
    const char *version = r->modelled_for;
    if (!r->prediction_complete)
        return verdict(VERDICT_SKIP, "glibc %s: the model cannot predict every step", version);
    if (r->predicted_trip)
        return verdict(VERDICT_PASS, "modelled for glibc %s: step %zu fails with %s", version,
                       r->predicted_trip,
                       load_kind_name(r->modelled[r->predicted_trip - 1].kind));
    return verdict(VERDICT_PASS, "modelled for glibc %s: every step loads", version);
}

/* A real library this machine does not have cannot be measured here.  A
   glibc tree searches only its own directories: a library by soname that
   it lacks (libgomp is gcc's, not glibc's) is a skip, since the host's
   copy would need the host's glibc. */
static bool missing_library(const struct case_def *c, const struct case_result *r,
                            struct case_verdict *v)
{
    for (size_t i = 0; i < r->plan.n; i++) {
        const struct case_object *o = case_step_object(c, i);
        bool expected = c->expect == EXPECT_TRIP && (size_t)c->expect_step == i + 1 &&
                        c->expect_kind == KIND_NOT_FOUND;
        if (!o || o->kind != OBJ_LIB || r->measured[i].kind != KIND_NOT_FOUND || expected)
            continue;
        if (r->libc_tree && !strchr(o->target, '/')) {
            *v = verdict(VERDICT_SKIP, "library %s (%s) is not in the glibc tree %s (searched: "
                         "%s); the host's would need the host's glibc", o->name, o->target,
                         r->libc_tree, r->search_path);
            return true;
        }
        *v = verdict(VERDICT_SKIP, "library %s (%s) is not on this machine", o->name, o->target);
        v->missing_library = true;
        v->missing_line = o->line;
        return true;
    }
    return false;
}

/* A step this machine refused (a thread beyond the user's process limit,
   ulimit -u) is outside the case: it cannot be judged here. */
static bool environment_refused(const struct case_result *r, struct case_verdict *v)
{
    for (size_t i = 0; i < r->plan.n; i++)
        if (r->measured[i].environment) {
            *v = verdict(VERDICT_SKIP, "step %zu (%s): refused by this machine, not by the "
                         "case: %s; raise the limit (ulimit -u) to run it", i + 1,
                         plan_op_name(r->plan.steps[i].op),
                         r->measured[i].error ? r->measured[i].error : "");
            return true;
        }
    return false;
}

/* A step where glibc's own bug leaves the rest undefined cannot be judged. */
static bool undefined_step(const struct case_result *r, struct case_verdict *v)
{
    for (size_t i = 0; i < r->plan.n; i++)
        if (r->modelled[i].undefined && r->measured[i].ran) {
            *v = verdict(VERDICT_SKIP, "step %zu: %s: undefined from here", i + 1,
                         r->modelled[i].undefined);
            return true;
        }
    return false;
}

/* A step measured otherwise than modelled, or a probe that did not end
   where a step says why (plan_probe_failure): a failure whatever the case
   expects. */
static bool unexplained(const struct case_result *r, struct case_verdict *v)
{
    for (size_t i = 0; i < r->plan.n; i++) {
        char why[256];
        if (!step_agrees(&r->measured[i], &r->modelled[i], why, sizeof why)) {
            *v = verdict(VERDICT_FAIL, "step %zu disagrees with the model: %s", i + 1, why);
            return true;
        }
    }
    if (!r->probe_failure)
        return false;
    *v = verdict(VERDICT_FAIL, "%s", r->probe_failure);
    return true;
}

/* Whether the case has a TLS descriptor fixture on a machine without TLS
   descriptors (s390x, riscv64), where that fixture is global-dynamic. */
static bool descriptors_absent(const struct case_def *c, const struct case_result *r)
{
    if (!r->budget.modelled || r->budget.model.rules.tlsdesc)
        return false;
    for (size_t i = 0; i < c->nobjects; i++)
        if (c->objects[i].kind == OBJ_FIXTURE && c->objects[i].access == TLS_DESC)
            return true;
    return false;
}

/* Whom the expectation is written for when it is not this libc: another
   architecture's layout (`arch`), machines with TLS descriptors (a
   `tlsdesc` fixture), other releases (`libc glibc>=2.22`).  There the case
   still holds every step to the model.  False when it is for this one. */
static bool expectation_elsewhere(const struct case_def *c, const struct case_result *r,
                                  char *whom, size_t len)
{
    if (c->arch && strcmp(c->arch, r->budget.machine) != 0) {
        snprintf(whom, len, "%s", c->arch);
        return true;
    }
    if (descriptors_absent(c, r)) {
        snprintf(whom, len, "machines with TLS descriptors");
        return true;
    }
    if (!case_libc_release_holds(c, r->budget.libc_version)) {
        snprintf(whom, len, "%s%s%s", c->libc, c->libc_op, c->libc_version);
        return true;
    }
    return false;
}

/* The case's expectation against what was measured. */
static struct case_verdict judge_expectation(const struct case_def *c,
                                             const struct case_result *r)
{
    const struct step_result *t = r->trip ? &r->measured[r->trip - 1] : NULL;
    char whom[64];
    bool other = expectation_elsewhere(c, r, whom, sizeof whom);
    switch (other ? EXPECT_MODEL : c->expect) {
    case EXPECT_LOADS:
    case EXPECT_HEADROOM: /* the headroom is judged once it is measured */
        if (t)
            return verdict(VERDICT_FAIL, "expected every step to load; step %zu: %s", r->trip,
                           t->error ? t->error : load_kind_name(t->kind));
        return verdict(VERDICT_PASS, "every step loaded, as expected");
    case EXPECT_TRIP:
        if (r->trip != (size_t)c->expect_step || !t || t->kind != c->expect_kind)
            return verdict(VERDICT_FAIL, "expected step %d to fail with %s; %s%s",
                           c->expect_step, load_kind_name(c->expect_kind),
                           t ? "step failed: " : "every step loaded",
                           t ? (t->error ? t->error : load_kind_name(t->kind)) : "");
        if (c->expect_message && (!t->error || !strstr(t->error, c->expect_message)))
            return verdict(VERDICT_FAIL, "step %zu failed, but the message lacks \"%s\": %s",
                           r->trip, c->expect_message, t->error ? t->error : "");
        return verdict(VERDICT_PASS, "step %zu failed with %s, as expected", r->trip,
                       load_kind_name(t->kind));
    case EXPECT_MODEL:
        if (!r->prediction_complete)
            return verdict(VERDICT_FAIL, "expected the model's outcome, but the model cannot "
                                         "predict every step here");
        if (r->trip)
            return verdict(VERDICT_PASS, "step %zu failed with %s, as the model predicts%s%s%s",
                           r->trip, load_kind_name(t->kind),
                           other ? " (the expectation is for " : "", other ? whom : "",
                           other ? ")" : "");
        return verdict(VERDICT_PASS, "every step loaded, as the model predicts%s%s%s",
                       other ? " (the expectation is for " : "", other ? whom : "",
                       other ? ")" : "");
    }
    return verdict(VERDICT_FAIL, "unknown expectation");
}

/* The steps as measured: a missing library or an undefined step skips,
   a disagreement with the model fails, then the expectation. */
static struct case_verdict judge_steps(const struct case_def *c, const struct case_result *r)
{
    struct case_verdict v;
    if (missing_library(c, r, &v) || environment_refused(r, &v) || undefined_step(r, &v) ||
        unexplained(r, &v))
        return v;
    return judge_expectation(c, r);
}

/* expect headroom: once every step loaded, the largest IE block that
   still loads after them, against the threshold. */
static struct case_verdict judge_headroom(const struct case_def *c, const struct case_result *r)
{
    if (r->headroom_error)
        return verdict(VERDICT_FAIL, "the headroom after the steps could not be measured: %s",
                       r->headroom_error);
    if (r->headroom >= c->expect_headroom)
        return verdict(VERDICT_PASS, "headroom %lld bytes after the steps (measured: %lld "
                                     "loads, %lld fails), at least %ld as expected",
                       r->headroom, r->headroom, r->headroom + 1, c->expect_headroom);
    return verdict(VERDICT_FAIL, "headroom %lld bytes after the steps (measured: %lld "
                                 "loads, %lld fails), expected at least %ld",
                   r->headroom, r->headroom, r->headroom + 1, c->expect_headroom);
}

static bool headroom_expected(const struct case_def *c, const struct case_result *r)
{
    char whom[64];
    return c->expect == EXPECT_HEADROOM && !expectation_elsewhere(c, r, whom, sizeof whom) &&
           judge_steps(c, r).verdict == VERDICT_PASS;
}

bool case_headroom_due(const struct case_def *c, const struct case_result *r)
{
    return r->end == CASE_ENDED_STEPS && !r->modelled_for && r->headroom < 0 &&
           !r->headroom_error && headroom_expected(c, r);
}

/* A process that did not start, against the model and the expectation. */
static struct case_verdict judge_startup(const struct case_def *c, const struct case_result *r)
{
    if (!r->budget.modelled || r->budget.startup_failure != r->startup_kind)
        return verdict(VERDICT_FAIL, "ld.so refused to start the process (%s), but the model %s",
                       r->startup_error, r->budget.modelled ? "says it starts"
                                                            : "cannot say (no model)");
    if (c->expect == EXPECT_MODEL || (c->expect == EXPECT_TRIP && c->expect_step == 0 &&
                                      c->expect_kind == r->startup_kind))
        return verdict(VERDICT_PASS, "ld.so refused to start the process with %s, as %s",
                       load_kind_name(r->startup_kind),
                       c->expect == EXPECT_MODEL ? "the model predicts" : "expected");
    return verdict(VERDICT_FAIL, "ld.so refused to start the process: %s", r->startup_error);
}

/* Sizes relative to free come out as a TLS block of 1 byte to 1 GiB (a
   0-byte initial-exec block makes glibc divide by zero). */
static struct case_verdict judge_impossible_size(const struct case_def *c,
                                                 const struct case_result *r)
{
    const struct case_object *o = &c->objects[r->bad_object];
    long long free_bytes = (long long)model_free(&r->budget.model);
    return verdict(VERDICT_ERROR, "%s:%d: fixture %s: free%+lld is %lld bytes here (free is "
                   "%lld, modelled); a block has 1 to %lld bytes", c->path, o->line, o->name,
                   o->size.value, o->size.value + free_bytes, free_bytes,
                   (long long)CASE_MAX_SIZE);
}

struct case_verdict case_judge(const struct case_def *c, const struct case_result *r)
{
    switch (r->end) {
    case CASE_ENDED_NO_BUDGET:
        return verdict(VERDICT_FAIL, "%s", r->error);
    case CASE_ENDED_NO_STEPS:
        return verdict(VERDICT_FAIL, "the probe took no steps");
    case CASE_ENDED_STARTUP_REFUSED:
        return judge_startup(c, r);
    case CASE_ENDED_TLS_UNMAPPABLE: /* the case asked for more than a probe may map */
        return verdict(VERDICT_ERROR, "%s: the probe cannot map its static TLS area within its "
                       "memory limit (%llu bytes; `limits memory=SIZE` raises it)", c->path,
                       c->limits.memory ? c->limits.memory : PROBE_DEFAULT_MEMORY);
    case CASE_ENDED_OTHER_LIBC:
        return verdict(VERDICT_SKIP, "the case is about %s; this is %s", c->libc,
                       r->budget.libc_name);
    case CASE_ENDED_AUDIT_UNLOADED:
        return verdict(VERDICT_FAIL, "LD_AUDIT: ld.so loaded %zu of the case's %zu audit "
                       "modules (%s): nothing measured here would be about an audit module",
                       r->budget.audit_loaded, r->budget.audit_listed, r->budget.ld_audit);
    case CASE_ENDED_NO_MODEL:
        return verdict(VERDICT_SKIP, "sizes use free, and there is no model here: %s",
                       r->budget.why_not_modelled);
    case CASE_ENDED_STARTUP_STARTED:
        return verdict(VERDICT_FAIL, "the process started, but the model says ld.so refuses "
                       "%s at startup (%s)", r->budget.startup_failure_at,
                       load_kind_name(r->budget.startup_failure));
    case CASE_ENDED_SIZE_IMPOSSIBLE:
        return judge_impossible_size(c, r);
    case CASE_ENDED_GLIBC_TOO_OLD: /* the user's library, not the machine: no skip */
        return verdict(VERDICT_FAIL, "cannot load on this build: %s", r->error);
    case CASE_ENDED_STEPS:
        break;
    }
    if (r->modelled_for)
        return judge_modelled(r);
    if (headroom_expected(c, r) && (r->headroom >= 0 || r->headroom_error))
        return judge_headroom(c, r);
    return judge_steps(c, r);
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
