/* A command ld.so refuses to start: its startup objects from the ELF files
   (resolve.h's closure, as ld.so searches), placed by the model's startup
   layout under auditing (budget_add_preloads, budget_set_audit: the same
   code the case language's `audit` and `preload` run on), and fixes run on
   the command itself (the tunable: the model's prediction first, then runs
   down to the smallest that starts it), or on fixtures (rebuilds). */
#define _GNU_SOURCE
#include "doctor_startup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "caseparse.h"
#include "caserun.h"
#include "casewrite.h"
#include "command.h"
#include "elfinfo.h"
#include "protocol.h"
#include "resolve.h"
#include "rules.h"
#include "runenv.h"
#include "tunesearch.h"
#include "shellquote.h"
#include "xalloc.h"

enum {
    MAX_PRELOAD_DROPS = 4, /* preloads each tried left out, one at a time */
};

enum load_kind startup_refusal(int exit_code, const char *message, const char *tail)
{
    if (exit_code != 127)
        return KIND_LOADED;
    if (message && strstr(message, "error while loading shared libraries: "))
        return classify_dlerror(message);
    const char *audit = tail ? strstr(tail, load_kind_message(KIND_AUDIT_LIMIT)) : NULL;
    return audit ? KIND_AUDIT_LIMIT : KIND_LOADED;
}

/* The runs of the command, as the user gave it and changed by a fix. */
struct runner {
    const struct startup_request *q;
    struct startup_report *r;
};

/* One run: its exit code (-1: timed out), whether ld.so refused to start
   it, and ld.so's line. */
struct run_seen {
    int exit_code;
    bool refused;
    char *message; /* the caller's to free */
};

/* Runs the command changed by c (without statictls' helper: nothing in it
   is measured, only whether it starts); whether it exits as expected. */
static bool run_changed(struct runner *u, const struct launch_change *c, struct run_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    seen->exit_code = -1;
    if (u->r->timed_out) /* after a timeout nothing more runs */
        return false;
    struct launch_command cmd;
    launch_change(u->q->launch, c, &cmd);
    char *extra[1] = {cmd.assign};
    struct command_outcome o;
    command_watch(&(struct command_spec){cmd.argv, extra, cmd.assign ? 1 : 0, u->q->timeout_s,
                                         false},
                  &o);
    u->r->runs++;
    u->r->timed_out |= o.timed_out;
    if (!o.timed_out)
        seen->exit_code = command_exit_code(o.status);
    seen->refused = startup_refusal(seen->exit_code, o.message, o.tail) != KIND_LOADED;
    /* glibc's static TLS line, else ld.so's line about audit modules */
    const char *audit = o.tail ? strstr(o.tail, load_kind_message(KIND_AUDIT_LIMIT)) : NULL;
    while (audit && !o.message && audit > o.tail && audit[-1] != '\n')
        audit--;
    seen->message = o.message ? o.message
                  : audit     ? xasprintf("%.*s", (int)strcspn(audit, "\n"), audit)
                              : NULL;
    o.message = NULL;
    command_outcome_free(&o);
    launch_command_free(&cmd);
    return seen->exit_code == u->q->expect_exit;
}

static char *change_line(const struct runner *u, const struct launch_change *c)
{
    struct launch_command cmd;
    launch_change(u->q->launch, c, &cmd);
    char *line = launch_change_line(&cmd);
    launch_command_free(&cmd);
    return line;
}

/* The command's GLIBC_TUNABLES with name=value merged in: the caller frees. */
static char *command_tunables(const struct runner *u, const char *name, long long value)
{
    return tunables_with(launch_getenv(u->q->launch, "GLIBC_TUNABLES"), name, value);
}

/* tunable_runner: the command with glibc.rtld.optional_static_tls=n merged
   into its GLIBC_TUNABLES: whether ld.so still refuses to start it (a run
   that timed out ends the search). */
