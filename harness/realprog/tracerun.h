/* A real command run with the rtld-audit tracer (harness/inject/tracer.c)
   injected: per object in load order, its TLS shape (read from its ELF
   file) and the threads running.  Shared by `trace` and `doctor`. */
#ifndef STATICTLS_TRACERUN_H
#define STATICTLS_TRACERUN_H

#include <stdbool.h>

#include "settings.h"
#include "trace.h"

enum trace_end {
    TRACE_DONE,      /* out holds the trace */
    TRACE_NOT_RUN,   /* the command cannot run: err says why (the user's input) */
    TRACE_TIMED_OUT, /* killed with its process group after timeout_s: err says so */
};

/* Runs command under the tracer (its scratch files under s->tmpdir, the
   user's LD_AUDIT kept after ours), killed after timeout_s (scaled
   already); echo copies its stderr onto ours as it comes.  One the tracer
   cannot see into (static, setuid) dies. */
enum trace_end trace_command(char **command, const struct settings *s, double timeout_s,
                             bool echo, struct trace *out, char *err, size_t errlen);

#endif
