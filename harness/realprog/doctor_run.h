/* doctor as one call: runs the command (squeezed to --squeeze's headroom),
   and, if it works, measures how much headroom it has; if it fails on
   static TLS, traces it, reads the host's budget, diagnoses, replays the
   trace on fixtures and searches fixes, each verified on the command.  What
   was found comes back as a value; the command renders it. */
#ifndef STATICTLS_DOCTOR_RUN_H
#define STATICTLS_DOCTOR_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "doctor.h"
#include "doctor_startup.h"
#include "headroom.h"
#include "settings.h"
#include "squeezerun.h"
#include "startroom.h"

/* What doctor is asked about. */
struct doctor_request {
    char **command;                  /* NULL-terminated */
    int expect_exit;                 /* what it exits with when it works */
    long squeeze;                    /* --squeeze H: only H bytes left free; -1 none */
    double timeout_s;                /* each run of the command's, scaled */
    const struct settings *settings; /* scratch files, the user's variables, probes */
};

enum doctor_found {
    DOCTOR_WORKS,          /* it exits as expected: the headroom fields */
    DOCTOR_FAILS,          /* it fails on static TLS: the diagnosis, replay and fixes */
    DOCTOR_NOT_STATIC_TLS, /* it fails with no static TLS error in its stderr */
    DOCTOR_NOT_MODELLED,   /* it fails on static TLS, on a libc the model does not know */
    DOCTOR_CANNOT_START,   /* ld.so refuses to start it: the startup fields */
};

struct doctor_result {
    enum doctor_found found;
    /* The first run, as it is (squeezed with --squeeze): its exit code,
       glibc's static TLS line and the free bytes, measured in its process. */
    struct squeeze_run first;
    unsigned command_runs; /* real runs of the command, a trace's included */

    /* DOCTOR_WORKS: the least headroom it needs, measured (and predicted
       by the model from the nblocks static-TLS objects it loaded; -1 none). */
    long predicted;
    size_t nblocks;
    struct headroom_result headroom;
    struct start_room room; /* under LD_AUDIT: the room at startup */

    /* DOCTOR_NOT_MODELLED: why the host's libc has no model. */
    char *why_not_modelled;

    /* DOCTOR_FAILS */
    struct trace trace;  /* the command's, traced: the diagnosis's paths are its */
    struct diagnosis dx;
    char replay[512];  /* the replay's outcome without fixes */
    unsigned replays;  /* replays on fixtures, the search's included */
    struct doctor_fix *fixes; /* ranked as doctor_find_fixes found them */
    size_t nfixes;
    struct doctor_fix *dropped; /* not run: the replay trips with them (doctor.h) */
    size_t ndropped;
    unsigned dropped_more;

    /* DOCTOR_CANNOT_START: its startup, modelled from the ELF files, and
       the fixes run on it. */
    struct startup_report startup;
};

/* Why doctor could not finish: a run of the command that outlived its
   timeout (timed_out), the user's input (a command that cannot run, be
   measured or be traced, a trace no replay can hold: exit 2), else the
   harness's own failure (3).  The message is whole: "doctor: ...". */
struct doctor_error {
    bool timed_out;
    bool input;
    char message[1400];
};

/* Runs doctor on the request into out (freed with doctor_result_free);
   false with err, and nothing in out, where it cannot finish. */
bool doctor_run(const struct doctor_request *q, struct doctor_result *out,
                struct doctor_error *err);
void doctor_result_free(struct doctor_result *r);

/* A fix verified on the command itself works. */
bool doctor_fixed(const struct doctor_result *r);

#endif
