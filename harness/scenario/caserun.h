/* Runs one parsed case: fixtures, a budget probe, the model's prediction,
   one probe for the steps, and the headroom after them where the case
   expects one.  It records what happened; casejudge.c says what that
   means (the verdict), caseout.c prints it. */
#ifndef STATICTLS_CASERUN_H
#define STATICTLS_CASERUN_H

#include "budget.h"
#include "casejudge.h"
#include "caseparse.h"
#include "libcbuild.h"
#include "plan.h"
#include "settings.h"

/* Where a run ended: CASE_ENDED_STEPS once the steps were measured (or,
   for another release, predicted); every other end comes before a step. */
enum case_end {
    CASE_ENDED_STEPS,
    CASE_ENDED_NO_BUDGET,       /* the probe reported no budget: error says why */
    CASE_ENDED_NO_STEPS,        /* it reported its budget, then took no steps */
    CASE_ENDED_STARTUP_REFUSED, /* ld.so refused to start the process: startup_* */
    CASE_ENDED_TLS_UNMAPPABLE,  /* the probe could not map its static TLS area */
    CASE_ENDED_OTHER_LIBC,      /* the case is about another libc than this one */
    CASE_ENDED_AUDIT_UNLOADED,  /* ld.so loaded fewer of the audit modules than listed */
    CASE_ENDED_NO_MODEL,        /* sizes use free, and there is no model here */
    CASE_ENDED_STARTUP_STARTED, /* it started, where the model says ld.so refuses */
    CASE_ENDED_SIZE_IMPOSSIBLE, /* objects[bad_object]'s size relative to free */
    CASE_ENDED_GLIBC_TOO_OLD,   /* a library needs a newer glibc than this build: error */
};

struct case_result {
    const struct case_def *def;
    /* case_judge's verdict on what follows, stored once by case_run:
       nothing else writes these four, but for case_set_run_file, which
       makes a missing library it was not told to allow an ERROR. */
    enum verdict verdict;
    char reason[1024];
    bool missing_library;
    int missing_line;

    enum case_end end;
    char error[1024];    /* CASE_ENDED_NO_BUDGET: what the probe said; _GLIBC_TOO_OLD: what */
    size_t bad_object;   /* CASE_ENDED_SIZE_IMPOSSIBLE */
    char *modelled_for;  /* case_model_as's release; NULL when measured */
    char *libc_tree;     /* where it ran: a glibc tree, or NULL */
    char *search_path;   /* that tree's library directories */
    bool have_budget;
    /* ld.so refused to start the process (measured), e.g. a preload under an
       auditor; the budget is then of the same process without its preloads,
       and budget.startup_failure is what the model says of the startup. */
    bool startup_failed;
    enum load_kind startup_kind;
    char *startup_error;
    struct budget budget;
    struct plan plan;
    struct step_result *measured;
    struct step_prediction *modelled;
    size_t trip;           /* first step that did not load, 0 if none */
    size_t predicted_trip; /* the same by the model (0 also when unknown) */
    bool prediction_complete;
    enum probe_end probe_end; /* how the step probe ended */
    int probe_code;
    /* plan_probe_failure's reason the step probe's run counts for nothing
       (it ended outside any step that explains it), or NULL */
    char *probe_failure;
    char *probe_output;    /* replayed on failure */
    double seconds;
    /* expect headroom: the largest IE block that loads after the steps
       (measured: it loads, one byte more fails), or -1 if not measured;
       headroom_error: why it could not be. */
    long long headroom;
    char *headroom_error;
};

/* Runs c on libc build b, as the settings say (scratch directory, timeout
   factor, kept fixtures). */
void case_run(const struct case_def *c, const struct libc_build *b, const struct settings *s,
              struct case_result *out);
/* The model's outcome of the case for glibc VERSION, which does not run
   here: no step probe; the budget probe only supplies the startup modules.
   r->measured stays NULL and the verdict says "modelled". */
void case_model_as(const struct case_def *c, const struct libc_build *b,
                   const struct settings *s, const char *version, struct case_result *out);
void case_result_free(struct case_result *r);

#endif
