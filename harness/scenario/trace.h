/* Traces of real commands: what `statictls trace` records and `statictls
   replay` turns into a synthetic reproducer.  The format (records, one per
   line, "kind\tkey=value...") is described in cases/README.md, "Traces". */
#ifndef STATICTLS_TRACE_H
#define STATICTLS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsaccess.h"

struct trace_event {
    bool close;     /* a dlclose; otherwise an object mapped */
    long seq;
    bool dlopen;    /* after startup */
    long lmid;
    long threads;   /* running when it was mapped */
    bool multithreaded; /* a thread was ever created before (glibc's flag,
                           never cleared: joined threads count) */
    long modid;     /* modelled: glibc's lowest free id */
    uint64_t tls_size, tls_align;
    enum tls_access access;
    char *path;
    int line; /* in the trace file, for messages */
    size_t process; /* which of the trace's processes mapped it */
};

/* A program the command's process ran: the command's own, then each that
   it exec'd (a wrapper: `sh -c 'exec ...'`, `env`, a pyenv shim), each
   with objects of its own. */
struct trace_process {
    long pid;
    char *program; /* its file, or NULL where the trace does not say (format 1) */
};

struct trace {
    char *command, *libc, *machine, *error;
    int exit_status;
    struct trace_event *events;
    size_t nevents;
    struct trace_process *processes; /* at least one once read or recorded */
    size_t nprocesses;
    size_t judged; /* trace_keep_judged's choice, an index into processes */
};

/* Threads besides the main one that a replay starts before event e (it
   never joins them): those running then, and at least one once the
   process went multi-threaded. */
long trace_extra_threads(const struct trace_event *e);

/* The process a diagnosis or a replay judges: the last one holding an
   object with TLS that glibc's message (t->error) names, else the last
   one exec'd. */
size_t trace_judged_process(const struct trace *t);
/* Keeps the events of that process alone (t->judged says which; the
   processes stay listed). */
void trace_keep_judged(struct trace *t);

/* Values are escaped as records escape them (probe/protocol.h): a path
   holding a tab or a newline reads back whole. */
void trace_write(FILE *out, const struct trace *t);
/* Files larger than this are no trace. */
#define TRACE_MAX_BYTES ((size_t)64 << 20)
/* False with "file:line: what is wrong" in err; a second trace line is
   refused. */
bool trace_read(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

#endif
