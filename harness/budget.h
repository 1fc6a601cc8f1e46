/* The static TLS budget of a fresh process: what a probe reads at run time,
   and the model's prediction built on it. */
#ifndef STATICTLS_BUDGET_H
#define STATICTLS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "spawn.h"

struct budget_module {
    char *path;
    long modid;
    struct tls_block block;
    bool has_tpoff;
    long tpoff;
    size_t predicted_offset; /* startup layout as the model computes it */
};

struct budget {
    /* Read in the probe. */
    char *libc_name, *libc_version, *libc_release, *machine;
    bool have_static_info; /* _dl_get_tls_static_info was found */
    size_t static_size, static_align;
    bool have_rseq;
    long rseq_offset;
    unsigned rseq_size;
    struct budget_module *modules;
    size_t nmodules;
    char *ldso_path;
    bool knows_tls_tunables; /* read from the ld.so file */
    size_t used;             /* from the startup modules' offsets (and rseq) */

    /* The environment the probe ran in. */
    char *glibc_tunables, *ld_audit;
    struct tunables tunables; /* naudit: the LD_AUDIT modules ld.so loaded */
    size_t audit_listed, audit_loaded; /* LD_AUDIT's entries; those the probe found mapped */

    /* Modelled. */
    bool modelled;
    char why_not_modelled[256];
    char surplus_formula[256];
    size_t predicted_used;         /* startup layout, without audit */
    size_t predicted_static_align;
    struct model model; /* the model's state of a fresh process */
};

/* Rebuilds the model as if this process ran glibc VERSION, with the same
   startup modules and no rseq area: for releases that cannot run here
   (2.17); everything it then predicts is modelled only. */
void budget_model_as(struct budget *b, const char *version);

/* Runs a budget probe in env.  False with a message in err when the probe
   did not report (it could not start, crashed, or timed out). */
bool budget_read(const struct probe_env *env, struct budget *b, char *err, size_t errlen);
void budget_free(struct budget *b);

/* "glibc-2.36-x86_64" */
char *budget_platform(const struct budget *b);

/* The value of NAME in a NULL-terminated NAME=VALUE list, or NULL. */
const char *env_lookup(char *const *vars, const char *name);

#endif
