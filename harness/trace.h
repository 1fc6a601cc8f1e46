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
};

struct trace {
    char *command, *libc, *machine, *error;
    int exit_status;
    struct trace_event *events;
    size_t nevents;
};

/* Threads besides the main one that a replay starts before event e (it
   never joins them): those running then, and at least one once the
   process went multi-threaded. */
long trace_extra_threads(const struct trace_event *e);

void trace_write(FILE *out, const struct trace *t);
/* False with "file:line: what is wrong" in err. */
bool trace_read(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

#endif