static enum tunable_run refused_run(long long n, int *exit_code, void *ctx)
{
    struct runner *u = ctx;
    char *t = command_tunables(u, OPTIONAL_STATIC_TLS, n);
    struct run_seen seen;
    run_changed(u, &(struct launch_change){.set_name = "GLIBC_TUNABLES", .set_value = t}, &seen);
    free(t), free(seen.message);
    *exit_code = seen.exit_code;
    return seen.exit_code < 0 ? TUNABLE_STOP : seen.refused ? TUNABLE_FAILS : TUNABLE_WORKS;
}

static void add_fix(struct startup_report *r, struct startup_fix f)
{
    *XAPPEND(&r->fixes, &r->nfixes) = f;
}

/* ---- the model ---------------------------------------------------------- */

/* The host's budget in the program's environment, read by a probe:
   GLIBC_TUNABLES and LD_AUDIT as the program gets them (the audit modules
   left out where ld.so refused them all, then counted by the model).  The
   probe stands in for the program: the preloads are added after. */
static bool read_budget(const struct startup_request *q, const struct startup_report *r,
                        struct budget *b, char *why, size_t whylen)
{
    struct run_env env;
    run_env_empty(&env, q->host, q->settings, PROBE_TIMEOUT_S);
    if (r->glibc_tunables)
        run_env_set(&env, "GLIBC_TUNABLES", r->glibc_tunables);
    if (r->ld_audit && q->refusal != KIND_AUDIT_LIMIT)
        run_env_set(&env, "LD_AUDIT", r->ld_audit);
    const char *bind_now = launch_getenv(q->launch, "LD_BIND_NOW");
    if (bind_now)
        run_env_set(&env, "LD_BIND_NOW", bind_now);
    bool read = budget_read(&env.probe, b, why, whylen);
    run_env_free(&env);
    if (read && q->refusal == KIND_AUDIT_LIMIT)
        budget_set_audit(b, r->ld_audit);
    return read;
}

static void set_add(struct start_objects *s, const struct budget *b,
                    const struct resolved_object *o, const char *role)
{
    start_objects_add(s, b, o->id, o->path, &o->module.block, o->module.access, role);
}

/* The program's own PT_TLS and the rest of the startup set; false with why. */
static bool read_objects(const struct startup_request *q, const struct startup_report *r,
                         const struct budget *b, struct elf_tls *main_tls,
                         struct start_objects *s, char *why, size_t whylen)
{
    const struct launch *l = q->launch;
    char err[512];
    if (!elf_tls_read(r->program, main_tls, err, sizeof err)) {
        snprintf(why, whylen, "the program is not an ELF file ld.so starts (%.400s)", err);
        return false;
    }
    char *const *dirs = q->host->lib_dirs;
    struct closure prog;
    if (!resolve_closure(r->program, l->envp, dirs, &prog)) {
        snprintf(why, whylen, "a DT_NEEDED library of %s is not found, or not readable, "
                 "where ld.so searches", r->program);
        return false;
    }
    struct closure *pre = NULL;
    size_t npre = 0;
    bool ok = true;
    char *list = xstrdup(r->ld_preload ? r->ld_preload : "");
    /* ld.so splits LD_PRELOAD at spaces and colons (elf/rtld.c). */
    for (char *save = NULL, *name = strtok_r(list, " :", &save); name && ok;
         name = strtok_r(NULL, " :", &save)) {
        struct closure c;
        if (resolve_closure(name, l->envp, dirs, &c))
            *XAPPEND(&pre, &npre) = c;
        /* ld.so ignores a preload it cannot find ("cannot be preloaded") */
    }
    free(list);
    /* In link-map order: the preloads, then the program's DT_NEEDED
       closure, then what the preloads need (breadth first, as
       _dl_map_object_deps from the program and the preloads). */
    for (size_t i = 0; i < npre; i++)
        if (pre[i].root_has_tls)
            set_add(s, b, &pre[i].objects[0], "preload");
    for (size_t i = prog.root_has_tls ? 1 : 0; i < prog.n; i++)
        set_add(s, b, &prog.objects[i], "needed");
    for (size_t i = 0; i < npre; i++)
        for (size_t k = pre[i].root_has_tls ? 1 : 0; k < pre[i].n; k++)
            set_add(s, b, &pre[i].objects[k], "needed");
    for (size_t i = 0; i < npre; i++)
        closure_free(&pre[i]);
    free(pre);
    closure_free(&prog);
    return ok;
}

