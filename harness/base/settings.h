/* How the user's environment says statictls should run: read once, by the
   cli layer, from the variables below, and passed to what needs each one.
   No layer below cli reads them itself. */
#ifndef STATICTLS_SETTINGS_H
#define STATICTLS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

struct settings {
    bool keep;             /* STATICTLS_KEEP=1: fixtures and scratch files stay */
    bool coredumps;        /* STATICTLS_COREDUMPS=1: a crashing probe may dump core */
    bool strict;           /* STATICTLS_STRICT=1: what would skip (77) is not judged (5),
                              as --strict makes it */
    double timeout_factor; /* STATICTLS_TIMEOUT_FACTOR: scales every probe's timeout */
    const char *tmpdir;    /* TMPDIR (default /tmp): where scratch directories go */
    /* The user's whole environment, NAME=VALUE, NULL-terminated (main's
       environ): the loader variables that pass through to probes, PATH,
       ${NAME} of case files.  Never NULL. */
    char *const *user_env;
};

/* The open files (ulimit -n) statictls needs: measured, `report` holds 12
   descriptors at most (two probes at once, each with its pipes and output
   file); the rest is room for libarchive, the loader and the probes' own
   dlopen.  Below it every command but help exits 2 before it starts. */
#define SETTINGS_MIN_OPEN_FILES 64

/* The settings from user_env (kept, not copied).  A switch is on when set
   to anything but "" or "0".  False with the reason in err for a value
   statictls cannot use: a timeout factor that is no number from 0.01 to
   10^6, or a TMPDIR with a space or ':', or that is no writable directory;
   or for an open-file limit below SETTINGS_MIN_OPEN_FILES. */
bool settings_read(struct settings *s, char *const *user_env, char *err, size_t errlen);

#endif
