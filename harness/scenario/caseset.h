/* Case files run one after another on one libc build, with their totals:
   what `run` and `report` share. */
#ifndef STATICTLS_CASESET_H
#define STATICTLS_CASESET_H

#include <stdbool.h>
#include <stddef.h>

#include "caserun.h"
#include "libcbuild.h"

struct case_set {
    /* Set by the caller before the first file: ${NAME} values, and whether
       a library a case names that is not here is a skip (else an error). */
    const struct case_vars *vars;
    bool allow_missing;
    const struct settings *settings; /* how each case runs (caserun.h) */
    struct case_def *defs;
    struct case_result *results;
    size_t n;
    unsigned input_errors, failed, skipped, passed;
    unsigned missing; /* cases naming a library that is not here, without allow_missing */
};

/* Parses and runs one file on b, printing its result unless quiet; a bad
   file is reported and counted, and the cases already run keep theirs. */
void case_set_run_file(struct case_set *s, const struct libc_build *b, const char *path,
                       bool verbose, bool quiet);
void case_set_free(struct case_set *s);
/* 2 for a bad file or a missing library, 1 for a failed case, 77 when
   every case skipped. */
int case_set_exit_code(const struct case_set *s);
void case_set_print_totals(const struct case_set *s);

#endif
