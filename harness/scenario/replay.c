#define _GNU_SOURCE
#include "replay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseout.h"
#include "caseparse.h"
#include "casewrite.h"
#include "protocol.h"
#include "record.h"
#include "rules.h"
#include "runenv.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"

static bool fail(struct replay_error *e, bool input, const char *file, int line, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
static bool fail(struct replay_error *e, bool input, const char *file, int line, const char *fmt,
                 ...)
{
    *e = (struct replay_error){.input = input, .file = file, .line = line};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

const char *replay_error_text(const struct replay_error *e, char *buf, size_t len)
{
    if (e->file && e->line)
        snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->message);
    else if (e->file)
        snprintf(buf, len, "%s: %s", e->file, e->message);
    else
        snprintf(buf, len, "%s", e->message);
    return buf;
}

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

/* What an emitted case expects: what its run saw. */
struct seen {
    size_t trip; /* 0: every step loaded */
    enum load_kind kind;
    const char *step; /* the step that tripped, by name */
};

/* "replay of FILE[, H bytes of headroom][, fix KIND=WHAT...]" */
static char *title_of(const struct replay *r)
{
    char *base = word_safe(replay_base_name(r->trace_path));
    char *title = xasprintf("replay of %s", base);
    free(base);
    char *next;
    if (r->squeeze >= 0) {
        next = xasprintf("%s, %ld bytes of headroom", title, r->squeeze);
        free(title);
        title = next;
    }
    for (size_t i = 0; i < r->nfixes; i++) {
        static const char *const kinds[] = {"preload", "first", "tunable", "rebuild"};
        char *what = word_safe(r->fixes[i].kind == FIX_TUNABLE ? r->fixes[i].tunable
                                                                : r->fixes[i].name);
        next = xasprintf("%s, fix %s=%s", title, kinds[r->fixes[i].kind], what);
        free(what), free(title);
        title = next;
    }
    return title;
}

/* The comment, title, libc and arch (with an expectation from this run:
   it holds for the trace's own libc and layout) and tunables. */
static void write_header(struct case_writer *w, const struct replay *r, bool seen)
{
    const struct trace *t = r->trace;
    /* text from the trace, escaped: no newline in it may end a comment early */
    char *trace_path = record_escape(r->trace_path), *command = record_escape(t->command);
    char *error = record_escape(t->error ? t->error : "");
    char *comment = xasprintf("Replay of %s: %s (exit %d%s%s)", trace_path, command,
                              t->exit_status, t->error ? ": " : "", t->error ? error : "");
    case_write_comment(w, comment);
    free(trace_path), free(command), free(error), free(comment);
    char *title = title_of(r);
    case_write_title(w, title);
    free(title);
    if (seen) {
        char *libc = word_safe(t->libc), *machine = word_safe(t->machine);
        libc[strcspn(libc, "-")] = '\0'; /* glibc-2.36: glibc */
        case_write_libc(w, libc, NULL, NULL);
        case_write_arch(w, machine);
        free(libc), free(machine);
    }
    for (size_t i = 0; i < r->nfixes; i++)
        if (r->fixes[i].kind == FIX_TUNABLE) {
            char *tunables = xasprintf("glibc.rtld.%s", r->fixes[i].tunable);
            case_write_tunables(w, tunables);
            free(tunables);
        }
}

/* One fixture per object, at its first mapping; startup ones preloaded. */
static void write_fixtures(struct case_writer *w, const struct replay *r, const struct names *nm)
{
    const struct trace *t = r->trace;
    for (size_t i = 0; i < nm->n; i++) {
        const struct trace_event *e = NULL;
        for (size_t k = 0; k < t->nevents && !e; k++)
            if (!t->events[k].close && strcmp(t->events[k].path, nm->paths[i]) == 0)
                e = &t->events[k];
        if (!e->dlopen && is_libc(e->path))
            continue;
        const struct fix *rebuilt = fix_for(r, FIX_REBUILD, e->path);
        struct case_object o = {.name = nm->names[i], .kind = OBJ_FIXTURE,
                                .access = rebuilt ? rebuilt->rebuilt_as : e->access,
                                .size = {false, (long long)e->tls_size},
                                .align = e->tls_align ? e->tls_align : 1, .align_given = true};
        char *where = record_escape(e->path);
        case_write_object(w, &o, where);
        free(where);
        if (!e->dlopen || fix_for(r, FIX_PRELOAD, e->path))
            case_write_preload(w, nm->names[i]);
    }
}

/* The rest of the application: it has taken all but the headroom.
   Without fixes, relative to each glibc's own free bytes; a fix must not
   move it, so then it is the size this glibc's squeeze takes. */
static void write_squeeze(struct case_writer *w, const struct replay *r)
{
    struct case_object o = {.name = "squeeze", .kind = OBJ_FIXTURE, .access = TLS_IE, .align = 1};
    if (!r->nfixes)
        o.size = (struct size_expr){true, -(long long)r->squeeze};
    else
        o.size.value = r->squeeze_free > r->squeeze ? r->squeeze_free - r->squeeze : 0;
    case_write_object(w, &o, NULL);
    case_write_step(w, OP_LOAD, "squeeze");
}

/* The trace's loads, closes and thread starts as steps; how many. */
static size_t write_steps(struct case_writer *w, const struct replay *r, const struct names *nm)
{
    const struct trace *t = r->trace;
    size_t nsteps = 0;
    size_t *open = xcalloc(nm->n + 1, sizeof *open); /* loads of each object not yet closed */
    bool *first = xcalloc(nm->n + 1, sizeof *first); /* loaded first: its own first load goes */
    for (size_t i = 0; i < nm->n; i++) /* fix first: before anything else */
        if (fix_for(r, FIX_FIRST, nm->paths[i])) {
            case_write_step(w, OP_LOAD, nm->names[i]);
            open[i] = first[i] = true;
            nsteps++;
        }
    long extra_threads = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        size_t k = index_of(nm, e->path);
        const char *name = k < nm->n ? nm->names[k] : NULL;
        if (!name || (!e->close && (!e->dlopen || !replay_includes(e))))
            continue;
        if (e->close) { /* only what a step of this case opened */
            if (open[k]) {
                case_write_step(w, OP_CLOSE, name);
                open[k]--;
                nsteps++;
            }
            continue;
        }
        if (trace_extra_threads(e) > extra_threads) {
            case_write_threads(w, trace_extra_threads(e) - extra_threads);
            extra_threads = trace_extra_threads(e);
            nsteps++;
        }
        if (first[k]) { /* loaded first, above */
            first[k] = false;
            continue;
        }
        case_write_step(w, OP_LOAD, name);
        open[k]++;
        nsteps++;
    }
    free(open);
    free(first);
    return nsteps;
}

