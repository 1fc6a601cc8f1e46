#define _GNU_SOURCE
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseparse.h"
#include "protocol.h"
#include "record.h"
#include "runenv.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"

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

bool replay_includes(const struct trace_event *e)
{
    return e->tls_size > 0 && e->lmid == 0;
}

/* A word the case language takes as it is: anything else becomes '_'. */
static char *word_safe(const char *s)
{
    char *w = xstrdup(s);
    for (char *p = w; *p; p++)
        if (!(strchr(".-_+~=:,", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            *p = '_';
    return w;
}

/* One fixture name per path of a replayed object: its file name made a
   case word, unique even where two names sanitise alike. */
struct names {
    char **paths, **names;
    size_t n;
};

/* The index of path's name, nm->n for none. */
static size_t index_of(const struct names *nm, const char *path)
{
    size_t i = 0;
    while (i < nm->n && strcmp(nm->paths[i], path) != 0)
        i++;
    return i;
}

static bool name_taken(const struct names *nm, const char *name)
{
    for (size_t i = 0; i < nm->n; i++)
        if (strcmp(nm->names[i], name) == 0)
            return true;
    return false;
}

static void assign_names(const struct trace *t, struct names *nm)
{
    memset(nm, 0, sizeof *nm);
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->close || !replay_includes(e) || index_of(nm, e->path) < nm->n)
            continue;
        char *base = word_safe(*replay_base_name(e->path) ? replay_base_name(e->path) : "object");
        char *name = xstrdup(base);
        for (int k = 2; name_taken(nm, name); k++) {
            free(name);
            name = xasprintf("%s~%d", base, k);
        }
        free(base);
        size_t n = nm->n;
        *XAPPEND(&nm->paths, &n) = xstrdup(e->path);
        *XAPPEND(&nm->names, &nm->n) = name;
    }
}

static void names_free(struct names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        free(nm->paths[i]), free(nm->names[i]);
    free(nm->paths), free(nm->names);
}

/* The case text of the replay; its number of steps goes to nsteps. */
static char *case_text(const struct replay *r, const char *expect, size_t *nsteps)
{
    const struct trace *t = r->trace;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        die_errno("open_memstream");
    struct names nm;
    assign_names(t, &nm);
    /* text from the trace, escaped: no newline in it may end a comment early */
    char *trace_path = record_escape(r->trace_path), *command = record_escape(t->command);
    char *error = record_escape(t->error ? t->error : ""), *title = word_safe(replay_base_name(r->trace_path));
    fprintf(f, "# Replay of %s: %s (exit %d%s%s)\n", trace_path, command, t->exit_status,
            t->error ? ": " : "", t->error ? error : "");
    fprintf(f, "title replay of %s", title);
    free(trace_path), free(command), free(error), free(title);
    if (r->squeeze >= 0)
        fprintf(f, ", %ld bytes of headroom", r->squeeze);
    for (size_t i = 0; i < r->nfixes; i++) {
        static const char *const kinds[] = {"preload", "first", "tunable", "rebuild"};
        char *what = word_safe(r->fixes[i].kind == FIX_TUNABLE ? r->fixes[i].tunable
                                                                : r->fixes[i].name);
        fprintf(f, ", fix %s=%s", kinds[r->fixes[i].kind], what);
        free(what);
    }
    fprintf(f, "\n");
    if (expect) { /* what this run saw holds for the trace's own libc and layout */
        char *libc = word_safe(t->libc), *machine = word_safe(t->machine);
        fprintf(f, "libc %.*s\narch %s\n", (int)strcspn(libc, "-"), libc, machine);
        free(libc), free(machine);
    }
    for (size_t i = 0; i < r->nfixes; i++)
        if (r->fixes[i].kind == FIX_TUNABLE)
            fprintf(f, "tunables glibc.rtld.%s\n", r->fixes[i].tunable);

    for (size_t i = 0; i < nm.n; i++) { /* one fixture per object, at its first mapping */
        const struct trace_event *e = NULL;
        for (size_t k = 0; k < t->nevents && !e; k++)
            if (!t->events[k].close && strcmp(t->events[k].path, nm.paths[i]) == 0)
                e = &t->events[k];
        if (!e->dlopen && is_libc(e->path))
            continue;
        const struct fix *rebuilt = fix_for(r, FIX_REBUILD, e->path);
        const char *model = tls_access_name(rebuilt ? rebuilt->rebuilt_as : e->access);
        char *where = record_escape(e->path);
        fprintf(f, "fixture %s %s %llu align=%llu   # %s\n", nm.names[i], model,
                (unsigned long long)e->tls_size,
                (unsigned long long)(e->tls_align ? e->tls_align : 1), where);
        free(where);
        if (!e->dlopen || fix_for(r, FIX_PRELOAD, e->path))
            fprintf(f, "preload %s\n", nm.names[i]);
    }
    *nsteps = 0;
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
        ++*nsteps;
    }
    size_t *open = xcalloc(nm.n + 1, sizeof *open); /* loads of each object not yet closed */
    bool *first = xcalloc(nm.n + 1, sizeof *first); /* loaded first: its own first load goes */
    for (size_t i = 0; i < nm.n; i++) /* fix first: before anything else */
        if (fix_for(r, FIX_FIRST, nm.paths[i])) {
            fprintf(f, "load %s\n", nm.names[i]);
            open[i] = first[i] = true;
            ++*nsteps;
        }
    long extra_threads = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        size_t k = index_of(&nm, e->path);
        const char *name = k < nm.n ? nm.names[k] : NULL;
        if (!name || (!e->close && (!e->dlopen || !replay_includes(e))))
            continue;
        if (e->close) { /* only what a step of this case opened */
            if (open[k]) {
                fprintf(f, "close %s\n", name);
                open[k]--;
                ++*nsteps;
            }
            continue;
        }
        if (trace_extra_threads(e) > extra_threads) {
            fprintf(f, "threads %ld\n", trace_extra_threads(e) - extra_threads);
            extra_threads = trace_extra_threads(e);
            ++*nsteps;
        }
        if (first[k]) { /* loaded first, above */
            first[k] = false;
            continue;
        }
        fprintf(f, "load %s\n", name);
        open[k]++;
        ++*nsteps;
    }
    free(open);
    free(first);
    names_free(&nm);
    fprintf(f, "%s\n", expect ? expect : "expect model");
    if (fclose(f) != 0)
        die_errno("replay: render the case");
    return buf;
}

