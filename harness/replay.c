#define _GNU_SOURCE
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseparse.h"
#include "cli.h"
#include "probe/protocol.h"
#include "runenv.h"
#include "xsys.h"

const char *replay_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool matches(const char *path, const char *name)
{
    return strncmp(replay_base_name(path), name, strlen(name)) == 0;
}

static const struct fix *fix_for(const struct replay *r, enum fix_kind kind, const char *path)
{
    for (size_t i = 0; i < r->nfixes; i++)
        if (r->fixes[i].kind == kind && matches(path, r->fixes[i].name))
            return &r->fixes[i];
    return NULL;
}

/* libc and ld.so are the probe's own: their blocks are already there. */
static bool is_libc(const char *path)
{
    const char *b = replay_base_name(path);
    return strncmp(b, "libc.so", 7) == 0 || strncmp(b, "ld-linux", 8) == 0 ||
           strcmp(path, PROTO_MAIN_NAME) == 0;
}

/* The fixture name of event i: its file name, made unique by its seq. */
static char *object_name(const struct trace *t, size_t i)
{
    const struct trace_event *e = &t->events[i];
    char *name = xstrdup(replay_base_name(e->path));
    for (char *p = name; *p; p++)
        if (!(*p == '.' || *p == '-' || *p == '_' || *p == '+' || (*p >= '0' && *p <= '9') ||
              (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            *p = '_';
    for (size_t k = 0; k < t->nevents; k++)
        if (k != i && !t->events[k].close && t->events[k].tls_size &&
            strcmp(replay_base_name(t->events[k].path), replay_base_name(e->path)) == 0 &&
            strcmp(t->events[k].path, e->path) != 0) {
            char *unique = xasprintf("%s~%ld", name, e->seq);
            free(name);
            return unique;
        }
    return name;
}

bool replay_includes(const struct trace_event *e)
{
    return e->tls_size > 0 && e->lmid == 0;
}

/* The case text of the replay. */
static char *case_text(const struct replay *r, const char *expect)
{
    const struct trace *t = r->trace;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        die_errno("open_memstream");
    fprintf(f, "# Replay of %s: %s (exit %d%s%s)\n", r->trace_path, t->command, t->exit_status,
            t->error ? ": " : "", t->error ? t->error : "");
    fprintf(f, "title replay of %s", replay_base_name(r->trace_path));
    if (r->squeeze >= 0)
        fprintf(f, ", %ld bytes of headroom", r->squeeze);
    for (size_t i = 0; i < r->nfixes; i++) {
        static const char *const kinds[] = {"preload", "first", "tunable", "rebuild"};
        fprintf(f, ", fix %s=%s", kinds[r->fixes[i].kind],
                r->fixes[i].kind == FIX_TUNABLE ? r->fixes[i].tunable : r->fixes[i].name);
    }
    fprintf(f, "\n");
    if (expect) /* what this run saw holds for the trace's own libc and layout */
        fprintf(f, "libc %.*s\narch %s\n", (int)strcspn(t->libc, "-"), t->libc, t->machine);
    for (size_t i = 0; i < r->nfixes; i++)
        if (r->fixes[i].kind == FIX_TUNABLE)
            fprintf(f, "tunables glibc.rtld.%s\n", r->fixes[i].tunable);

    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->close || !replay_includes(e) || (!e->dlopen && is_libc(e->path)))
            continue;
        char *name = object_name(t, i);
        const struct fix *rebuilt = fix_for(r, FIX_REBUILD, e->path);
        const char *model = tls_access_name(rebuilt ? rebuilt->rebuilt_as : e->access);
        fprintf(f, "fixture %s %s %llu align=%llu   # %s\n", name, model,
                (unsigned long long)e->tls_size,
                (unsigned long long)(e->tls_align ? e->tls_align : 1), e->path);
        if (!e->dlopen || fix_for(r, FIX_PRELOAD, e->path))
            fprintf(f, "preload %s\n", name);
        free(name);
    }
    if (r->squeeze >= 0) {
        /* The rest of the application: it has taken all but the headroom.
           Without fixes, relative to each glibc's own free bytes; a fix must
           not move it, so then it is the size this glibc's squeeze takes. */
        if (!r->nfixes)
            fprintf(f, "fixture squeeze ie free-%ld\n", r->squeeze);
        else
            fprintf(f, "fixture squeeze ie %ld\n",
                    r->squeeze_free > r->squeeze ? r->squeeze_free - r->squeeze : 0);
        fprintf(f, "load squeeze\n");
    }
    for (size_t i = 0; i < t->nevents; i++) /* fix first: before anything else */
        if (!t->events[i].close && t->events[i].dlopen && replay_includes(&t->events[i]) &&
            fix_for(r, FIX_FIRST, t->events[i].path)) {
            char *name = object_name(t, i);
            fprintf(f, "load %s\n", name);
            free(name);
        }
    long extra_threads = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (!e->dlopen || !replay_includes(e))
            continue;
        if (!e->close && trace_extra_threads(e) > extra_threads) {
            fprintf(f, "threads %ld\n", trace_extra_threads(e) - extra_threads);
            extra_threads = trace_extra_threads(e);
        }
        if (!e->close && fix_for(r, FIX_FIRST, e->path))
            continue;
        char *name = object_name(t, i);
        fprintf(f, "%s %s\n", e->close ? "close" : "load", name);
        free(name);
    }
    fprintf(f, "%s\n", expect ? expect : "expect model");
    if (fclose(f) != 0)
        die_errno("replay: render the case");
    return buf;
}