/* The case text of the replay, expecting what seen says (NULL: the
   model's outcome); its number of steps goes to nsteps.  NULL with err
   for a word the case language cannot hold. */
static char *case_text(const struct replay *r, const struct seen *seen, size_t *nsteps,
                       char *err, size_t errlen)
{
    struct case_writer w;
    case_writer_open(&w);
    struct names nm;
    assign_names(r->trace, &nm);
    write_header(&w, r, seen != NULL);
    write_fixtures(&w, r, &nm);
    *nsteps = 0;
    if (r->squeeze >= 0) {
        write_squeeze(&w, r);
        ++*nsteps;
    }
    *nsteps += write_steps(&w, r, &nm);
    names_free(&nm);
    if (!seen)
        case_write_expect_model(&w);
    else if (seen->trip)
        case_write_expect_trip(&w, (int)seen->trip, seen->kind, seen->step);
    else
        case_write_expect_loads(&w);
    return case_writer_close(&w, err, errlen);
}

/* Objects a fixture cannot stand for: refused, naming the trace line. */
bool replay_check(const struct trace *t, const char *path, struct replay_error *err)
{
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->close || !replay_includes(e))
            continue;
        if (e->tls_align & (e->tls_align - 1))
            return fail(err, true, path, e->line, "tls_align %llu is not a power of two",
                        (unsigned long long)e->tls_align);
        if (e->tls_align > CASE_MAX_ALIGN)
            return fail(err, true, path, e->line, "tls_align %llu: a fixture is aligned to at "
                        "most %d", (unsigned long long)e->tls_align, CASE_MAX_ALIGN);
        if (e->tls_size > (uint64_t)CASE_MAX_SIZE)
            return fail(err, true, path, e->line, "a TLS block of %llu bytes: a fixture holds "
                        "at most %lld", (unsigned long long)e->tls_size, CASE_MAX_SIZE);
    }
    return true;
}

