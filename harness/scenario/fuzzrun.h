/* statictls fuzz's work on one build: generated cases (fuzzgen.c) run
   with `expect model`; one where any step, the startup or the probe's end
   disagrees is counted by its signature, the first of each shrunk
   (shrink.c) to a minimal case and written to the output directory. */
#ifndef STATICTLS_FUZZRUN_H
#define STATICTLS_FUZZRUN_H

#include <stddef.h>

#include "libcbuild.h"

struct fuzz_run;
struct fuzz_finding;

struct fuzz_settings {
    unsigned long long seed; /* the same seed gives the same cases */
    long count;              /* cases, where seconds is 0 */
    double seconds;          /* > 0: run for this long instead */
    const char *out;         /* where minimal cases are written, or NULL */
    const struct settings *settings; /* how each case runs (caserun.h) */
    /* Called with each new finding once it is shrunk and written (or not),
       so that the caller can show it at once; or NULL. */
    void (*found)(const struct fuzz_run *r, const struct fuzz_finding *f, void *ctx);
    void *ctx;
    /* Paths of real libraries with TLS (`fuzz --real`): each case mixes
       some of them with fixtures.  NULL: cases of fixtures (and the
       build's libgomp) only. */
    const char *const *real_libs;
    size_t nreal;
};

/* One signature of disagreement, with its smallest case. */
struct fuzz_finding {
    char *signature;
    unsigned count;
    char *minimal; /* case text */
    char *file;    /* where out holds it, or NULL: not written (or no out) */
};

struct fuzz_run {
    const struct libc_build *build;
    unsigned long cases, agreed, skipped, rejected;
    /* With real libraries: cases where one of them failed to load for a
       reason outside TLS (an undefined symbol, its constructor, a glibc
       symbol version the build lacks, which the model predicts from the
       files), not judged; each such library is left out of the cases
       after it, "PATH: why" in left_out. */
    unsigned long outside_tls;
    char **left_out;
    size_t nleft_out;
    double seconds;
    struct fuzz_finding *findings;
    size_t nfindings;
    /* The first finding out could not take ("FILE: why"), or NULL; the run
       goes on, and unwritten counts the findings out lacks. */
    char *out_error;
    unsigned long unwritten;
};

void fuzz_build(const struct fuzz_settings *s, const struct libc_build *b, struct fuzz_run *r);
/* Writes finding f of r into s->out (made where absent) and sets f->file;
   where that fails (a full disk), nothing is left half written, f->file
   stays NULL, and r->out_error and r->unwritten say so. */
void fuzz_write_finding(const struct fuzz_settings *s, struct fuzz_run *r,
                        struct fuzz_finding *f);
/* The cases that disagreed, over every signature. */
unsigned long fuzz_disagreeing(const struct fuzz_run *r);
void fuzz_run_free(struct fuzz_run *r);

#endif
