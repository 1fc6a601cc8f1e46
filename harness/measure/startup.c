#define _GNU_SOURCE
#include "startup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "envvars.h"
#include "search.h"
#include "tunesearch.h"
#include "xalloc.h"
#include "xpath.h"

#define PRELOAD_NAME "(preload)" /* the model's name of the preloaded block */

/* What the searches share: the environment, the kit, the block, and the
   first probe failure that was no startup refusal (then nothing counts). */
struct starter {
    const struct run_env *env;
    struct fixture_kit *kit;
    uint64_t size;         /* the block, for the tunable's search */
    struct startup_figure *out;
    char failure[512];
};

/* A probe of env with an n-byte block preloaded (and GLIBC_TUNABLES, if
   given): whether it started.  A refusal keeps ld.so's line; any other
   failure is st->failure. */
static bool starts(struct starter *st, uint64_t n, const char *tunables)
{
    if (st->failure[0])
        return false;
    char *label = xasprintf("preload-ie-%llu", (unsigned long long)n);
    char *path = kit_make(st->kit, TLS_IE, n, 1, label);
    free(label);
    struct run_env e;
    run_env_bare(&e, st->env);
    for (size_t i = 0; st->env->vars[i]; i++) {
        char *name = xstrdup(st->env->vars[i]);
        char *eq = strchr(name, '=');
        if (eq) {
            *eq = '\0';
            run_env_set(&e, name, eq + 1);
        }
        free(name);
    }
    run_env_set(&e, "LD_PRELOAD", path);
    if (tunables)
        run_env_set(&e, "GLIBC_TUNABLES", tunables);
    struct budget b;
    char err[1024];
    bool started = budget_read(&e.probe, &b, err, sizeof err);
    st->out->probes++;
    if (started) {
        budget_free(&b);
    } else if (classify_dlerror(err) == KIND_STATIC_TLS_EXHAUSTED) {
        const char *libs = strstr(err, "error while loading shared libraries: ");
        free(st->out->error_at_edge);
        st->out->error_at_edge = xstrdup(libs ? libs + strlen("error while loading shared libraries: ") : err);
        st->out->error_at_edge[strcspn(st->out->error_at_edge, "\n")] = '\0';
        strip_dir_prefix(st->out->error_at_edge, st->kit->dir);
        st->out->kind_at_edge = KIND_STATIC_TLS_EXHAUSTED;
    } else {
        snprintf(st->failure, sizeof st->failure, "a probe with a %llu-byte preload: %.400s",
                 (unsigned long long)n, err);
    }
    run_env_free(&e);
    if (!st->kit->keep)
        remove(path);
    free(path);
    return started;
}

static bool block_starts(long long n, void *ctx)
{
    return starts(ctx, (uint64_t)n, NULL);
}

/* tunable_runner: a probe with the block preloaded at optional_static_tls
   = n, merged into env's GLIBC_TUNABLES. */
static enum tunable_run tunable_probe(long long n, int *exit_code, void *ctx)
{
    struct starter *st = ctx;
    char *t = tunables_with(env_lookup(st->env->vars, "GLIBC_TUNABLES"), OPTIONAL_STATIC_TLS, n);
    bool started = starts(st, st->size, t);
    free(t);
    *exit_code = started ? 0 : 127;
    return st->failure[0] ? TUNABLE_STOP : started ? TUNABLE_WORKS : TUNABLE_FAILS;
}

/* The model: the budget of env without the preload, and the preload
   (module `index`). */
struct model_ctx {
    struct budget *b;
    size_t index;
};

static bool model_block_starts(long long n, void *ctx)
{
    struct model_ctx *m = ctx;
    m->b->modules[m->index].block.size = (uint64_t)n;
    budget_remodel(m->b);
    return m->b->modelled && m->b->startup_failure == KIND_LOADED;
}

/* The budget of env with the block of size bytes preloaded, for the model
   (m->b, where *modelled); false, with st->failure, where the probe of env
   failed or ld.so did not load its audit modules. */