static bool fix_syntax(const char *s, struct replay_error *err)
{
    return fail(err, true, NULL, 0, "--fix %s: expected preload=NAME, first=NAME, "
                "tunable=NAME=VALUE or rebuild=NAME:tlsdesc|gd", s);
}

/* The kind and what it names, or false. */
static bool fix_read(const char *s, struct fix *f)
{
    const char *eq = strchr(s, '=');
    if (!eq)
        return false;
    size_t klen = (size_t)(eq - s);
    const char *v = eq + 1;
    if (klen == 7 && strncmp(s, "preload", 7) == 0) {
        f->kind = FIX_PRELOAD;
        f->name = xstrdup(v);
    } else if (klen == 5 && strncmp(s, "first", 5) == 0) {
        f->kind = FIX_FIRST;
        f->name = xstrdup(v);
    } else if (klen == 7 && strncmp(s, "tunable", 7) == 0 && strchr(v, '=')) {
        f->kind = FIX_TUNABLE;
        f->tunable = xstrdup(v);
    } else if (klen == 7 && strncmp(s, "rebuild", 7) == 0 && strrchr(v, ':') &&
               tls_access_from_name(strrchr(v, ':') + 1, &f->rebuilt_as) &&
               (f->rebuilt_as == TLS_DESC || f->rebuilt_as == TLS_GD)) {
        f->kind = FIX_REBUILD;
        f->name = xasprintf("%.*s", (int)(strrchr(v, ':') - v), v);
    } else {
        return false;
    }
    return true;
}