static const char *where_of(const struct budget *b, size_t i)
{
    const struct budget_module *m = &b->modules[i];
    if (strcmp(m->path, PROTO_MAIN_NAME) == 0)
        return "initial";
    if (b->startup_failure == KIND_STATIC_TLS_EXHAUSTED && m->path == b->startup_failure_at)
        return "TRIPS";
    if (m->lazy)
        return "first use";
    if (!b->tunables.naudit) /* laid out with the program, in the initial block */
        return "initial";
    return m->predicted_static ? "surplus" : "dynamic";
}

/* The budget's modules as the report lists them, roles from the set. */
static void list_objects(const struct budget *b, const struct start_objects *s,
                         struct startup_report *r)
{
    for (size_t i = 0; i < b->nmodules; i++) {
        const struct budget_module *m = &b->modules[i];
        bool main = strcmp(m->path, PROTO_MAIN_NAME) == 0;
        const char *role = main ? "program" : "needed";
        for (size_t k = 0; k < s->n; k++)
            if (strcmp(s->mods[k].path, m->path) == 0)
                role = s->roles[k];
        *XAPPEND(&r->objects, &r->nobjects) = (struct startup_object){
            .path = xstrdup(main ? r->program : m->path), .role = role, .size = m->block.size,
            .align = m->block.align, .access = m->access, .where = where_of(b, i)};
        if (!strcmp(where_of(b, i), "TRIPS") && !r->trip)
            r->trip = r->nobjects;
    }
}

/* The audit modules with their own TLS, listed: each is loaded into a
   namespace of its own (with its own libc), which the model counts in the
   surplus; an audit module's own TLS block the model does not place. */
static void list_audit_modules(struct startup_report *out)
{
    char *list = xstrdup(out->ld_audit ? out->ld_audit : "");
    for (char *save = NULL, *name = strtok_r(list, ":", &save); name;
         name = strtok_r(NULL, ":", &save)) {
        struct elf_tls t;
        char err[512];
        if (!elf_tls_read(name, &t, err, sizeof err))
            continue;
        if (t.has_tls)
            *XAPPEND(&out->objects, &out->nobjects) = (struct startup_object){
                .path = xstrdup(name), .role = "audit", .size = t.tls_memsz,
                .align = t.tls_align, .access = elf_tls_access(&t), .where = "not modelled"};
        elf_tls_free(&t);
    }
    free(list);
}

/* The process ld.so refused, as its line names it ("./prog: error while
   loading shared libraries: ..."), or NULL where the line names none. */