/* Objects a fixture cannot stand for: refused, naming the trace line. */
void replay_check(const struct trace *t, const char *path)
{
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->close || !replay_includes(e))
            continue;
        if (e->tls_align & (e->tls_align - 1))
            die_input("%s:%d: tls_align %llu is not a power of two", path, e->line,
                      (unsigned long long)e->tls_align);
        if (e->tls_align > CASE_MAX_ALIGN)
            die_input("%s:%d: tls_align %llu: a fixture is aligned to at most %d", path, e->line,
                      (unsigned long long)e->tls_align, CASE_MAX_ALIGN);
        if (e->tls_size > (uint64_t)CASE_MAX_SIZE)
            die_input("%s:%d: a TLS block of %llu bytes: a fixture holds at most %lld", path,
                      e->line, (unsigned long long)e->tls_size, CASE_MAX_SIZE);
    }
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
    char *word = f.tunable ? word_safe(f.tunable) : NULL; /* it becomes a word of the case */
    if (word && strcmp(word, f.tunable) != 0)
        die_input("--fix %s: a tunable has letters, digits and ._-+=:, only", s);
    free(word);
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
    if (!res->plan.n) { /* replay_case found nothing to replay */
        snprintf(buf, len, "%s", res->reason);
        return;
    }
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
    size_t nsteps;
    char *text = case_text(r, NULL, &nsteps);
    if (!nsteps) { /* /bin/true: a valid trace with nothing to reproduce */
        memset(def, 0, sizeof *def);
        memset(res, 0, sizeof *res);
        res->def = def;
        res->verdict = VERDICT_PASS;
        snprintf(res->reason, sizeof res->reason, "nothing to replay: no object with TLS was "
                                                  "dlopen'ed");
        free(text);
        return;
    }
    if (nsteps > CASE_MAX_STEPS) {
        free(text);
        die_input("%s: %zu steps to replay; a case holds at most %d", r->trace_path, nsteps,
                  CASE_MAX_STEPS);
    }
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
    if (print && res.plan.n) /* nothing to replay has no case to print */
        case_result_print(stdout, &res, false);
    replay_outcome(&res, summary, len);
    if (emit && !res.plan.n) {
        snprintf(summary + strlen(summary), len - strlen(summary), " (no case written)");
    } else if (emit && res.verdict == VERDICT_PASS) {
        /* A reproducer that expects what this run saw. */
        size_t trip = res.measured ? res.trip : res.predicted_trip;
        enum load_kind kind = !trip ? KIND_LOADED
                              : res.measured ? res.measured[trip - 1].kind
                                             : res.modelled[trip - 1].kind;
        char *expect = trip ? xasprintf("expect trip %zu %s \"%s\"", trip, load_kind_name(kind),
                                        res.plan.steps[trip - 1].name)
                            : xstrdup("expect loads");
        size_t nsteps;
        char *final = case_text(r, expect, &nsteps);
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