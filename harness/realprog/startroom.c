#define _GNU_SOURCE
#include "startroom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "envvars.h"
#include "libcbuild.h"
#include "protocol.h"
#include "runenv.h"
#include "tunesearch.h"
#include "xalloc.h"

/* The command's startup objects with TLS as preloads of the budget probe,
   which has libc already: the program's libraries and preloads are placed
   alike at startup (relocation, _dl_allocate_static_tls), in link-map
   order.  False with why where the probe cannot stand for the command. */
static bool add_startup(struct budget *b, const struct squeeze_run *base, char *why,
                        size_t whylen)
{
    struct start_objects set = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < base->nstartup; i++) {
        if (strcmp(base->startup[i], PROTO_MAIN_NAME) == 0) {
            snprintf(why, whylen, "the program has a TLS block of its own, which the model's "
                     "probe lacks");
            ok = false;
        } else {
            ok = start_objects_add_file(&set, b, base->startup[i], "startup", why, whylen);
        }
    }
    if (ok)
        start_objects_place(b, &set);
    else
        for (size_t k = 0; k < set.n; k++)
            free(set.mods[k].path);
    start_objects_free(&set);
    return ok;
}

static long predict(struct budget *b, const struct squeeze_run *base, const char *user_tunables,
                    long needed, size_t current, char *why, size_t whylen)
{
    if (!add_startup(b, base, why, whylen))
        return -1;
    struct tunable_model m = {b, user_tunables, needed};
    if (tunable_model_fails((long long)current, &m)) {
        snprintf(why, whylen, "the model does not start it at %s=%zu, where it ran",
                 OPTIONAL_STATIC_TLS, current);
        return -1;
    }
    return (long)tunable_model_smallest(&m, (long long)current);
}

/* tunable_runner: one run at optional_static_tls = n, with the helper,
   merged into the user's GLIBC_TUNABLES; the failing run at the largest n
   is kept (its message names the object ld.so could not place). */
struct runs {
    struct squeezer *s;
    struct start_room *r;
    long long below_n;
};

static enum tunable_run run_at(long long n, int *exit_code, void *ctx)
{
    struct runs *u = ctx;
    char t[96];
    snprintf(t, sizeof t, OPTIONAL_STATIC_TLS "=%lld", n);
    struct squeeze_setup setup = {.helper = true, .leave = -1, .fill = -1, .tunables = t};
    struct squeeze_run run;
    squeezer_run(u->s, &setup, &run);
    *exit_code = run.exit_code;
    bool works = squeeze_succeeds(u->s, &run, true);
    if (works || n < u->below_n) {
        squeeze_run_free(&run);
    } else {
        squeeze_run_free(&u->r->below);
        u->r->below = run;
        u->r->below_run = true;
        u->below_n = n;
    }
    return u->s->timed_out ? TUNABLE_STOP : works ? TUNABLE_WORKS : TUNABLE_FAILS;
}

/* Works at current, where the command ran: the smallest below it. */
static void measure(struct squeezer *s, struct start_room *r)
{
    struct runs u = {s, r, -1};
    struct tunable_search t = {.run = run_at, .ctx = &u, .known_fails = -1,
                               .known_works = (long long)r->current, .predicted = r->predicted};
    tunable_search_run(&t);
    r->prediction_hit = t.prediction_hit;
    r->smallest = (long)t.smallest;
    if (r->smallest <= 0 || u.below_n != t.smallest - 1) {
        squeeze_run_free(&r->below);
        r->below_run = false;
    }
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
                 b.libc_version, OPTIONAL_STATIC_TLS);
    else if (!b.modelled)
        snprintf(out->why_not, sizeof out->why_not, "%s", b.why_not_modelled);
    else {
        out->applies = true;
        out->naudit = b.tunables.naudit;
        out->current = b.tunables.optional;
        out->current_is_default = !tunables || !strstr(tunables, OPTIONAL_STATIC_TLS "=");
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
