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

/* The real library (a `lib` object) whose load failed for a reason outside
   TLS where the model says it loads: an undefined symbol, a constructor
   that crashed or hung, a file ld.so does not take; or that ld.so refuses
   for a glibc symbol version this build lacks, which the model says from
   the files before anything runs.  Its path, with why; NULL if none. */
static const char *outside_tls(const struct case_def *c, const struct case_result *res,
                               char *why, size_t len)
{
    if (res->end == CASE_ENDED_GLIBC_TOO_OLD) {
        for (size_t i = 0; i < res->plan.n; i++) {
            const struct case_object *o = case_step_object(c, i);
            const struct plan_step *ps = &res->plan.steps[i];
            if (o && o->kind == OBJ_LIB && ps->resolved &&
                !closure_loads_on(&ps->closure, res->budget.libc_version)) {
                snprintf(why, len, "needs %s of %s (predicted from its version needs)",
                         ps->closure.glibc_need, ps->closure.glibc_need_of);
                return o->target;
            }
        }
        return NULL;
    }
    /* A dependency ld.so does not find (one found only through
       LD_LIBRARY_PATH, a JVM's libjvm.so), or that the model finds nowhere
       the build searches (a host library on a sysroot's build): neither
       can map it. */
    for (size_t i = 0; i < res->plan.n; i++) {
        const struct case_object *o = case_step_object(c, i);
        if (!o || o->kind != OBJ_LIB)
            continue;
        if (res->measured && res->measured[i].kind == KIND_NOT_FOUND) {
            snprintf(why, len, "%s", res->measured[i].error ? res->measured[i].error : "not found");
            return o->target;
        }
        const struct plan_step *ps = &res->plan.steps[i];
        if ((ps->op == OP_LOAD || ps->op == OP_MOPEN) && !ps->resolved) {
            snprintf(why, len, "a file of its DT_NEEDED closure is found nowhere this build's "
                     "ld.so searches (predicted from the files)");
            return o->target;
        }
    }
    for (size_t i = 0; res->measured && res->modelled && i < res->plan.n; i++) {
        char disagreement[256];
        const struct step_result *m = &res->measured[i];
        if (step_agrees(m, &res->modelled[i], disagreement, sizeof disagreement))
            continue;
        const struct case_object *o = case_step_object(c, i);
        bool foreign = m->kind == KIND_OTHER || m->kind == KIND_CRASHED ||
                       m->kind == KIND_TIMEOUT || m->kind == KIND_NOT_ELF;
        if (!o || o->kind != OBJ_LIB || !foreign || res->modelled[i].kind != KIND_LOADED)
            return NULL; /* the first disagreement is the model's */
        snprintf(why, len, "%s", m->error ? m->error : load_kind_name(m->kind));
        return o->target;
    }
    /* Every step agrees, and the probe died after them: at exit, in a
       destructor of what it loaded.  That of a fixture has none, so it is
       a real library's (the last one loaded is named). */
    const char *last = NULL;
    for (size_t i = 0; res->probe_failure && i < res->plan.n; i++) {
        const struct case_object *o = case_step_object(c, i);
        if (o && o->kind == OBJ_LIB && res->measured && res->measured[i].kind == KIND_LOADED)
            last = o->target;
    }
    if (last)
        snprintf(why, len, "%s (after the steps, at exit)", res->probe_failure);
    return last;
}

/* Runs c on b: its verdict, and for a disagreement (VERDICT_FAIL) its
   signature.  A case a real library fails outside TLS is VERDICT_SKIP,
   with that library in *outside (NULL otherwise) and why. */
static enum verdict run_case_real(const struct libc_build *b, const struct settings *s,
                                  const struct case_def *c, char *sig, size_t len,
                                  const char **outside, char *why, size_t whylen)
{
    struct case_result res;
    case_run(c, b, s, &res);
    enum verdict v = res.verdict;
    *outside = v == VERDICT_FAIL || v == VERDICT_SKIP ? outside_tls(c, &res, why, whylen) : NULL;
    if (*outside)
        v = VERDICT_SKIP;
    else if (v == VERDICT_FAIL)
        case_signature(&res, sig, len);
    case_result_free(&res);
    return v;
}

static enum verdict run_case(const struct libc_build *b, const struct settings *s,
                             const struct case_def *c, char *sig, size_t len)
{
    const char *outside;
    char why[8];
    return run_case_real(b, s, c, sig, len, &outside, why, sizeof why);
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

/* Leaves path out of the real libraries the cases name from now on. */
static void leave_out(struct fuzz_run *r, const char **pool, size_t *npool, const char *path,
                      const char *why)
{
    for (size_t i = 0; i < *npool; i++)
        if (strcmp(pool[i], path) == 0) {
            *XAPPEND(&r->left_out, &r->nleft_out) = xasprintf("%s: %s", path, why);
            pool[i] = pool[--*npool];
            pool[*npool] = NULL;
            return;
        }
}

void fuzz_build(const struct fuzz_settings *s, const struct libc_build *b, struct fuzz_run *r)
{
    struct rng rng;
    rng_seed(&rng, s->seed);
    const char **libs = real_libs_of(b);
    size_t npool = s->real_libs ? s->nreal : 0;
    const char **pool = xcalloc(npool + 1, sizeof *pool);
    for (size_t i = 0; i < npool; i++)
        pool[i] = s->real_libs[i];
    r->build = b;
    double start = now_seconds();
    for (unsigned long k = 0;; k++) {
        if (s->seconds > 0 ? now_seconds() - start >= s->seconds : k >= (unsigned long)s->count)
            break;
        if (s->real_libs && !npool)
            break; /* every real library was left out */
        char *text = s->real_libs ? fuzz_real_case(&rng, pool, npool) : fuzz_case(&rng, libs);
        char sig[256], err[1024], why[512];
        struct case_def def;
        if (!case_parse(FUZZ_PATH, text, &def, err, sizeof err))
            die("fuzz: the generator wrote a case that does not parse (%s):\n%s", err, text);
        const char *outside = NULL;
        enum verdict v = run_case_real(b, s->settings, &def, sig, sizeof sig, &outside, why,
                                       sizeof why);
        if (outside) {
            r->outside_tls++;
            leave_out(r, pool, &npool, outside, why);
        }
        case_free(&def);
        r->cases++;
        r->agreed += v == VERDICT_PASS;
        r->skipped += v == VERDICT_SKIP && !outside;
        r->rejected += v == VERDICT_ERROR;
        if (v == VERDICT_FAIL)
            record(r, s, text, sig, k);
        free(text);
    }
    r->seconds = now_seconds() - start;
    free(pool);
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
    for (size_t i = 0; i < r->nleft_out; i++)
        free(r->left_out[i]);
    free(r->left_out);
    free(r->out_error);
    memset(r, 0, sizeof *r);
}
