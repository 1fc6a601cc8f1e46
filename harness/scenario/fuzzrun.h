/* statictls fuzz's work on one build: generated cases (fuzzgen.c) run
   with `expect model`; one where any step, the startup or the probe's end
   disagrees is counted by its signature, the first of each shrunk
   (shrink.c) to a minimal case and written to the output directory. */
#ifndef STATICTLS_FUZZRUN_H
#define STATICTLS_FUZZRUN_H

#include <stddef.h>

#include "libcbuild.h"

struct fuzz_settings {
    unsigned long long seed; /* the same seed gives the same cases */
    long count;              /* cases, where seconds is 0 */
    double seconds;          /* > 0: run for this long instead */
    const char *out;         /* where minimal cases are written, or NULL */
    const struct settings *settings; /* how each case runs (caserun.h) */
};

/* One signature of disagreement, with its smallest case. */
struct fuzz_finding {
    char *signature;
    unsigned count;
    char *minimal; /* case text */
    char *file;    /* where out wrote it */
};

struct fuzz_run {
    const struct libc_build *build;
    unsigned long cases, agreed, skipped, rejected;
    double seconds;
    struct fuzz_finding *findings;
    size_t nfindings;
};

void fuzz_build(const struct fuzz_settings *s, const struct libc_build *b, struct fuzz_run *r);
/* The cases that disagreed, over every signature. */
unsigned long fuzz_disagreeing(const struct fuzz_run *r);
void fuzz_run_free(struct fuzz_run *r);

#endif
