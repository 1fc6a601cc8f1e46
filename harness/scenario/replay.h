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
    const struct settings *settings; /* how its probes run (caserun.h) */
    const struct trace *trace;
    const char *trace_path;
    long squeeze;      /* bytes of headroom left before the first load, or -1 */
    long squeeze_free; /* the free bytes the squeeze starts from */
    const struct fix *fixes;
    size_t nfixes;
};

/* Why a replay cannot be made or run.  input: the user's (a trace no case
   can hold, a --fix that does not parse; the command exits 2), else the
   harness's own failure (3). */
struct replay_error {
    bool input;
    const char *file; /* the trace to blame, or NULL */
    int line;         /* its line, or 0 for the whole file */
    char message[1024];
};

/* "FILE:LINE: MESSAGE", "FILE: MESSAGE" or "MESSAGE", in buf. */
const char *replay_error_text(const struct replay_error *e, char *buf, size_t len);

/* "preload=NAME", "first=NAME", "tunable=NAME=VALUE", "rebuild=NAME:tlsdesc"
   or "rebuild=NAME:gd" into out; anything else is an input error. */
bool replay_fix_parse(const char *s, struct fix *out, struct replay_error *err);
void fix_free(struct fix *f);

/* Whether the trace has an object with TLS that a fix naming name fits. */
bool replay_has_object(const struct trace *t, const char *name);
/* The file name of a path: what fixes match. */
const char *replay_base_name(const char *path);
/* Events the replay turns into fixtures: TLS in the main namespace. */
bool replay_includes(const struct trace_event *e);
/* An input error naming the trace's file and line for an object no
   fixture can stand for (an alignment that is no power of two or above
   4096, a block above 1 GiB); true when there is none. */
bool replay_check(const struct trace *t, const char *path, struct replay_error *err);

/* A replay made and run. */
struct replay_result {
    bool nothing; /* no object with TLS was dlopen'ed: no case, nothing ran */
    struct case_def def;
    struct case_result res;
};

/* Runs the replay on its build (model_as NULL) or models it for glibc
   model_as into out (freed with replay_result_free).  A trace with more
   steps than a case holds is an input error. */
bool replay_case(const struct replay *r, const char *model_as, struct replay_result *out,
                 struct replay_error *err);
void replay_result_free(struct replay_result *out);
/* The replay's outcome in a few words, for tables and doctor. */
void replay_outcome(const struct replay_result *out, char *buf, size_t len);

/* replay_case, printed (print) and summed up in summary, and with emit
   the case that expects what this run saw written there: the exit code,
   or -1 with err. */
int replay_run(const struct replay *r, const char *model_as, bool print, char *summary,
               size_t len, const char *emit, struct replay_error *err);

/* What --model glibc-VERSION stands on. */
struct replay_model_basis {
    /* That release's libc TLS block, measured on an upstream build: the
       model knows its own startup layout.  0: it does not, and models the
       release's rules on this machine's startup layout. */
    size_t libc_tls_size;
    /* A build of that release among the builds here, which measures what
       --model only models; NULL: none. */
    const struct libc_build *here;
};
void replay_model_basis(const char *version, const char *machine,
                        const struct libc_build_list *builds, struct replay_model_basis *out);

/* The free bytes of a fresh process of build (or the model's for
   model_as), where the squeeze starts from, in free_bytes. */
bool replay_fresh_free(const struct libc_build *build, const struct settings *s,
                       const char *model_as, long *free_bytes,
                       struct replay_error *err);

#endif
