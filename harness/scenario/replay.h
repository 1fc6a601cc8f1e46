/* A trace of a real command as a case: one fixture per object with TLS,
   same size, alignment and access model, loaded in the same order with the
   same threads running, optionally with fixes applied and with only H
   bytes of headroom left.  Shared by `replay` and `doctor`. */
#ifndef STATICTLS_REPLAY_H
#define STATICTLS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "caserun.h"
#include "libcbuild.h"
#include "tlsaccess.h"
#include "trace.h"

enum fix_kind { FIX_PRELOAD, FIX_FIRST, FIX_TUNABLE, FIX_REBUILD };

struct fix {
    enum fix_kind kind;
    char *name;    /* the object, matched by the start of its file name */
    char *tunable; /* FIX_TUNABLE: "optional_static_tls=N" */
    enum tls_access rebuilt_as; /* FIX_REBUILD: TLS_DESC or TLS_GD */
};

struct replay {
    const struct libc_build *build; /* where it runs (model_as: whose startup it models) */
    const struct trace *trace;
    const char *trace_path;
    long squeeze;      /* bytes of headroom left before the first load, or -1 */
    long squeeze_free; /* the free bytes the squeeze starts from */
    const struct fix *fixes;
    size_t nfixes;
};

/* "preload=NAME", "first=NAME", "tunable=NAME=VALUE", "rebuild=NAME:tlsdesc"
   or "rebuild=NAME:gd"; anything else exits 2. */
struct fix fix_parse(const char *s);
void fix_free(struct fix *f);

/* Whether the trace has an object with TLS that a fix naming name fits. */
bool replay_has_object(const struct trace *t, const char *name);
/* The file name of a path: what fixes match. */
const char *replay_base_name(const char *path);
/* Events the replay turns into fixtures: TLS in the main namespace. */
bool replay_includes(const struct trace_event *e);
/* Exits 2 naming the trace's file and line for an object no fixture can
   stand for (an alignment that is no power of two or above 4096, a block
   above 1 GiB). */
void replay_check(const struct trace *t, const char *path);

/* Runs the replay on its build (model_as NULL) or models it for glibc
   model_as; the caller frees res with case_result_free and def with
   case_free.  A trace with nothing dlopen'ed gives a passing result with
   no steps ("nothing to replay"); one with more steps than a case holds
   exits 2. */
void replay_case(const struct replay *r, const char *model_as, struct case_def *def,
                 struct case_result *res);
/* The replay's outcome in a few words, for tables and doctor. */
void replay_outcome(const struct case_result *res, char *buf, size_t len);

/* replay_case, printed (print) and summed up in summary, and with emit
   the case that expects what this run saw written there; the exit code. */
int replay_run(const struct replay *r, const char *model_as, bool print, char *summary,
               size_t len, const char *emit);

/* The free bytes of a fresh process of build (or the model's for
   model_as), where the squeeze starts from. */
long replay_fresh_free(const struct libc_build *build, const char *model_as);

#endif
