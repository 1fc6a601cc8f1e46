#define _GNU_SOURCE
#include "startroom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "elfinfo.h"
#include "envvars.h"
#include "libcbuild.h"
#include "protocol.h"
#include "runenv.h"
#include "search.h"
#include "xalloc.h"

#define OPTIONAL_TUNABLE "glibc.rtld.optional_static_tls"

/* GLIBC_TUNABLES as the user has it, with optional_static_tls = n after it
   (the last setting wins, as squeezerun.c joins it for a run). */
static char *tunables_with(const char *user, long n)
{
    return user && *user ? xasprintf("%s:" OPTIONAL_TUNABLE "=%ld", user, n)
                         : xasprintf(OPTIONAL_TUNABLE "=%ld", n);
}

static bool is_libc(const char *path)
{
    const char *base = strrchr(path, '/');
    return strncmp(base ? base + 1 : path, "libc.so", 7) == 0;
}

/* The command's startup objects with TLS as preloads of the budget probe,
   which has libc already: the program's libraries and preloads are placed
   alike at startup (relocation, _dl_allocate_static_tls), in link-map
   order.  False with why where the probe cannot stand for the command. */
static bool add_startup(struct budget *b, const struct squeeze_run *base, char *why,
                        size_t whylen)
{
    struct budget_module *mods = xcalloc(base->nstartup + 1, sizeof *mods);
    size_t n = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < base->nstartup; i++) {
        const char *path = base->startup[i];
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen |= strcmp(base->startup[k], path) == 0; /* an audit namespace's copy */
        if (seen || is_libc(path))
            continue;
        if (strcmp(path, PROTO_MAIN_NAME) == 0) {
            snprintf(why, whylen, "the program has a TLS block of its own, which the model's "
                     "probe lacks");
            ok = false;
            break;
        }
        struct elf_tls t;
        char err[512];
        if (!elf_tls_read(path, &t, err, sizeof err)) {
            snprintf(why, whylen, "%.200s", err);
            ok = false;
            break;
        }
        mods[n++] = (struct budget_module){
            .path = xstrdup(path),
            .block = {t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)},
            .access = elf_tls_access(&t)};
        elf_tls_free(&t);
    }
    if (ok)
        budget_add_preloads(b, mods, n); /* takes the paths */
    else
        for (size_t k = 0; k < n; k++)
            free(mods[k].path);
    free(mods);
    return ok;
}

/* The model: at optional_static_tls = n it starts and leaves `needed`. */
struct model_ctx {
    struct budget *b;
    const char *user_tunables;
    long needed;
};

static bool model_fails(long long n, void *ctx)
{
    struct model_ctx *m = ctx;
    char *t = tunables_with(m->user_tunables, (long)n);
    budget_set_tunables(m->b, t);
    free(t);
    return !m->b->modelled || m->b->startup_failure != KIND_LOADED ||
           (long)model_free(&m->b->model) < m->needed;
}

static long predict(struct budget *b, const struct squeeze_run *base, const char *user_tunables,
                    long needed, size_t current, char *why, size_t whylen)
{
    if (!add_startup(b, base, why, whylen))
        return -1;
    struct model_ctx m = {b, user_tunables, needed};
    if (model_fails((long long)current, &m)) {
        snprintf(why, whylen, "the model does not start it at %s=%zu, where it ran",
                 OPTIONAL_TUNABLE, current);
        return -1;
    }
    return (long)search_last(-1, (long long)current, model_fails, &m) + 1;
}

/* One run at optional_static_tls = n, with the helper: it works. */
static bool works_at(struct squeezer *s, long n, struct squeeze_run *out)
{
    char t[96];
    snprintf(t, sizeof t, OPTIONAL_TUNABLE "=%ld", n);
    struct squeeze_setup setup = {.helper = true, .leave = -1, .fill = -1, .tunables = t};
    squeezer_run(s, &setup, out);
    return squeeze_succeeds(s, out, true);
}

/* For the bisection: the largest failing run is kept (its message names
   the object ld.so could not place). */
struct failing {
    struct squeezer *s;
    struct start_room *r;
};

static bool fails_at(long long n, void *ctx)
{
    struct failing *f = ctx;
    struct squeeze_run run;
    if (works_at(f->s, (long)n, &run)) {
        squeeze_run_free(&run);
        return false;
    }
    squeeze_run_free(&f->r->below);
    f->r->below = run;
    f->r->below_run = true;
    return true;
}

static void measure(struct squeezer *s, struct start_room *r)
{
    if (r->predicted >= 0) {
        struct squeeze_run at;
        bool works = works_at(s, r->predicted, &at);
        squeeze_run_free(&at);
        if (works && r->predicted == 0)
            r->prediction_hit = true; /* nothing less to try */
        else if (works) {
            r->below_run = true;
            r->prediction_hit = !works_at(s, r->predicted - 1, &r->below);
        }
    }
    if (r->prediction_hit) {
        r->smallest = r->predicted;
        return;
    }
    squeeze_run_free(&r->below);
    r->below_run = false;
    struct failing f = {s, r};
    r->smallest = (long)search_last(-1, (long long)r->current, fails_at, &f) + 1;
}

/* The host's budget under the user's LD_AUDIT and GLIBC_TUNABLES (no
   preloads: the command's own come from its run). */
static bool read_budget(const struct squeezer *s, const char *ld_audit, const char *tunables,
                        struct libc_build *host, struct budget *b, char *why, size_t whylen)
{
    if (!libc_build_find(NULL, host, why, whylen))
        return false;
    struct run_env env;
    run_env_empty(&env, host, s->settings, PROBE_TIMEOUT_S);
    run_env_set(&env, "LD_AUDIT", ld_audit);
    if (tunables && *tunables)
        run_env_set(&env, "GLIBC_TUNABLES", tunables);
    bool read = budget_read(&env.probe, b, why, whylen);
    run_env_free(&env);
    if (!read)
        libc_build_free(host);
    return read;
}

void start_room_measure(struct squeezer *s, const struct squeeze_run *base, long needed,
                        struct start_room *out)
{
    memset(out, 0, sizeof *out);
    out->predicted = out->smallest = -1;
    const char *ld_audit = env_lookup(s->settings->user_env, "LD_AUDIT");
    if (!ld_audit || !*ld_audit)
        return;
    const char *tunables = env_lookup(s->settings->user_env, "GLIBC_TUNABLES");
    struct libc_build host;
    struct budget b;
    if (!read_budget(s, ld_audit, tunables, &host, &b, out->why_not, sizeof out->why_not))
        return;
    out->startup_objects = base->nstartup;
    if (strcmp(b.libc_name, "glibc") != 0)
        snprintf(out->why_not, sizeof out->why_not, "%s has no LD_AUDIT", b.libc_name);
    else if (!b.knows_tls_tunables)
        snprintf(out->why_not, sizeof out->why_not, "this ld.so (glibc %s) has no %s",
                 b.libc_version, OPTIONAL_TUNABLE);
    else if (!b.modelled)
        snprintf(out->why_not, sizeof out->why_not, "%s", b.why_not_modelled);
    else {
        out->applies = true;
        out->naudit = b.tunables.naudit;
        out->current = b.tunables.optional;
        out->current_is_default = !tunables || !strstr(tunables, OPTIONAL_TUNABLE "=");
        out->predicted = predict(&b, base, tunables, needed, out->current, out->model_why,
                                 sizeof out->model_why);
        measure(s, out);
    }
    budget_free(&b);
    libc_build_free(&host);
}

void start_room_free(struct start_room *r)
{
    squeeze_run_free(&r->below);
    memset(r, 0, sizeof *r);
}