static char *refused_process(const char *message)
{
    const char *at = message ? strstr(message, ": error while loading shared libraries") : NULL;
    if (!at)
        return NULL;
    const char *start = at;
    while (start > message && start[-1] != '\n')
        start--;
    return xasprintf("%.*s", (int)(at - start), start);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The model's startup of the program, and the smallest optional_static_tls
   it predicts; r->modelled false with why_not_modelled where it cannot. */
static void model_startup(const struct startup_request *q, struct budget *b,
                          struct startup_report *r)
{
    if (q->launch->opaque_option) {
        snprintf(r->why_not_modelled, sizeof r->why_not_modelled,
                 "env's option %s is not read by doctor: which program starts is not known",
                 q->launch->opaque_option);
        return;
    }
    /* A launcher or a script that runs another program: ld.so refused that
       one, whose environment and objects doctor does not know. */
    char *refused = refused_process(r->message);
    const char *prog = q->launch->argv[q->launch->prog_at];
    if (refused && strcmp(base_name(refused), base_name(prog)) != 0) {
        snprintf(r->why_not_modelled, sizeof r->why_not_modelled,
                 "ld.so refused to start %.150s, not the program doctor runs (%.150s): it "
                 "starts another, whose objects and environment are not read",
                 refused, prog);
        free(refused);
        return;
    }
    free(refused);
    struct elf_tls main_tls = {0};
    struct start_objects s = {0};
    if (!read_objects(q, r, b, &main_tls, &s, r->why_not_modelled,
                      sizeof r->why_not_modelled)) {
        elf_tls_free(&main_tls);
        for (size_t i = 0; i < s.n; i++)
            free(s.mods[i].path);
        start_objects_free(&s);
        return;
    }
    struct tls_block mb = {main_tls.has_tls ? main_tls.tls_memsz : 0, main_tls.tls_align,
                           elf_tls_firstbyte(&main_tls)};
    budget_set_main(b, &mb, elf_tls_access(&main_tls));
    elf_tls_free(&main_tls);
    start_objects_place(b, &s); /* roles then match by path */
    if (!b->modelled) {
        snprintf(r->why_not_modelled, sizeof r->why_not_modelled, "%s", b->why_not_modelled);
        start_objects_free(&s);
        return;
    }
    r->modelled = true;
    list_objects(b, &s, r);
    list_audit_modules(r);
    start_objects_free(&s);
    if (b->startup_failure != KIND_STATIC_TLS_EXHAUSTED ||
        b->model.rules.surplus == SURPLUS_LEGACY)
        return;
    /* The smallest optional_static_tls that places every object. */
    struct tunable_model m = {b, r->glibc_tunables, 0};
    r->optional_predicted = tunable_model_smallest(&m, r->optional_now);
}

/* ---- the fixes ---------------------------------------------------------- */

/* The smallest optional_static_tls that starts the command, measured:
   the model's prediction run first, then (where it does not hold) a
   search; the runs at N and N - 1 are the evidence. */
static void find_tunable(struct runner *u)
{
    struct startup_report *r = u->r;
    long long p = r->optional_predicted;
    struct tunable_search search = {.run = refused_run, .ctx = u,
                                    .known_fails = r->optional_now, .known_works = -1,
                                    .predicted = p};
    tunable_search_run(&search);
    if (search.smallest < 0 || r->timed_out)
        return;
    long long n = search.smallest;
    r->optional_measured = n;
    r->exit_at = search.exit_at;
    r->exit_below = search.exit_below;
    char *t = command_tunables(u, OPTIONAL_STATIC_TLS, n);
    struct launch_change c = {.set_name = "GLIBC_TUNABLES", .set_value = t};
    char *predicted = p > 0 ? xasprintf("predicted %lld", p) : xstrdup("made no prediction");
    bool works = r->exit_at == u->q->expect_exit;
    add_fix(r, (struct startup_fix){
                   .kind = "tunable", .what = xasprintf("%s=%lld", OPTIONAL_STATIC_TLS, n),
                   .line = change_line(u, &c), .on_command = true, .works = works,
                   .evidence = xasprintf(
                       "the command starts and exits %d with it%s, and ld.so refuses it with "
                       "%lld, exit %d (measured: the smallest, %lld bytes above %lld); the "
                       "model %s",
                       r->exit_at, works ? "" : " (not the exit expected)", n - 1,
                       r->exit_below, n - r->optional_now, r->optional_now, predicted)});
    free(predicted);
    free(t);
}

/* Too many audit modules: the largest glibc.rtld.nns that leaves them
   their namespaces, DL_NNS less one per audit module (modelled), run there
   and one above. */
static bool nns_refuses(struct runner *u, long long n, int *code)
{
    char *t = command_tunables(u, "glibc.rtld.nns", n);
    struct run_seen seen;
    bool works = run_changed(u, &(struct launch_change){.set_name = "GLIBC_TUNABLES",
                                                        .set_value = t},
                             &seen);
    free(t), free(seen.message);
    *code = seen.exit_code;
    return !works;
}

static void find_nns(struct runner *u)
{
    struct startup_report *r = u->r;
    long long n = (long long)DL_NNS - (long long)r->naudit;
    int code = -1, above = -1;
    while (n >= 1 && nns_refuses(u, n, &code) && !r->timed_out)
        n--; /* the model missed: one lower at a time (at most 15 runs) */
    if (n < 1 || r->timed_out)
        return;
    bool above_works = n < DL_NNS && !nns_refuses(u, n + 1, &above);
    if (above_works || r->timed_out)
        return; /* not the largest: say nothing rather than a figure not shown */
    char *t = command_tunables(u, "glibc.rtld.nns", n);
    struct launch_change c = {.set_name = "GLIBC_TUNABLES", .set_value = t};
    add_fix(r, (struct startup_fix){
                   .kind = "tunable", .what = xasprintf("glibc.rtld.nns=%lld", n),
                   .line = change_line(u, &c), .on_command = true, .works = true,
                   .evidence = xasprintf(
                       "the command starts and exits %d with it, exits %d with %lld (measured: "
                       "the largest); the model predicts %d - %zu audit modules = %lld: the "
                       "program keeps namespace 0 and %lld for dlmopen",
                       code, above, n + 1, DL_NNS, r->naudit,
                       (long long)DL_NNS - (long long)r->naudit, n - 1)});
    free(t);
}

/* The command without a variable, or with LD_PRELOAD less one object:
   an option, said where it starts.  kind and what as startup_fix has them. */
static void try_without(struct runner *u, const char *kind, const char *what,
                        const struct launch_change *c, const char *how)
{
    struct run_seen seen;
    bool works = run_changed(u, c, &seen);
    free(seen.message);
    int code = seen.exit_code;
    if (u->r->timed_out)
        return;
    add_fix(u->r, (struct startup_fix){
                      .kind = kind, .what = xstrdup(what), .line = change_line(u, c),
                      .on_command = true, .works = works, .option = true,
                      .evidence = xasprintf("%s the command exits %d (measured)%s", how, code,
                                            works ? ": an option where you can do without it"
                                                  : "")});
}

static void find_without(struct runner *u)
{
    const struct startup_report *r = u->r;
    if (r->ld_audit && *r->ld_audit)
        try_without(u, "without-audit", "LD_AUDIT", &(struct launch_change){.drop = "LD_AUDIT"},
                    "without its audit modules (LD_AUDIT unset)");
    if (!r->ld_preload || !*r->ld_preload)
        return;
    try_without(u, "without-preload", "LD_PRELOAD",
                &(struct launch_change){.drop = "LD_PRELOAD"}, "without LD_PRELOAD");
    /* With several preloads: each left out in turn, the rest in order. */
    char **names = NULL;
    size_t n = 0;
    char *list = xstrdup(r->ld_preload);
    for (char *save = NULL, *w = strtok_r(list, " :", &save); w; w = strtok_r(NULL, " :", &save))
        *XAPPEND(&names, &n) = w;
    for (size_t skip = 0; n > 1 && skip < n && skip < MAX_PRELOAD_DROPS; skip++) {
        char *rest = xstrdup("");
        for (size_t i = 0; i < n; i++) {
            if (i == skip)
                continue;
            char *next = xasprintf("%s%s%s", rest, *rest ? ":" : "", names[i]);
            free(rest);
            rest = next;
        }
        char *how = xasprintf("with LD_PRELOAD less %s", names[skip]);
        try_without(u, "without-preload", names[skip],
                    &(struct launch_change){.set_name = "LD_PRELOAD", .set_value = rest}, how);
        free(how), free(rest);
    }
    /* The same objects in the reverse order: ld.so places them last to
       first, and the padding between them changes with the order.  Not an
       option: nothing is dropped. */
    if (n > 1) {
        char *reversed = xstrdup("");
        for (size_t i = n; i-- > 0;) {
            char *next = xasprintf("%s%s%s", reversed, *reversed ? ":" : "", names[i]);
            free(reversed);
            reversed = next;
        }
        struct launch_change c = {.set_name = "LD_PRELOAD", .set_value = reversed};
        struct run_seen seen;
        bool works = run_changed(u, &c, &seen);
        free(seen.message);
        if (!u->r->timed_out)
            add_fix(u->r, (struct startup_fix){
                              .kind = "preload-order", .what = xstrdup(reversed),
                              .line = change_line(u, &c), .on_command = true, .works = works,
                              .evidence = xasprintf("the same preloads in the reverse order: the "
                                                    "command exits %d (measured)",
                                                    seen.exit_code)});
        free(reversed);
    }
    free(names), free(list);
}

/* A case of fixtures of the startup objects' shapes under the same audit
   count and tunables, one of them rebuilt as `as` (or none: TLS_IE keeps
   them): whether ld.so starts it, or -1 where the case cannot run. */
static int fixtures_start(const struct startup_request *q, struct startup_report *r,
                          size_t rebuilt, enum tls_access as)
{
    struct case_writer w;
    case_writer_open(&w);
    case_write_title(&w, "startup of the command's objects, on fixtures");
    case_write_libc(&w, "glibc", NULL, NULL);
    if (r->glibc_tunables && *r->glibc_tunables)
        case_write_tunables(&w, r->glibc_tunables);
    case_write_audit(&w, (long)r->naudit);
    char (*names)[32] = xcalloc(r->nobjects + 1, sizeof *names);
    size_t nfix = 0;
    for (size_t i = 0; i < r->nobjects; i++) {
        const struct startup_object *o = &r->objects[i];
        if (strcmp(o->role, "program") == 0 || strcmp(o->role, "audit") == 0 ||
            strstr(o->path, "/libc.so") || !o->size)
            continue;
        snprintf(names[nfix], sizeof names[nfix], "o%zu", i);
        struct case_object co = {.name = names[nfix], .kind = OBJ_FIXTURE,
                                 .access = i == rebuilt ? as : o->access,
                                 .size = {false, (long long)o->size},
                                 .align = o->align ? o->align : 1, .align_given = true};
        case_write_object(&w, &co, NULL);
        nfix++;
    }
    for (size_t i = 0; i < nfix; i++)
        case_write_preload(&w, names[i]);
    for (size_t i = 0; i < nfix; i++)
        case_write_step(&w, OP_LOAD, names[i]);
    free(names);
    case_write_expect_model(&w);
    char err[512];
    char *text = case_writer_close(&w, err, sizeof err);
    struct case_def def;
    if (!text || !nfix || !case_parse("startup.case", text, &def, err, sizeof err)) {
        free(text);
        return -1;
    }
    free(text);
    struct case_result res;
    case_run(&def, q->host, q->settings, &res);
    r->cases++;
    int starts = res.startup_failed ? 0 : res.end == CASE_ENDED_STEPS || res.end ==
                                                   CASE_ENDED_NO_STEPS ? 1 : -1;
    case_result_free(&res);
    case_free(&def);
    return starts;
}

/* Rebuilt without initial-exec TLS: validated by a case on fixtures, as
   it stands (it must refuse as the command does) and with the rebuild. */
static void find_rebuild(const struct startup_request *q, struct startup_report *r)
{
    if (!r->trip || r->naudit > 8 || fixtures_start(q, r, (size_t)-1, TLS_IE) != 0)
        return; /* the fixtures do not stand for the command: no claim */
    const struct startup_object *o = &r->objects[r->trip - 1];
    static const struct {
        enum tls_access as;
        const char *how;
    } ways[] = {{TLS_DESC, "TLS descriptors (-mtls-dialect=gnu2 on x86_64, the default on "
                           "aarch64)"},
                {TLS_GD, "general-dynamic TLS (-ftls-model=global-dynamic, no initial-exec "
                         "attributes)"}};
    const char *base = strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        int starts = fixtures_start(q, r, r->trip - 1, ways[i].as);
        if (starts < 0)
            continue;
        add_fix(r, (struct startup_fix){
                       .kind = "rebuild", .what = xstrdup(o->path),
                       .line = xasprintf("rebuild %s with %s", base, ways[i].how),
                       .on_command = false, .works = starts == 1,
                       .evidence = xasprintf(
                           "needs a rebuild: validated by a case on fixtures of the same shapes "
                           "under the same audit modules and tunables, which %s (measured on "
                           "fixtures, not on the command)", starts ? "starts" : "still refuses")});
    }
}

