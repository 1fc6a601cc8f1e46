#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envvars.h"
#include "visible.h"

/* A switch: on when set to anything but "" or "0". */
static bool switched_on(const char *value)
{
    return value && *value && strcmp(value, "0") != 0;
}

/* Why dir cannot hold scratch directories, or NULL. */
static const char *unusable_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return strerror(errno);
    if (!S_ISDIR(st.st_mode))
        return "not a directory";
    if (access(dir, W_OK | X_OK) != 0)
        return "not writable";
    return NULL;
}

bool settings_read(struct settings *s, char *const *user_env, char *err, size_t errlen)
{
    static char *const no_env[] = {NULL};
    *s = (struct settings){.timeout_factor = 1.0, .tmpdir = "/tmp",
                           .user_env = user_env ? user_env : no_env};
    s->keep = switched_on(env_lookup(s->user_env, "STATICTLS_KEEP"));
    s->coredumps = switched_on(env_lookup(s->user_env, "STATICTLS_COREDUMPS"));
    s->strict = switched_on(env_lookup(s->user_env, "STATICTLS_STRICT"));
    const char *tmpdir = env_lookup(s->user_env, "TMPDIR");
    if (tmpdir && *tmpdir)
        s->tmpdir = tmpdir;
    /* Generated libraries go into LD_PRELOAD and LD_AUDIT lists, which ld.so
       splits at ':' (and LD_PRELOAD at spaces too): no quoting exists. */
    const char *why = strpbrk(s->tmpdir, " :\t\n")
                          ? "a space or ':' in it would split the LD_PRELOAD and LD_AUDIT lists "
                            "the probes get; set TMPDIR to a directory without them"
                          : unusable_dir(s->tmpdir);
    if (why) {
        char *shown = visible(s->tmpdir); /* the user's bytes, never a terminal's commands */
        snprintf(err, errlen, "TMPDIR=\"%s\": %s%s", shown, why,
                 strpbrk(s->tmpdir, " :\t\n") ? "" : "; statictls makes its fixtures there");
        free(shown);
        return false;
    }
    /* Checked before anything is made: a command that runs out of
       descriptors half way dies with its scratch directory half made. */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
        files.rlim_cur < SETTINGS_MIN_OPEN_FILES) {
        snprintf(err, errlen, "the open-file limit (ulimit -n) is %llu; statictls needs %d "
                 "(its probes run two at once, each with pipes and an output file): raise it",
                 (unsigned long long)files.rlim_cur, SETTINGS_MIN_OPEN_FILES);
        return false;
    }
    const char *factor = env_lookup(s->user_env, "STATICTLS_TIMEOUT_FACTOR");
    if (factor && *factor) {
        char *end;
        double v = strtod(factor, &end);
        /* a year of any probe's timeout is beyond every use; it also keeps
           every deadline and CPU limit a plain number.  Below 0.01 a probe
           has under 0.1 s, which a loaded machine does not honour. */
        if (*end || !(v >= 0.01) || v > 1e6) {
            char *shown = visible(factor);
            snprintf(err, errlen,
                     "STATICTLS_TIMEOUT_FACTOR=\"%s\": expected a number from 0.01 to 1000000",
                     shown);
            free(shown);
            return false;
        }
        s->timeout_factor = v;
    }
    return true;
}
