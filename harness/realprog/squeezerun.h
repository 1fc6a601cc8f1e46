/* A real command run with the squeeze helper (harness/inject/squeeze.c)
   preloaded, which measures the free static TLS inside the command's own
   process and can leave exactly H bytes of it; or run with a fix's
   variables alone.  Shared by `headroom` and `doctor`. */
#ifndef STATICTLS_SQUEEZERUN_H
#define STATICTLS_SQUEEZERUN_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* The command, what it must exit with to count as working, and the
   scratch files of its runs.  Once a run has timed out, no other runs:
   each later one comes back at once, timed out too. */
struct squeezer {
    char **command;
    int expect_exit;
    const struct settings *settings; /* scratch files' tmpdir, the user's variables */
    double timeout_s;                /* each run's, scaled */
    char *dir, *report;
    unsigned runs;
    unsigned timed_out; /* the run that timed out (1 for the first), 0: none */
};

/* What one run gets besides the caller's own environment. */
struct squeeze_setup {
    bool helper;          /* preload the helper (false: the command and the fix only) */
    long leave;           /* with the helper: leave this many bytes free, -1 all */
    long fill;            /* with the helper: a filler of exactly this size, -1 none */
    const char *preload;  /* ':'-separated objects to LD_PRELOAD, or NULL */
    const char *library_path; /* LD_LIBRARY_PATH, as it is set, or NULL */
    const char *first;    /* with the helper: dlopen'ed before anything else */
    const char *tunables; /* merged into GLIBC_TUNABLES (tunesearch.h), or NULL */
    bool echo;            /* copy the command's stderr onto ours */
};

struct squeeze_run {
    int exit_code;
    bool timed_out;  /* killed at the timeout: nothing else here holds */
    bool squeezed;   /* the helper reported from the program that ran to the end */
    long free_bytes; /* measured in the command's process */
    /* The helper reported from left_from, then the process exec'd left_for,
       which did not load it (left_keeps: with the helper still in
       LD_PRELOAD); NULL: it did not leave. */
    char *left_from, *left_for;
    bool left_keeps;
    /* left_for has an LD_PRELOAD of its own, without the helper: the
       command set it (`env LD_PRELOAD=...`, a script's export). */
    bool left_replaced;
    /* Another process of the command (a forked child) exec'd left_for
       without the helper, and no process that kept the helper loaded an
       object with TLS that no process started with: the measured process
       did none of the work, so nothing was measured. */
    bool left_child;
    char *message;   /* glibc's static TLS line in stderr, or NULL */
    char *stderr_tail; /* the end of its stderr */
    char **loaded;   /* objects with TLS loaded after startup */
    size_t nloaded;
    char **startup;  /* objects with TLS at startup, in link-map order (the
                        program's own block as protocol.h's main name) */
    size_t nstartup;
};

/* A squeezer with its own scratch directory, and its removal; each run of
   the command is killed after timeout_s (scaled already). */
void squeezer_open(struct squeezer *s, char **command, int expect_exit,
                   const struct settings *settings, double timeout_s);
void squeezer_close(struct squeezer *s);

/* Runs the command once as setup says. */
void squeezer_run(struct squeezer *s, const struct squeeze_setup *setup, struct squeeze_run *out);
/* The helper's plain measuring run, squeezed to leave bytes (-1: none). */
void squeezer_run_left(struct squeezer *s, long leave, struct squeeze_run *out);
/* It worked: exited as expected (and, with the helper, the helper reported). */
bool squeeze_succeeds(const struct squeezer *s, const struct squeeze_run *r, bool helper);
/* Whether the helper measured the command in r (a run with it); false with
   why ("cannot run CMD", or nothing measured and why) where it did not.
   timed_out: a timeout (squeezer_timeout's message), else the user's
   command or its launcher. */
bool squeeze_measured(const struct squeezer *s, const struct squeeze_run *r, char *why,
                      size_t whylen);
/* "CMD did not end within T s (run N): ...": why nothing more was run. */
void squeezer_timeout(const struct squeezer *s, char *why, size_t whylen);
void squeeze_run_free(struct squeeze_run *r);

#endif