bool replay_fix_parse(const char *s, struct fix *out, struct replay_error *err)
{
    struct fix f = {0};
    if (!fix_read(s, &f))
        return fix_syntax(s, err);
    bool ok = true;
    char *word = f.tunable ? word_safe(f.tunable) : NULL; /* it becomes a word of the case */
    if (f.name && !*f.name)
        ok = fail(err, true, NULL, 0, "--fix %s: name the object", s);
    else if (word && strcmp(word, f.tunable) != 0)
        ok = fail(err, true, NULL, 0, "--fix %s: a tunable has letters, digits and ._-+=:, only",
                  s);
    free(word);
    if (!ok)
        fix_free(&f);
    *out = f;
    return ok;
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

void replay_outcome(const struct replay_result *out, char *buf, size_t len)
{
    const struct case_result *res = &out->res;
    const struct step_prediction *p = res->modelled;
    size_t trip = res->measured ? res->trip : res->predicted_trip;
    if (out->nothing) { /* /bin/true: a valid trace with nothing to reproduce */
        snprintf(buf, len, "nothing to replay: no object with TLS was dlopen'ed");
        return;
    }
    if (!res->plan.n) { /* it ended before any step: the reason says why */
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

bool replay_case(const struct replay *r, const char *model_as, struct replay_result *out,
                 struct replay_error *err)
{
    memset(out, 0, sizeof *out);
    size_t nsteps;
    char why[1024];
    char *text = case_text(r, NULL, &nsteps, why, sizeof why);
    if (!text)
        return fail(err, false, NULL, 0, "replay: %s", why);
    if (!nsteps) {
        out->nothing = true;
        free(text);
        return true;
    }
    if (nsteps > CASE_MAX_STEPS) {
        free(text);
        return fail(err, true, r->trace_path, 0, "%zu steps to replay; a case holds at most %d",
                    nsteps, CASE_MAX_STEPS);
    }
    char *path = xasprintf("%s (replay)", r->trace_path);
    bool parsed = case_parse(path, text, &out->def, why, sizeof why);
    free(path);
    free(text);
    if (!parsed)
        return fail(err, false, NULL, 0, "replay: the generated case does not parse: %s", why);
    if (model_as)
        case_model_as(&out->def, r->build, r->settings, model_as, &out->res);
    else
        case_run(&out->def, r->build, r->settings, &out->res);
    return true;
}

void replay_result_free(struct replay_result *out)
{
    if (!out->nothing) {
        case_result_free(&out->res);
        case_free(&out->def);
    }
    memset(out, 0, sizeof *out);
}

/* A reproducer that expects what this run saw, written to path. */
static bool emit_case(const struct replay *r, const struct case_result *res, const char *path,
                      struct replay_error *err)
{
    size_t trip = res->measured ? res->trip : res->predicted_trip;
    struct seen seen = {.trip = trip};
    if (trip) {
        seen.kind = res->measured ? res->measured[trip - 1].kind : res->modelled[trip - 1].kind;
        seen.step = res->plan.steps[trip - 1].name;
    }
    size_t nsteps;
    char why[1024];
    char *text = case_text(r, &seen, &nsteps, why, sizeof why);
    if (!text)
        return fail(err, false, NULL, 0, "replay: %s", why);
    write_file_atomic(path, text, strlen(text));
    free(text);
    return true;
}

int replay_run(const struct replay *r, const char *model_as, bool print, char *summary,
               size_t len, const char *emit, struct replay_error *err)
{
    struct replay_result out;
    if (!replay_case(r, model_as, &out, err))
        return -1;
    const struct case_result *res = &out.res;
    if (print && res->plan.n) /* a case that ended before its steps has none to show */
        case_result_print(stdout, res, false);
    replay_outcome(&out, summary, len);
    bool ok = true;
    if (emit && !res->plan.n)
        snprintf(summary + strlen(summary), len - strlen(summary), " (no case written)");
    else if (emit && res->verdict == VERDICT_PASS)
        ok = emit_case(r, res, emit, err);
    int code = out.nothing                      ? EXIT_PASS
               : res->verdict == VERDICT_PASS  ? EXIT_PASS
               : res->verdict == VERDICT_ERROR ? EXIT_USAGE
               : res->verdict == VERDICT_SKIP  ? EXIT_SKIP
                                               : EXIT_TRIPPED;
    replay_result_free(&out);
    return ok ? code : -1;
}

bool replay_fresh_free(const struct libc_build *build, const struct settings *s,
                       const char *model_as, long *free_bytes,
                       struct replay_error *err)
{
    struct run_env env;
    run_env_empty(&env, build, s, PROBE_TIMEOUT_S);
    struct budget b;
    char why[1024];
    bool ok = budget_read(&env.probe, &b, why, sizeof why);
    run_env_free(&env);
    if (!ok)
        return fail(err, false, NULL, 0, "replay: %s", why);
    if (model_as)
        budget_model_release(&b, model_as);
    if (b.modelled)
        *free_bytes = (long)model_free(&b.model);
    else
        fail(err, false, NULL, 0, "replay: --squeeze needs a model of this libc: %s",
             b.why_not_modelled);
    ok = b.modelled;
    budget_free(&b);
    return ok;
}

void replay_model_basis(const char *version, const char *machine,
                        const struct libc_build_list *builds, struct replay_model_basis *out)
{
    memset(out, 0, sizeof *out);
    struct glibc_rules rules;
    char why[256];
    if (glibc_rules_for(version, machine, false, &rules, why, sizeof why))
        out->libc_tls_size = rules.libc_tls_size;
    for (size_t i = 0; i < builds->n && !out->here; i++) {
        const char *v = strstr(builds->items[i].name, "glibc-"); /* "tree-glibc-2.17" */
        if (v && strcmp(v + strlen("glibc-"), version) == 0)
            out->here = &builds->items[i];
    }
}
