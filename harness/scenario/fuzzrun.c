#include "fuzzrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caserun.h"
#include "fuzzgen.h"
#include "shrink.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

/* Where a generated case reads as coming from, in a verdict's reason. */
#define FUZZ_PATH "fuzz.case"

/* Runs c on b: its verdict, and for a disagreement (VERDICT_FAIL) its
   signature. */
static enum verdict run_case(const struct libc_build *b, const struct settings *s,
                             const struct case_def *c, char *sig, size_t len)
{
    struct case_result res;
    case_run(c, b, s, &res);
    enum verdict v = res.verdict;
    if (v == VERDICT_FAIL)
        case_signature(&res, sig, len);
    case_result_free(&res);
    return v;
}

/* What a shrinking trial must keep: the build, and the signature. */
struct same_failure {
    const struct libc_build *build;
    const struct settings *settings;
    const char *signature;
};

static bool disagrees_alike(const struct case_def *c, void *ctx)
{
    const struct same_failure *want = ctx;
    char sig[256];
    return run_case(want->build, want->settings, c, sig, sizeof sig) == VERDICT_FAIL &&
           strcmp(sig, want->signature) == 0;
}

/* A file name from a signature: letters, digits, '.' and '-' only. */
static char *file_for(const char *dir, const char *build, const char *signature)
{
    char *name = xasprintf("%s-%s", build, signature);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.'))
            *p = '-';
    char *path = xasprintf("%s/%s.case", dir, name);
    free(name);
    return path;
}

static void record(struct fuzz_run *r, const struct fuzz_settings *s, const char *text,
                   const char *sig, unsigned long k)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i].signature, sig) == 0) {
            r->findings[i].count++;
            return;
        }
    struct fuzz_finding *f = XAPPEND(&r->findings, &r->nfindings);
    *f = (struct fuzz_finding){.signature = xstrdup(sig), .count = 1};
    struct same_failure want = {r->build, s->settings, sig};
    char *minimal = case_shrink(FUZZ_PATH, text, disagrees_alike, &want);
    f->minimal = xasprintf("# statictls fuzz --seed %llu: case %lu on %s disagrees with the model "
                           "(%s), shrunk\n%s",
                           s->seed, k, r->build->name, sig, minimal);
    free(minimal);
    fuzz_write_finding(s, r, f);
    if (s->found)
        s->found(r, f, s->ctx);
}

void fuzz_write_finding(const struct fuzz_settings *s, struct fuzz_run *r,
                        struct fuzz_finding *f)
{
    if (!s->out)
        return;
    char *file = file_for(s->out, r->build->name, f->signature);
    if (try_make_dirs(s->out) && try_write_file_atomic(file, f->minimal, strlen(f->minimal))) {
        f->file = file;
        return;
    }
    if (!r->out_error)
        r->out_error = xasprintf("%s: %s", file, strerror(errno));
    r->unwritten++;
    free(file);
}

/* Real libraries the cases may name: those this build's loader can find. */
static const char **real_libs_of(const struct libc_build *b)
{
    static const char *const candidates[] = {"libgomp.so.1", "libc.so.6"};
    const char **libs = xcalloc(3, sizeof *libs);
    size_t n = 0;
    for (size_t c = 0; c < 2; c++)
        for (size_t d = 0; b->lib_dirs[d]; d++) {
            char *path = xasprintf("%s/%s", b->lib_dirs[d], candidates[c]);
            bool here = access(path, R_OK) == 0;
            free(path);
            if (here) {
                libs[n++] = candidates[c];
                break;
            }
        }
    return libs;
}

void fuzz_build(const struct fuzz_settings *s, const struct libc_build *b, struct fuzz_run *r)
{
    struct rng rng;
    rng_seed(&rng, s->seed);
    const char **libs = real_libs_of(b);
    r->build = b;
    double start = now_seconds();
    for (unsigned long k = 0;; k++) {
        if (s->seconds > 0 ? now_seconds() - start >= s->seconds : k >= (unsigned long)s->count)
            break;
        char *text = fuzz_case(&rng, libs), sig[256], err[1024];
        struct case_def def;
        if (!case_parse(FUZZ_PATH, text, &def, err, sizeof err))
            die("fuzz: the generator wrote a case that does not parse (%s):\n%s", err, text);
        enum verdict v = run_case(b, s->settings, &def, sig, sizeof sig);
        case_free(&def);
        r->cases++;
        r->agreed += v == VERDICT_PASS;
        r->skipped += v == VERDICT_SKIP;
        r->rejected += v == VERDICT_ERROR;
        if (v == VERDICT_FAIL)
            record(r, s, text, sig, k);
        free(text);
    }
    r->seconds = now_seconds() - start;
    free(libs);
}

unsigned long fuzz_disagreeing(const struct fuzz_run *r)
{
    unsigned long n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i].count;
    return n;
}

void fuzz_run_free(struct fuzz_run *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        struct fuzz_finding *f = &r->findings[i];
        free(f->signature), free(f->minimal), free(f->file);
    }
    free(r->findings);
    free(r->out_error);
    memset(r, 0, sizeof *r);
}
