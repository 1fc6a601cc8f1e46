#define _GNU_SOURCE
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "ldsotunables.h"
#include "runenv.h"
#include "spawn.h"
#include "xalloc.h"
#include "xproc.h"

const struct sweep_config sweep_configs[] = {
    {"align", "1", NULL, 0, 0, 1},
    {"align", "16", NULL, 0, 0, 16},
    {"align", "64", NULL, 0, 0, 64},
    {"optional_static_tls", "0", "glibc.rtld.optional_static_tls=0", 0, 0, 1},
    {"optional_static_tls", "64", "glibc.rtld.optional_static_tls=64", 0, 0, 1},
    {"optional_static_tls", "512", "glibc.rtld.optional_static_tls=512", 0, 0, 1},
    {"optional_static_tls", "1000", "glibc.rtld.optional_static_tls=1000", 0, 0, 1},
    {"optional_static_tls", "4096", "glibc.rtld.optional_static_tls=4096", 0, 0, 1},
    {"nns", "1", "glibc.rtld.nns=1", 0, 0, 1},
    {"nns", "4", "glibc.rtld.nns=4", 0, 0, 1},
    {"nns", "16", "glibc.rtld.nns=16", 0, 0, 1},
    {"LD_AUDIT", "0", NULL, 0, 0, 1},
    {"LD_AUDIT", "1", NULL, 1, 0, 1},
    {"LD_AUDIT", "2", NULL, 2, 0, 1},
    {"threads", "0", NULL, 0, 0, 1},
    {"threads", "4", NULL, 0, 4, 1},
};
/* A row removed or added must change the count too, never leave a zeroed row. */
_Static_assert(sizeof sweep_configs / sizeof *sweep_configs == SWEEP_NCONFIGS,
               "SWEEP_NCONFIGS counts sweep_configs");

const struct sweep_startup_config sweep_startup_configs[] = {
    {"largest preload, LD_AUDIT=0", 0, 0},
    {"largest preload, LD_AUDIT=1", 1, 0},
    {"largest preload, LD_AUDIT=2", 2, 0},
    {"smallest optional_static_tls, 2000-byte preload, LD_AUDIT=1", 1, 2000},
};
_Static_assert(sizeof sweep_startup_configs / sizeof *sweep_startup_configs == SWEEP_NSTARTUP,
               "SWEEP_NSTARTUP counts sweep_startup_configs");

bool sweep_startup_agrees(const struct sweep_startup_cell *c)
{
    return c->measured && startup_figure_agrees(&c->f);
}

bool sweep_cell_agrees(const struct sweep_cell *c)
{
    return c->measured && c->r.predicted_known && c->r.predicted == c->r.max_bytes;
}

/* LD_AUDIT with naudit (0 to 2) copies of the minimal audit module. */
static void set_audit(struct run_env *env, struct fixture_kit *kit, int naudit)
{
    if (!naudit)
        return;
    char *a = kit_copy(kit, "auditor.so", "auditor");
    char *a2 = naudit > 1 ? kit_copy(kit, "auditor2.so", "auditor2") : NULL;
    char *list = a2 ? xasprintf("%s:%s", a, a2) : xstrdup(a);
    run_env_set(env, "LD_AUDIT", list);
    free(a), free(a2), free(list);
}

static void measure_cell(const struct sweep_config *c, const struct libc_build *b,
                         const struct settings *s, struct fixture_kit *kit,
                         struct sweep_cell *out)
{
    struct run_env env;
    run_env_empty(&env, b, s, PROBE_TIMEOUT_S);
    if (c->tunables)
        run_env_set(&env, "GLIBC_TUNABLES", c->tunables);
    set_audit(&env, kit, c->naudit);
    struct limit_query q = {.env = &env, .kit = kit, .model = TLS_IE, .align = c->align,
                            .threads = c->threads};
    out->measured = limit_measure(&q, &out->r, out->error, sizeof out->error);
    const struct budget *bu = &out->r.budget;
    if (out->measured && strcmp(bu->libc_name, "glibc") == 0 &&
        bu->audit_loaded < bu->audit_listed) { /* measured, but not with its audit modules */
        snprintf(out->error, sizeof out->error, "ld.so loaded %zu of %zu audit modules",
                 bu->audit_loaded, bu->audit_listed);
        limit_result_free(&out->r);
        out->measured = false;
    }
    run_env_free(&env);
}

