/* The fixes doctor tries.  Each is first predicted by a replay of the
   command's trace on fixtures of the same shapes (cheap: milliseconds),
   then run on the real command (seconds), so only fixes that the replay
   says will work cost a real run.  Rebuilds cannot be run on the command:
   they are validated by the replay alone and marked so. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "envvars.h"
#include "search.h"
#include "shellquote.h"
#include "xalloc.h"

enum {
    MAX_PRELOAD_SET = 3,   /* objects in one LD_PRELOAD set */
    MAX_CANDIDATES = 8,    /* static-TLS objects the preload search considers */
    MAX_COMMAND_TRIES = 4, /* real runs of predicted preload sets that failed */
};

/* The replay with these fixes: loads on fixtures (measured), or, with
   modelled, loads as the model predicts.  One that cannot be made does
   not load, and stops the search (d->replay_failed). */
static bool replay_loads(struct doctor *d, const struct fix *fixes, size_t n, bool modelled)
{
    struct replay r = d->replay;
    r.fixes = fixes;
    r.nfixes = n;
    struct replay_result out;
    if (!replay_case(&r, NULL, &out, &d->replay_error)) {
        d->replay_failed = true;
        return false;
    }
    d->replays++;
    const struct case_result *res = &out.res;
    bool ran = res->verdict == VERDICT_PASS || res->verdict == VERDICT_FAIL;
    bool loads = !out.nothing && (modelled ? res->prediction_complete && !res->predicted_trip
                                           : ran && res->measured && !res->trip);
    replay_result_free(&out);
    return loads;
}

/* The real command with a fix; the squeeze's filler stays the same size,
   as the rest of a larger application would.  library_path: LD_LIBRARY_PATH
   as the fix sets it, or NULL. */
static bool command_works(struct doctor *d, const char *preload, const char *library_path,
                          const char *first, const char *tunables, int *exit_code)
{
    struct squeeze_setup setup = {.helper = d->fill >= 0 || first, .leave = -1, .fill = d->fill,
                                  .preload = preload, .library_path = library_path,
                                  .first = first, .tunables = tunables};
    struct squeeze_run r;
    squeezer_run(&d->squeezer, &setup, &r);
    bool works = squeeze_succeeds(&d->squeezer, &r, setup.helper);
    *exit_code = r.exit_code;
    squeeze_run_free(&r);
    return works;
}

static const char *squeeze_note(const struct doctor *d)
{
    return d->fill >= 0 ? ", with the squeeze's filler in place" : "";
}

static void add_fix(struct doctor *d, enum fix_kind kind, char *what, char *line, bool on_command,
                    bool works, char *evidence)
{
    *XAPPEND(&d->fixes, &d->nfixes) =
        (struct doctor_fix){kind, what, line, on_command, works, evidence};
}

/* A fix its replay on fixtures predicts to trip: not run on the command,
   and said (the first DOCTOR_DROPPED_LISTED, then counted). */
static void add_dropped(struct doctor *d, enum fix_kind kind, char *what, char *line)
{
    if (d->ndropped >= DOCTOR_DROPPED_LISTED) {
        d->dropped_more++;
        free(what), free(line);
        return;
    }
    *XAPPEND(&d->dropped, &d->ndropped) = (struct doctor_fix){
        kind, what, line, false, false,
        xstrdup("not run on the command: the replay on fixtures of the same shapes still trips "
                "with it (measured on fixtures)")};
}

/* The static-TLS objects the command dlopened, the one that tripped first. */
static size_t preload_candidates(const struct doctor *d, const char *tripped, const char **out)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < d->trace.nevents && n < MAX_CANDIDATES; i++) {
            const struct trace_event *e = &d->trace.events[i];
            if (e->close || !e->dlopen || e->access != TLS_IE || !replay_includes(e))
                continue;
            bool is_tripped = tripped && strcmp(e->path, tripped) == 0;
            if ((pass == 0) != is_tripped)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= strcmp(out[k], e->path) == 0;
            if (!dup)
                out[n++] = e->path;
        }
    return n;
}

/* The next k-subset of n in lexicographic order; false after the last. */
static bool next_subset(size_t *idx, size_t k, size_t n)
{
    size_t i = k;
    while (i-- > 0)
        if (idx[i] < n - k + i) {
            idx[i]++;
            for (size_t j = i + 1; j < k; j++)
                idx[j] = idx[j - 1] + 1;
            return true;
        }
    return false;
}

/* How a set of objects is preloaded.  ld.so splits LD_PRELOAD at spaces
   and ':' (rtld.c), so a path with either is never one entry: its
   directory goes into LD_LIBRARY_PATH (split only at ':' and ';') and
   LD_PRELOAD names the file alone, which ld.so looks for there. */
struct preload_plan {
    char *preload;      /* LD_PRELOAD's value */
    char *library_path; /* LD_LIBRARY_PATH's (the user's kept after), or NULL */
    char *line;         /* the line to paste */
};