static bool model_budget(struct starter *st, uint64_t size, struct model_ctx *m, bool *modelled)
{
    char err[1024];
    st->out->probes++;
    if (!budget_read(&st->env->probe, m->b, err, sizeof err)) {
        snprintf(st->failure, sizeof st->failure, "%.480s", err);
        return false;
    }
    if (strcmp(m->b->libc_name, "glibc") == 0 && m->b->audit_loaded < m->b->audit_listed) {
        snprintf(st->failure, sizeof st->failure, "ld.so loaded %zu of %zu audit modules",
                 m->b->audit_loaded, m->b->audit_listed);
        budget_free(m->b);
        return false;
    }
    *modelled = m->b->modelled;
    if (!*modelled) {
        budget_free(m->b);
        return true;
    }
    struct budget_module mod = {.path = xstrdup(PRELOAD_NAME), .block = {size, 1, 0},
                                .access = TLS_IE};
    budget_add_preloads(m->b, &mod, 1);
    for (m->index = 0; strcmp(m->b->modules[m->index].path, PRELOAD_NAME) != 0; m->index++)
        ;
    return true;
}

static bool finish(struct starter *st, char *err, size_t errlen)
{
    if (!st->failure[0])
        return true;
    snprintf(err, errlen, "%s", st->failure);
    startup_figure_free(st->out);
    return false;
}

bool startup_max_preload(const struct run_env *env, struct fixture_kit *kit,
                         struct startup_figure *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct starter st = {env, kit, 0, out, ""};
    struct budget b;
    struct model_ctx m = {&b, 0};
    bool modelled = false;
    if (!model_budget(&st, 1, &m, &modelled))
        return finish(&st, err, errlen);
    if (modelled) {
        long long lo = 1, hi = 0;
        out->predicted_known = true;
        out->predicted_unbounded = !search_grow(&lo, &hi, model_block_starts, &m);
        if (!out->predicted_unbounded)
            out->predicted = (uint64_t)search_last(lo, hi, model_block_starts, &m);
        budget_free(&b);
    }
    /* The model's figure proved by two probes, else bisection. */
    if (out->predicted_known && !out->predicted_unbounded && out->predicted > 0) {
        out->prediction_hit = block_starts((long long)out->predicted, &st) &&
                              !block_starts((long long)out->predicted + 1, &st);
        if (out->prediction_hit) {
            out->value = out->predicted;
            return finish(&st, err, errlen);
        }
    }
    if (block_starts(STARTUP_UNBOUNDED_PROBE, &st)) {
        out->unbounded = true;
        out->prediction_hit = out->predicted_known && out->predicted_unbounded;
        return finish(&st, err, errlen);
    }
    out->value = (uint64_t)search_last(0, STARTUP_UNBOUNDED_PROBE, block_starts, &st);
    if (!st.failure[0] && block_starts((long long)out->value + 1, &st))
        snprintf(st.failure, sizeof st.failure, "a %llu-byte preload starts after bisection "
                 "said it would not", (unsigned long long)out->value + 1);
    return finish(&st, err, errlen);
}

bool startup_min_optional(const struct run_env *env, struct fixture_kit *kit, uint64_t size,
                          struct startup_figure *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct starter st = {env, kit, size, out, ""};
    struct budget b;
    struct model_ctx m = {&b, 0};
    bool modelled = false;
    if (!model_budget(&st, size, &m, &modelled))
        return finish(&st, err, errlen);
    if (modelled) {
        struct tunable_model tm = {&b, env_lookup(env->vars, "GLIBC_TUNABLES"), 0};
        long long p = tunable_model_smallest(&tm, 0);
        out->predicted_known = p >= 0; /* else no tunable starts it */
        out->predicted = p >= 0 ? (uint64_t)p : 0;
        budget_free(&b);
    }
    struct tunable_search s = {.run = tunable_probe, .ctx = &st, .known_fails = -1,
                               .known_works = -1,
                               .predicted = out->predicted_known ? (long long)out->predicted : -1};
    tunable_search_run(&s);
    if (!st.failure[0] && s.smallest < 0)
        snprintf(st.failure, sizeof st.failure, "a %llu-byte preload does not start at any "
                 "%s up to %lld", (unsigned long long)size, OPTIONAL_STATIC_TLS,
                 (long long)SEARCH_MAX);
    out->prediction_hit = s.prediction_hit;
    out->value = s.smallest >= 0 ? (uint64_t)s.smallest : 0;
    return finish(&st, err, errlen);
}

bool startup_figure_agrees(const struct startup_figure *f)
{
    return f->predicted_known && f->predicted_unbounded == f->unbounded &&
           (f->unbounded || f->predicted == f->value);
}

void startup_figure_free(struct startup_figure *f)
{
    free(f->error_at_edge);
    memset(f, 0, sizeof *f);
}