struct fix fix_parse(const char *s)
{
    struct fix f = {0};
    const char *eq = strchr(s, '=');
    if (!eq)
        die_input("--fix %s: expected preload=NAME, first=NAME, tunable=NAME=VALUE or "
                  "rebuild=NAME:tlsdesc|gd", s);
    size_t klen = (size_t)(eq - s);
    const char *v = eq + 1;
    if (klen == 7 && strncmp(s, "preload", 7) == 0) {
        f.kind = FIX_PRELOAD;
        f.name = xstrdup(v);
    } else if (klen == 5 && strncmp(s, "first", 5) == 0) {
        f.kind = FIX_FIRST;
        f.name = xstrdup(v);
    } else if (klen == 7 && strncmp(s, "tunable", 7) == 0 && strchr(v, '=')) {
        f.kind = FIX_TUNABLE;
        f.tunable = xstrdup(v);
    } else if (klen == 7 && strncmp(s, "rebuild", 7) == 0 && strrchr(v, ':') &&
               tls_access_from_name(strrchr(v, ':') + 1, &f.rebuilt_as) &&
               (f.rebuilt_as == TLS_DESC || f.rebuilt_as == TLS_GD)) {
        f.kind = FIX_REBUILD;
        f.name = xasprintf("%.*s", (int)(strrchr(v, ':') - v), v);
    } else {
        die_input("--fix %s: expected preload=NAME, first=NAME, tunable=NAME=VALUE or "
                  "rebuild=NAME:tlsdesc|gd", s);
    }
    if (f.name && !*f.name)
        die_input("--fix %s: name the object", s);
    return f;
}

void fix_free(struct fix *f)
{
    free(f->name);
    free(f->tunable);
    memset(f, 0, sizeof *f);
}

bool replay_has_object(const struct trace *t, const char *name)
{
    for (size_t k = 0; k < t->nevents; k++)
        if (replay_includes(&t->events[k]) && matches(t->events[k].path, name))
            return true;
    return false;
}

void replay_outcome(const struct case_result *res, char *buf, size_t len)
{
    const struct step_prediction *p = res->modelled;
    size_t trip = res->measured ? res->trip : res->predicted_trip;
    if (res->verdict != VERDICT_PASS) {
        snprintf(buf, len, "%s: %.400s", verdict_name(res->verdict), res->reason);
        return;
    }
    if (!trip) {
        snprintf(buf, len, "loads%s", res->measured ? "" : " (modelled)");
        return;
    }
    const struct plan_step *s = &res->plan.steps[trip - 1];
    enum load_kind kind = res->measured ? res->measured[trip - 1].kind : p[trip - 1].kind;
    char message[128];
    load_kind_dlerror(kind == KIND_STATIC_TLS_COUNT ? kind : KIND_STATIC_TLS_EXHAUSTED, NULL,
                      message, sizeof message);
    snprintf(buf, len, "trips at %s: \"%s\"%s", s->name, message,
             res->measured ? "" : " (modelled)");
}

void replay_case(const struct replay *r, const char *model_as, struct case_def *def,
                 struct case_result *res)
{
    char *text = case_text(r, NULL);
    char err[1024];
    char *path = xasprintf("%s (replay)", r->trace_path);
    if (!case_parse(path, text, def, err, sizeof err))
        die("replay: the generated case does not parse: %s", err);
    if (model_as)
        case_model_as(def, r->build, model_as, res);
    else
        case_run(def, r->build, res);
    free(path);
    free(text);
}

int replay_run(const struct replay *r, const char *model_as, bool print, char *summary,
               size_t len, const char *emit)
{
    struct case_def def;
    struct case_result res;
    replay_case(r, model_as, &def, &res);
    if (print)
        case_result_print(stdout, &res, false);
    replay_outcome(&res, summary, len);
    if (emit && res.verdict == VERDICT_PASS) {
        /* A reproducer that expects what this run saw. */
        size_t trip = res.measured ? res.trip : res.predicted_trip;
        enum load_kind kind = !trip ? KIND_LOADED
                              : res.measured ? res.measured[trip - 1].kind
                                             : res.modelled[trip - 1].kind;
        char *expect = trip ? xasprintf("expect trip %zu %s \"%s\"", trip, load_kind_name(kind),
                                        res.plan.steps[trip - 1].name)
                            : xstrdup("expect loads");
        char *final = case_text(r, expect);
        write_file_atomic(emit, final, strlen(final));
        free(final), free(expect);
    }
    int code = res.verdict == VERDICT_PASS    ? EXIT_PASS
               : res.verdict == VERDICT_ERROR ? EXIT_USAGE
               : res.verdict == VERDICT_SKIP  ? EXIT_SKIP
                                              : EXIT_TRIPPED;
    case_result_free(&res);
    case_free(&def);
    return code;
}

long replay_fresh_free(const struct libc_build *build, const char *model_as)
{
    struct run_env env;
    run_env_empty(&env, build, PROBE_TIMEOUT_S);
    struct budget b;
    char err[1024];
    if (!budget_read(&env.probe, &b, err, sizeof err))
        die("replay: %s", err);
    if (model_as)
        budget_model_release(&b, model_as);
    if (!b.modelled)
        die("replay: --squeeze needs a model of this libc: %s", b.why_not_modelled);
    long free_bytes = (long)model_free(&b.model);
    budget_free(&b);
    run_env_free(&env);
    return free_bytes;
}