/* False where no LD_PRELOAD can name paths[i] (a file name with a space or
   ':', a directory with ':' or ';'): *why says so, and what works. */
static bool plan_preload(const struct doctor *d, const char *const *paths, size_t k,
                         struct preload_plan *p, char **why)
{
    char *preload = xstrdup(""), *dirs = xstrdup("");
    for (size_t i = 0; i < k; i++) {
        const char *path = paths[i], *name = path;
        char *dir = NULL;
        if (strpbrk(path, " :")) {
            const char *slash = strrchr(path, '/');
            name = slash ? slash + 1 : path;
            dir = xasprintf("%.*s", slash ? (int)(slash == path ? 1 : slash - path) : 1,
                            slash ? path : ".");
            if (strpbrk(name, " :") || strpbrk(dir, ":;")) {
                *why = xasprintf("not run: LD_PRELOAD cannot name %s: ld.so splits its value at "
                                 "spaces and ':' (and LD_LIBRARY_PATH, which could hold its "
                                 "directory, at ':' and ';'); make a symbolic link to it whose "
                                 "path has neither, and preload the link", path);
                free(dir), free(preload), free(dirs);
                return false;
            }
        }
        char *next = xasprintf("%s%s%s", preload, i ? ":" : "", name);
        free(preload);
        preload = next;
        if (dir) {
            next = xasprintf("%s%s%s", dirs, *dirs ? ":" : "", dir);
            free(dirs);
            dirs = next;
            free(dir);
        }
    }
    p->preload = preload;
    p->library_path = NULL;
    p->line = shell_line("LD_PRELOAD", preload, d->squeezer.command);
    if (*dirs) {
        const char *theirs = env_lookup(d->squeezer.settings->user_env, "LD_LIBRARY_PATH");
        p->library_path = theirs && *theirs ? xasprintf("%s:%s", dirs, theirs) : xstrdup(dirs);
        char *value = shell_word(p->library_path, false);
        char *line = xasprintf("LD_LIBRARY_PATH=%s %s", value, p->line);
        free(value), free(p->line);
        p->line = line;
    }
    free(dirs);
    return true;
}

/* The smallest set of static-TLS objects whose LD_PRELOAD makes the command
   work: sets the replay predicts to work, smallest first, each run. */
static void find_preload(struct doctor *d, const char *tripped, bool replay_trusted)
{
    const char *cand[MAX_CANDIDATES];
    size_t n = preload_candidates(d, tripped, cand);
    unsigned tries = 0;
    for (size_t k = 1; k <= n && k <= MAX_PRELOAD_SET; k++) {
        /* Without a faithful replay, only single objects, each run. */
        if (!replay_trusted && k > 1)
            break;
        size_t idx[MAX_PRELOAD_SET];
        for (size_t i = 0; i < k; i++)
            idx[i] = i;
        do {
            struct fix fixes[MAX_PRELOAD_SET];
            char *paths = xstrdup("");
            for (size_t i = 0; i < k; i++) {
                fixes[i] = (struct fix){.kind = FIX_PRELOAD,
                                        .name = (char *)replay_base_name(cand[idx[i]])};
                char *next = xasprintf("%s%s%s", paths, i ? ":" : "", cand[idx[i]]);
                free(paths);
                paths = next;
            }
            if (replay_trusted && !replay_loads(d, fixes, k, false)) {
                if (d->replay_failed) {
                    free(paths);
                    return;
                }
                add_dropped(d, FIX_PRELOAD, paths,
                            shell_line("LD_PRELOAD", paths, d->squeezer.command));
                continue;
            }
            const char *set[MAX_PRELOAD_SET];
            for (size_t i = 0; i < k; i++)
                set[i] = cand[idx[i]];
            struct preload_plan plan;
            char *why;
            if (!plan_preload(d, set, k, &plan, &why)) {
                add_fix(d, FIX_PRELOAD, paths, shell_line("LD_PRELOAD", paths, d->squeezer.command),
                        false, false, why);
                continue;
            }
            int code;
            bool works = command_works(d, plan.preload, plan.library_path, NULL, NULL, &code);
            add_fix(d, FIX_PRELOAD, xstrdup(paths), plan.line, true, works,
                    xasprintf("the command exits %d with it (measured%s)%s%s", code,
                              squeeze_note(d),
                              replay_trusted ? "; the replay on fixtures loads (measured)" : "",
                              plan.library_path
                                  ? "; LD_PRELOAD cannot name a path with a space or ':' (ld.so "
                                    "splits its value there): LD_LIBRARY_PATH holds the "
                                    "directory, and LD_PRELOAD names the file"
                                  : ""));
            free(plan.preload), free(plan.library_path);
            free(paths);
            if (works || ++tries >= MAX_COMMAND_TRIES)
                return;
        } while (next_subset(idx, k, n));
    }
}

