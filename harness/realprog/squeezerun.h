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
   scratch files of its runs. */
struct squeezer {
    char **command;
    int expect_exit;
    const struct settings *settings; /* scratch files' tmpdir, the user's variables */
    char *dir, *report, *errfile;
    unsigned runs;
};

/* What one run gets besides the caller's own environment. */
struct squeeze_setup {
    bool helper;          /* preload the helper (false: the command and the fix only) */
    long leave;           /* with the helper: leave this many bytes free, -1 all */
    long fill;            /* with the helper: a filler of exactly this size, -1 none */
    const char *preload;  /* ':'-separated objects to LD_PRELOAD, or NULL */
    const char *first;    /* with the helper: dlopen'ed before anything else */
    const char *tunables; /* added to GLIBC_TUNABLES, or NULL */
    bool echo;            /* copy the command's stderr onto ours */
};

struct squeeze_run {
    int exit_code;
    bool squeezed;   /* the helper reported */
    long free_bytes; /* measured in the command's process */
    char *message;   /* glibc's static TLS line in stderr, or NULL */
    char **loaded;   /* objects with TLS loaded after startup */
    size_t nloaded;
};

/* A squeezer with its own scratch directory, and its removal. */
void squeezer_open(struct squeezer *s, char **command, int expect_exit,
                   const struct settings *settings);
void squeezer_close(struct squeezer *s);

/* Runs the command once as setup says. */
void squeezer_run(struct squeezer *s, const struct squeeze_setup *setup, struct squeeze_run *out);
/* The helper's plain measuring run, squeezed to leave bytes (-1: none). */
void squeezer_run_left(struct squeezer *s, long leave, struct squeeze_run *out);
/* It worked: exited as expected (and, with the helper, the helper reported). */
bool squeeze_succeeds(const struct squeezer *s, const struct squeeze_run *r, bool helper);
void squeeze_run_free(struct squeeze_run *r);

#endif