/* One startup figure; the tunable's only where ld.so has it (b: the
   sweep's first budget). */
static void measure_startup(const struct sweep_startup_config *c, const struct libc_build *build,
                            const struct settings *s, struct fixture_kit *kit,
                            const struct budget *b, struct sweep_startup_cell *out)
{
    if (c->size && (strcmp(b->libc_name, "glibc") != 0 || !b->knows_tls_tunables)) {
        out->inapplicable = true;
        snprintf(out->error, sizeof out->error, "%s has no glibc.rtld.optional_static_tls",
                 strcmp(b->libc_name, "glibc") != 0 ? b->libc_name : "this ld.so");
        return;
    }
    struct run_env env;
    run_env_empty(&env, build, s, PROBE_TIMEOUT_S);
    set_audit(&env, kit, c->naudit);
    out->measured = c->size ? startup_min_optional(&env, kit, c->size, &out->f, out->error,
                                                   sizeof out->error)
                            : startup_max_preload(&env, kit, &out->f, out->error,
                                                  sizeof out->error);
    run_env_free(&env);
}

void sweep_build(const struct libc_build *build, const struct settings *s, struct libc_sweep *g)
{
    double start = now_seconds();
    g->root = build->root;
    struct fixture_kit kit;
    kit_open(&kit, build->dir, s);
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++) {
        struct sweep_cell *c = &g->cells[i];
        measure_cell(&sweep_configs[i], build, s, &kit, c);
        if (!c->measured)
            g->errors++;
        else if (c->r.predicted_known && !sweep_cell_agrees(c)) /* musl has no model */
            g->disagreements++;
    }
    for (size_t i = 0; i < SWEEP_NSTARTUP && g->cells[0].measured; i++) {
        struct sweep_startup_cell *c = &g->startup[i];
        measure_startup(&sweep_startup_configs[i], build, s, &kit, &g->cells[0].r.budget, c);
        if (!c->measured)
            g->errors += !c->inapplicable;
        else if (c->f.predicted_known && !sweep_startup_agrees(c))
            g->disagreements++;
    }
    kit_close(&kit);
    const struct budget *b = &g->cells[0].r.budget;
    if (g->cells[0].measured) {
        g->platform = libc_build_platform(build, b->libc_name, b->libc_version, b->machine);
        g->label = xasprintf("%s %s %s", b->libc_name, b->libc_version, b->machine);
        if (b->ldso_path)
            g->tunables_known = ldso_known_tunables(build, b->ldso_path,
                                                   PROBE_TIMEOUT_S * s->timeout_factor,
                                                   &g->tunables_source);
    } else {
        g->platform = xasprintf("%s-unmeasured", build->name);
        g->label = xasprintf("%s (not measured)", build->name);
    }
    if (!g->tunables_known)
        g->tunables_known = xstrdup("");
    g->describe = libc_build_describe(build);
    g->seconds = now_seconds() - start;
}

void libc_sweep_free(struct libc_sweep *g)
{
    for (size_t i = 0; i < SWEEP_NCONFIGS; i++)
        if (g->cells[i].measured)
            limit_result_free(&g->cells[i].r);
    for (size_t i = 0; i < SWEEP_NSTARTUP; i++)
        if (g->startup[i].measured)
            startup_figure_free(&g->startup[i].f);
    free(g->platform), free(g->describe), free(g->label), free(g->tunables_known);
}
