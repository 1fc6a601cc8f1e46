/* A probe's ordered steps, what the model predicts for each, and what the
   probe measured.  Shared by `load`, `limit` and `run`. */
#ifndef STATICTLS_PLAN_H
#define STATICTLS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "budget.h"
#include "classify.h"
#include "model.h"
#include "resolve.h"
#include "spawn.h"

enum op_kind { OP_THREADS, OP_LOAD, OP_MOPEN, OP_CLOSE };
/* Its word in case files, JSON, tables and the probe's arguments. */
const char *plan_op_name(enum op_kind op);

struct plan_step {
    enum op_kind op;
    int number;   /* as shown to the user; 0 for a setup step */
    char *name;   /* what the user called it */
    char *target; /* what the probe dlopens (path or soname) */
    long count;   /* OP_THREADS: how many; OP_CLOSE: index of the step it closes */
    bool touches; /* a fixture: the probe uses its TLS through its accessor */
    /* What a load or dlmopen maps (plan_resolve): the whole closure; which
       of it is new is the model's business, not the plan's. */
    struct closure closure;
    bool resolved; /* false: the model cannot say what this step maps */
};

struct plan {
    struct plan_step *steps;
    size_t n;
};

struct plan_step *plan_add(struct plan *p, enum op_kind op, const char *name,
                           const char *target, long count);
void plan_free(struct plan *p);

/* Reads the ELF files the load steps name (and their new dependencies) so
   the model knows each step's TLS blocks.  Sonames are searched in
   LD_LIBRARY_PATH (from vars), then lib_dirs (NULL-terminated). */
void plan_resolve(struct plan *p, char *const *vars,
                  char *const *lib_dirs);
/* Before anything runs: the first load or dlmopen step whose closure needs
   a glibc symbol version that release (glibc's "2.31") does not define, so
   that ld.so would refuse it ("version `GLIBC_2.34' not found"); false
   where every resolved step loads on it.  why: the step, the object, the
   version and the release. */
bool plan_glibc_refusal(const struct plan *p, const char *release, char *why, size_t len);

struct step_result {
    bool ran, done; /* began / finished */
    enum load_kind kind;
    char *error;
    char *path;
    long modid;
    bool has_tpoff; /* our fixtures report where their block is */
    long tpoff;     /* block address - thread pointer */
    bool in_static; /* tpoff lies in the static TLS area */
    /* The machine refused what the step needs (a thread, under the user's
       process limit): error says what; the probe stopped there.  Nothing
       about the case is measured from it on. */
    bool environment;
};

struct step_prediction {
    bool known;
    const char *undefined; /* why glibc's own bug makes what follows undefined
                              (dlmodel.h), or NULL */
    enum load_kind kind;
    bool has_tpoff; /* the step's own object went to static TLS */
    long tpoff;
    size_t free_after;
    long modid;
};

/* Runs the steps in one probe; static_size (read by a budget probe) tells
   static from dynamic blocks. */
void plan_run(const struct plan *p, const struct probe_env *env, long static_end,
              struct step_result *out, struct probe_result *pr);
void step_results_free(struct step_result *r, size_t n);
/* The parts of plan_run: a step as the probe takes it ("load:PATH"), and
   the steps' results from the records of a probe that ran them
   (KIND_NOT_RUN for a step the probe never began). */
char *plan_step_arg(const struct plan_step *s);
void plan_read_results(const struct plan *p, const struct probe_result *pr, long static_end,
                       struct step_result *out);

/* Simulates the steps on a copy of the budget's model; the state after
   the last step goes to final (may be NULL). */
void plan_predict(const struct plan *p, const struct budget *b, struct step_prediction *out,
                  struct model *final);

/* Whether a measured step is what the model predicted; why not in why. */
bool step_agrees(const struct step_result *r, const struct step_prediction *pr, char *why,
                 size_t len);

/* The first step that did not load, a step the probe never reached
   included (0 if all loaded). */
size_t first_failure(const struct plan *p, const struct step_result *r);

/* Why the probe's run of the steps counts for nothing, in buf: it did not
   end with its end record and exit 0, and no step it died in explains
   that (exit 3 before the first step, a crash between steps, a step the
   machine refused: see step_result.environment).  NULL when the run is a
   measurement. */
const char *plan_probe_failure(const struct plan *p, const struct step_result *r,
                               const struct probe_result *pr, char *buf, size_t len);

/* A readable table of the steps, measured beside modelled (r NULL: the
   model's outcome only, with the messages glibc would give). */
void plan_print(FILE *out, const struct plan *p, const struct step_result *r,
                const struct step_prediction *pr);

#endif
