#include "runenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envvars.h"
#include "xalloc.h"

void run_env_empty(struct run_env *e, const struct libc_build *b, const struct settings *s,
                   double timeout_s)
{
    memset(e, 0, sizeof *e);
    e->build = b;
    e->vars = xcalloc(1, sizeof *e->vars);
    e->probe.vars = e->vars;
    /* STATICTLS_TIMEOUT_FACTOR, for slow machines and emulators */
    e->probe.timeout_s = timeout_s * s->timeout_factor;
    e->probe.coredumps = s->coredumps;
    e->probe.path = env_lookup(s->user_env, "PATH");
    e->probe.probe = b->probe;
    e->probe.loader = b->loader;
    e->probe.ldso = b->ldso;
    e->probe.library_path = b->library_path;
    if (b->search_path)
        run_env_set(e, "LD_LIBRARY_PATH", b->search_path);
}

void run_env_from_user(struct run_env *e, const struct libc_build *b, const struct settings *s,
                       double timeout_s)
{
    static const char *const passed[] = {"GLIBC_TUNABLES", "LD_PRELOAD", "LD_AUDIT",
                                         "LD_LIBRARY_PATH"};
    run_env_empty(e, b, s, timeout_s);
    for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++) {
        const char *v = env_lookup(s->user_env, passed[i]);
        const char *ours = strcmp(passed[i], "LD_LIBRARY_PATH") == 0 ? b->search_path : NULL;
        if (v && ours) {
            char *both = xasprintf("%s:%s", ours, v);
            run_env_set(e, passed[i], both);
            free(both);
        } else if (v) {
            run_env_set(e, passed[i], v);
        }
    }
}

void run_env_bare(struct run_env *e, const struct run_env *like)
{
    memset(e, 0, sizeof *e);
    e->build = like->build;
    e->vars = xcalloc(1, sizeof *e->vars);
    e->probe = like->probe;
    e->probe.vars = e->vars;
    e->probe.limits = (struct probe_limits){0};
    if (e->build->search_path)
        run_env_set(e, "LD_LIBRARY_PATH", e->build->search_path);
}

void run_env_set(struct run_env *e, const char *name, const char *value)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < e->nvars; i++)
        if (strncmp(e->vars[i], name, n) == 0 && e->vars[i][n] == '=') {
            free(e->vars[i]);
            e->vars[i] = xasprintf("%s=%s", name, value);
            return;
        }
    e->vars = xrealloc(e->vars, (e->nvars + 2) * sizeof *e->vars);
    e->vars[e->nvars++] = xasprintf("%s=%s", name, value);
    e->vars[e->nvars] = NULL;
    e->probe.vars = e->vars;
}

void run_env_free(struct run_env *e)
{
    for (size_t i = 0; i < e->nvars; i++)
        free(e->vars[i]);
    free(e->vars);
    memset(e, 0, sizeof *e);
}
