/* Runs one parsed case: fixtures, a budget probe, the model's prediction,
   one probe for the steps, and the verdict. */
#ifndef STATICTLS_CASERUN_H
#define STATICTLS_CASERUN_H

#include <stdio.h>

#include "budget.h"
#include "caseparse.h"
#include "json.h"
#include "libcbuild.h"
#include "plan.h"

/* ERROR: the case asks for something impossible here (a size relative to
   free that comes out below 1 byte or above 1 GiB): the user's input. */
enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP, VERDICT_ERROR };

struct case_result {
    const struct case_def *def;
    enum verdict verdict;
    char reason[1024];
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
    char *probe_output;    /* replayed on failure */
    double seconds;
    /* A real library the case names is not on this machine: a skip with
       --allow-missing, otherwise an input error at missing_line. */
    bool missing_library;
    int missing_line;
    /* expect headroom: the largest IE block that loads after the steps
       (measured: it loads, one byte more fails), or -1 if not measured. */
    long long headroom;
};

/* Runs c on libc build b. */
void case_run(const struct case_def *c, const struct libc_build *b, struct case_result *out);
/* The model's outcome of the case for glibc VERSION, which does not run
   here: no step probe; the budget probe only supplies the startup modules.
   r->measured stays NULL and the verdict says "modelled". */
void case_model_as(const struct case_def *c, const struct libc_build *b, const char *version,
                   struct case_result *out);
void case_result_free(struct case_result *r);

const char *verdict_name(enum verdict v);
void case_result_print(FILE *out, const struct case_result *r, bool verbose);
void case_result_json(struct json *j, const struct case_result *r);
/* What kind of disagreement a failed case shows, as a short stable name
   ("load-loaded-vs-static-tls-exhausted", "dlmopen-tp-offset", "startup"):
   the fuzzer groups by it. */
void case_signature(const struct case_result *r, char *buf, size_t len);
/* The case's name: its file name without directory and ".case". */
char *case_name(const char *path);

#endif
