/* A real command run with the rtld-audit tracer (harness/inject/tracer.c)
   injected: per object in load order, its TLS shape (read from its ELF
   file) and the threads running.  Shared by `trace` and `doctor`. */
#ifndef STATICTLS_TRACERUN_H
#define STATICTLS_TRACERUN_H

#include <stdbool.h>

#include "trace.h"

/* Runs command under the tracer; echo copies its stderr onto ours.  A
   command that cannot run exits 2; one the tracer cannot see into (static,
   setuid) dies. */
void trace_command(char **command, bool echo, struct trace *out);

#endif
