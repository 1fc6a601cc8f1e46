/* statictls doctor: from a failing command to a fix verified on that
   command.  The pieces: what went wrong (doctor_diagnose.c: glibc's
   message, measured; which rule, which objects hold how much, modelled
   from the trace and the measured free bytes), which fixes work
   (doctor_fixes.c: predicted by replays on fixtures, each then run on the
   real command) and the run that ties them together (doctor_run.c). */
#ifndef STATICTLS_DOCTOR_H
#define STATICTLS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "libcbuild.h"
#include "replay.h"
#include "squeezerun.h"
#include "trace.h"

/* An object with TLS as the model placed it, in load order. */
struct held_object {
    const char *path; /* the trace's */
    uint64_t size, align;
    enum tls_access access;
    bool startup;       /* in the initial block, not the surplus */
    enum placement how; /* for dlopen'ed ones */
    size_t use;         /* bytes taken from the surplus, padding included */
    size_t free_after;  /* free bytes after it */
};

struct diagnosis {
    long start_free;       /* free when the command starts loading: measured, or --squeeze's H */
    char *tripped;         /* the object glibc's message names (measured), or NULL */
    struct held_object *objects;
    size_t nobjects;
    size_t trip;           /* 1 + index of the object the model trips at, 0: none */
    size_t free_at_trip;   /* modelled */
};

/* Places the trace's objects on the host's model, starting from
   start_free free bytes, up to the first that does not fit. */
void diagnose(const struct budget *host, const struct trace *t, long start_free,
              const char *message, struct diagnosis *out);
void diagnosis_free(struct diagnosis *d);
/* "size", "alignment" or "count": the rule of a failed placement. */
const char *placement_rule(enum placement how);

/* One fix, as the user would apply it. */
struct doctor_fix {
    enum fix_kind kind;
    char *what;          /* the objects (':'-separated), or the tunable */
    char *line;          /* what to paste (shellquote.h's line), or what to do */
    bool on_command;     /* verified by running the command itself */
    bool works;          /* it worked where it was checked */
    char *evidence;      /* how it was checked, with each figure labelled */
};

/* Everything doctor runs: the command (with --squeeze's headroom), its
   trace, the host's build and budget. */
struct doctor {
    struct squeezer squeezer;
    long squeeze;     /* --squeeze H, or -1 */
    long fill;        /* the filler of the squeeze, kept the same under a fix; -1 none */
    struct trace trace;
    struct libc_build host;
    struct budget budget;
    struct replay replay; /* the trace as it ran, without fixes */
    unsigned replays;
    bool replay_failed; /* a replay with a fix could not be made: replay_error */
    struct replay_error replay_error;
    struct doctor_fix *fixes;
    size_t nfixes;
    /* Fixes not run on the command because their replay on fixtures trips
       (works false, on_command false), the first DOCTOR_DROPPED_LISTED of
       them; dropped_more counts the rest. */
    struct doctor_fix *dropped;
    size_t ndropped;
    unsigned dropped_more;
};

enum { DOCTOR_DROPPED_LISTED = 6 };

/* Finds the fixes, ranked: verified on the command first (the smallest
   LD_PRELOAD set, the smallest optional_static_tls the model predicts, the
   object loaded first), then the rebuilds, validated by replay only.
   False, with d->replay_error, where a replay with a fix cannot be made. */
bool doctor_find_fixes(struct doctor *d, const struct diagnosis *dx);
void doctor_fixes_free(struct doctor_fix *fixes, size_t n);

#endif
