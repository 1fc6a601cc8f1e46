#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envvars.h"

bool settings_read(struct settings *s, char *const *user_env, char *err, size_t errlen)
{
    static char *const no_env[] = {NULL};
    *s = (struct settings){.timeout_factor = 1.0, .tmpdir = "/tmp",
                           .user_env = user_env ? user_env : no_env};
    /* Set counts, whatever the value ("0" included), as it always did. */
    s->keep = env_lookup(s->user_env, "STATICTLS_KEEP") != NULL;
    s->coredumps = env_lookup(s->user_env, "STATICTLS_COREDUMPS") != NULL;
    const char *tmpdir = env_lookup(s->user_env, "TMPDIR");
    if (tmpdir && *tmpdir)
        s->tmpdir = tmpdir;
    /* Generated libraries go into LD_PRELOAD and LD_AUDIT lists, which ld.so
       splits at ':' (and LD_PRELOAD at spaces too): no quoting exists. */
    if (strpbrk(s->tmpdir, " :\t\n")) {
        snprintf(err, errlen,
                 "TMPDIR=\"%s\": a space or ':' in it would split the LD_PRELOAD and LD_AUDIT "
                 "lists the probes get; set TMPDIR to a directory without them",
                 s->tmpdir);
        return false;
    }
    const char *factor = env_lookup(s->user_env, "STATICTLS_TIMEOUT_FACTOR");
    if (factor && *factor) {
        char *end;
        double v = strtod(factor, &end);
        /* a year of any probe's timeout is beyond every use; it also keeps
           every deadline and CPU limit a plain number */
        if (*end || !(v > 0) || v > 1e6) {
            snprintf(err, errlen,
                     "STATICTLS_TIMEOUT_FACTOR=\"%s\": expected a number above 0, at most 1000000",
                     factor);
            return false;
        }
        s->timeout_factor = v;
    }
    return true;
}
