/* The environment a probe runs in: the libc build, variables, timeout. */
#ifndef STATICTLS_RUNENV_H
#define STATICTLS_RUNENV_H

#include <stddef.h>

#include "libcbuild.h"
#include "settings.h"
#include "spawn.h"

struct run_env {
    const struct libc_build *build;
    struct probe_env probe;
    char **vars; /* NULL-terminated; probe.vars points here */
    size_t nvars;
};

/* The loader variables of the user's own environment (s->user_env) pass
   through, so `GLIBC_TUNABLES=... statictls limit` measures what the user
   asks for.  timeout_s is scaled by s->timeout_factor. */
void run_env_from_user(struct run_env *e, const struct libc_build *b, const struct settings *s,
                       double timeout_s);
/* A clean environment: only what a case sets (and the user's PATH). */
void run_env_empty(struct run_env *e, const struct libc_build *b, const struct settings *s,
                   double timeout_s);
/* A clean environment like `like`: its build, scaled timeout, core dump
   setting and PATH; none of its variables, the default limits. */
void run_env_bare(struct run_env *e, const struct run_env *like);
void run_env_set(struct run_env *e, const char *name, const char *value);
void run_env_free(struct run_env *e);

#endif