static bool trips_with_optional(long long n, void *ctx)
{
    struct doctor *d = ctx;
    char *t = xasprintf("optional_static_tls=%lld", n);
    struct fix f = {.kind = FIX_TUNABLE, .tunable = t};
    bool trips = !replay_loads(d, &f, 1, true);
    free(t);
    return trips;
}

/* The smallest glibc.rtld.optional_static_tls the model predicts, run at N
   (it must work) and at N - 1 (whether N is also the measured smallest). */
static void find_tunable(struct doctor *d)
{
    if (d->budget.model.rules.surplus == SURPLUS_LEGACY)
        return; /* no such tunable before 2.32 (Debian's 2.31 backports it) */
    long long lo = (long long)d->budget.tunables.optional, hi;
    if (!trips_with_optional(lo, d) || !search_grow(&lo, &hi, trips_with_optional, d))
        return; /* it does not trip as is, or nothing raises it enough */
    long long n = search_last(lo, hi, trips_with_optional, d) + 1;
    char *tunable = xasprintf("glibc.rtld.optional_static_tls=%lld", n);
    char *below = xasprintf("glibc.rtld.optional_static_tls=%lld", n - 1);
    int code, code_below;
    bool works = command_works(d, NULL, NULL, NULL, tunable, &code);
    bool below_works = works && command_works(d, NULL, NULL, NULL, below, &code_below);
    add_fix(d, FIX_TUNABLE, xstrdup(tunable),
            shell_line("GLIBC_TUNABLES", tunable, d->squeezer.command), true, works,
            !works ? xasprintf("the model predicts %lld; the command exits %d with it (measured%s)",
                               n, code, squeeze_note(d))
            : below_works
                ? xasprintf("the command exits %d with it (measured%s); %lld predicted by the "
                            "model, but %lld works too (measured)", code, squeeze_note(d), n, n - 1)
                : xasprintf("the command exits %d with it and %d with %lld (measured%s); the "
                            "smallest, as the model predicts", code, code_below, n - 1,
                            squeeze_note(d)));
    free(tunable), free(below);
}

static char *first_line(const char *object)
{
    return xasprintf("load %s before the rest: dlopen it (or import the module that needs it) "
                     "first", object);
}

/* The tripped object dlopened before anything else: verified through the
   helper, which dlopens it first; in the user's program, a change of order. */
static void find_first(struct doctor *d, const char *object)
{
    struct fix f = {.kind = FIX_FIRST, .name = (char *)replay_base_name(object)};
    if (!replay_loads(d, &f, 1, false)) {
        if (!d->replay_failed)
            add_dropped(d, FIX_FIRST, xstrdup(object), first_line(object));
        return;
    }
    int code;
    bool works = command_works(d, NULL, NULL, object, NULL, &code);
    add_fix(d, FIX_FIRST, xstrdup(object), first_line(object), true, works,
            xasprintf("the command exits %d when statictls' helper dlopens it first (measured%s); "
                      "the replay on fixtures loads (measured)", code, squeeze_note(d)));
}

/* Rebuilt without initial-exec TLS: validated by the replay on fixtures. */
static void find_rebuild(struct doctor *d, const char *object)
{
    static const struct {
        enum tls_access as;
        const char *how;
    } ways[] = {{TLS_DESC, "TLS descriptors (-mtls-dialect=gnu2 on x86_64, the default on aarch64)"},
                {TLS_GD, "general-dynamic TLS (-ftls-model=global-dynamic, no initial-exec "
                         "attributes)"}};
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        struct fix f = {.kind = FIX_REBUILD, .name = (char *)replay_base_name(object),
                        .rebuilt_as = ways[i].as};
        bool loads = replay_loads(d, &f, 1, false);
        add_fix(d, FIX_REBUILD, xstrdup(object),
                xasprintf("rebuild %s with %s", replay_base_name(object), ways[i].how), false, loads,
                xasprintf("needs a rebuild: validated by replay on fixtures of the same shapes, "
                          "which %s (measured on fixtures, not on the command)",
                          loads ? "loads" : "still trips"));
    }
}

bool doctor_find_fixes(struct doctor *d, const struct diagnosis *dx)
{
    /* The object to move: the one glibc named, else where the model trips. */
    const char *object = NULL;
    for (size_t i = 0; i < d->trace.nevents && !object; i++)
        if (dx->tripped && strcmp(d->trace.events[i].path, dx->tripped) == 0)
            object = d->trace.events[i].path;
    if (!object && dx->trip)
        object = dx->objects[dx->trip - 1].path;
    bool replay_trusted = !replay_loads(d, NULL, 0, false);
    if (!d->replay_failed)
        find_preload(d, object, replay_trusted);
    if (replay_trusted && !d->replay_failed)
        find_tunable(d);
    if (object && replay_trusted && !d->replay_failed)
        find_first(d, object);
    if (object && !d->replay_failed)
        find_rebuild(d, object);
    return !d->replay_failed;
}

void doctor_fixes_free(struct doctor_fix *fixes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(fixes[i].what), free(fixes[i].line), free(fixes[i].evidence);
    free(fixes);
}
