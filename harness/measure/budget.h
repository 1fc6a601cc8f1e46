/* The static TLS budget of a fresh process: what a probe reads at run time,
   and the model's prediction built on it. */
#ifndef STATICTLS_BUDGET_H
#define STATICTLS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"
#include "model.h"
#include "spawn.h"

struct budget_module {
    char *path;
    long modid;
    struct tls_block block;
    bool has_tpoff;
    long tpoff;
    enum tls_access access;  /* from its file, once access_read */
    bool access_read;
    size_t predicted_offset; /* where the model places it at startup */
    bool predicted_static;   /* ... in static TLS (not so: a TLS descriptor module
                                over the optional budget, under an auditor) */
    bool lazy; /* under an auditor on x86 < 2.34: a TLS descriptor module takes
                  static TLS only when its TLS is first used */
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
    bool synthetic; /* budget_synthetic: no probe ran */
    bool bind_now; /* LD_BIND_NOW: no lazy binding */
    struct tunables tunables;
    /* LD_AUDIT's entries, and those the probe found mapped.  ld.so counts
       every entry for the layout, loaded or not (measured: a module that
       does not exist still adds its namespace's surplus), so the model
       does too; a case checks that its modules really loaded. */
    size_t audit_listed, audit_loaded;

    /* Modelled. */
    bool modelled;
    char why_not_modelled[256];
    char surplus_formula[256];
    size_t predicted_used;         /* startup layout (with audit: of the main program) */
    size_t predicted_static_align;
    struct model model; /* the model's state of a fresh process */
    /* Startup fails (only under an auditor, where libraries take static TLS
       one by one): how, and at which module; KIND_LOADED when it does not. */
    enum load_kind startup_failure;
    const char *startup_failure_at;
};

/* Rebuilds the model as if this process ran glibc VERSION, with the same
   startup modules and no rseq area: for releases that cannot run here
   (2.17); everything it then predicts is modelled only. */
void budget_model_as(struct budget *b, const char *version);

/* The same with that release's own startup layout where the model knows
   it (libc's TLS block: 104 bytes in 2.17, 120 in 2.21), in place of the
   startup modules this process read; false (and budget_model_as alone)
   where it does not. */
bool budget_model_release(struct budget *b, const char *version);

/* Runs a budget probe in env.  False with a message in err when the probe
   did not report (it could not start, crashed, or timed out). */
bool budget_read(const struct probe_env *env, struct budget *b, char *err, size_t errlen);
void budget_free(struct budget *b);
/* The static area's far end from TP: -static_size below TP (x86), +static_size
   above it (aarch64); 0 when unknown. */
long budget_static_end(const struct budget *b);
/* The budget from a probe's records, complete once the record kind last
   has come (PROTO_END, or PROTO_READY while the probe goes on). */
bool budget_from_probe(const struct probe_result *pr, const struct probe_env *env,
                       const char *last, struct budget *b, char *err, size_t errlen);

/* Adds modules preloaded (LD_PRELOAD) after the main program, in order,
   and models the startup again: for a process that could not start with
   them, read without them.  The budget takes the paths over. */
void budget_add_preloads(struct budget *b, struct budget_module *mods, size_t n);
/* A fresh process of glibc VERSION on MACHINE that runs nowhere here: its
   libc has a TLS block of libc_size bytes, the 32-byte rseq area is in
   static TLS or not, GLIBC_TUNABLES and LD_AUDIT are as given, and the
   modules preloaded are mods (taken over).  Everything it says is modelled:
   for holding cases to layouts this machine does not have. */
void budget_synthetic(struct budget *b, const char *version, const char *machine,
                      size_t libc_size, bool rseq, const char *tunables, const char *ld_audit,
                      struct budget_module *mods, size_t n);
/* Models the startup again with LD_AUDIT = ld_audit: for a process ld.so
   refused to start with its audit modules, read without them. */
void budget_set_audit(struct budget *b, const char *ld_audit);
/* Models the startup again, after the caller changed a module's block (a
   preload's size, in a search over sizes). */
void budget_remodel(struct budget *b);
/* Models the startup again with GLIBC_TUNABLES = tunables: what a process
   would do with another glibc.rtld.optional_static_tls, say. */
void budget_set_tunables(struct budget *b, const char *tunables);
/* Makes the main program's own TLS block this one (none: size 0), in
   place of the probe's, and models the startup again: for a program that
   could not start, read through the probe. */
void budget_set_main(struct budget *b, const struct tls_block *block, enum tls_access access);

#endif
