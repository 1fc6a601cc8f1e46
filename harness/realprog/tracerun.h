/* A real command run with the rtld-audit tracer (harness/inject/tracer.c)
   injected: per object in load order, its TLS shape (read from its ELF
   file) and the threads running.  Shared by `trace` and `doctor`. */
#ifndef STATICTLS_TRACERUN_H
#define STATICTLS_TRACERUN_H

#include <stdbool.h>

#include "settings.h"
#include "trace.h"

/* Runs command under the tracer (its scratch files under s->tmpdir, the
   user's LD_AUDIT kept after ours); echo copies its stderr onto ours.
   False with the reason in err for a command that cannot run (the user's
   input); one the tracer cannot see into (static, setuid) dies. */
bool trace_command(char **command, const struct settings *s, bool echo, struct trace *out,
                   char *err, size_t errlen);

#endif