static char *dup_env(const struct launch *l, const char *name)
{
    const char *v = launch_getenv(l, name);
    return v ? xstrdup(v) : NULL;
}

bool doctor_startup(const struct startup_request *q, struct startup_report *out, char *why,
                    size_t whylen)
{
    memset(out, 0, sizeof *out);
    out->refusal = q->refusal;
    out->optional_predicted = out->optional_measured = -1;
    out->exit_at = out->exit_below = -1;
    out->program = xstrdup(q->launch->program);
    out->ld_audit = dup_env(q->launch, "LD_AUDIT");
    out->ld_preload = dup_env(q->launch, "LD_PRELOAD");
    out->glibc_tunables = dup_env(q->launch, "GLIBC_TUNABLES");
    struct runner u = {.q = q, .r = out};
    /* As is, without statictls' helper: what the user sees. */
    struct run_seen as_is;
    run_changed(&u, &(struct launch_change){0}, &as_is);
    out->exit_code = as_is.exit_code;
    out->message = as_is.message;
    out->helper_only = !as_is.refused && !out->timed_out;
    if (out->timed_out || out->helper_only)
        return true;
    struct budget b;
    if (!read_budget(q, out, &b, why, whylen))
        return false;
    out->naudit = b.tunables.naudit;
    out->nns = b.tunables.nns;
    if (q->refusal == KIND_AUDIT_LIMIT)
        snprintf(out->why_not_modelled, sizeof out->why_not_modelled,
                 "too many audit modules: ld.so stops before it maps any library");
    out->optional_now = (long long)b.tunables.optional;
    if (q->refusal == KIND_STATIC_TLS_EXHAUSTED)
        model_startup(q, &b, out);
    bool tunable = b.modelled ? b.model.rules.surplus != SURPLUS_LEGACY
                              : strcmp(b.libc_name, "glibc") == 0;
    budget_free(&b);
    if (q->refusal == KIND_STATIC_TLS_EXHAUSTED && tunable)
        find_tunable(&u);
    if (q->refusal == KIND_AUDIT_LIMIT && tunable)
        find_nns(&u);
    find_without(&u);
    if (q->refusal == KIND_STATIC_TLS_EXHAUSTED)
        find_rebuild(q, out);
    return true;
}

void startup_report_free(struct startup_report *r)
{
    free(r->message), free(r->program);
    free(r->ld_audit), free(r->ld_preload), free(r->glibc_tunables);
    for (size_t i = 0; i < r->nobjects; i++)
        free(r->objects[i].path);
    free(r->objects);
    for (size_t i = 0; i < r->nfixes; i++)
        free(r->fixes[i].what), free(r->fixes[i].line), free(r->fixes[i].evidence);
    free(r->fixes);
    memset(r, 0, sizeof *r);
}

bool startup_fixed(const struct startup_report *r)
{
    for (size_t i = 0; i < r->nfixes; i++)
        if (r->fixes[i].on_command && r->fixes[i].works && !r->fixes[i].option)
            return true;
    return false;
}
