/* Unit tests' traces: libc at startup and n objects dlopen'ed one after
   another, each with an IE block of size bytes aligned to align. */
#ifndef STATICTLS_SYNTHETIC_TRACE_H
#define STATICTLS_SYNTHETIC_TRACE_H

#include <stdint.h>
#include <string.h>

#include "trace.h"
#include "xalloc.h"

static inline void synthetic_trace(struct trace *t, size_t n, uint64_t align, uint64_t size)
{
    memset(t, 0, sizeof *t);
    t->command = xstrdup("synthetic");
    t->libc = xstrdup("glibc-2.36");
    t->machine = xstrdup("x86_64");
    *XAPPEND(&t->events, &t->nevents) =
        (struct trace_event){.seq = 1, .threads = 1, .modid = 1, .tls_size = 144, .tls_align = 8,
                             .access = TLS_IE, .path = xstrdup("/lib/libc.so.6"), .line = 2};
    for (size_t i = 0; i < n; i++)
        *XAPPEND(&t->events, &t->nevents) =
            (struct trace_event){.seq = (long)i + 2, .dlopen = true, .threads = 1, .modid = 2,
                                 .tls_size = size, .tls_align = align, .access = TLS_IE,
                                 .path = xasprintf("/many/lib%zu.so", i), .line = (int)i + 3};
}

#endif
