/* statictls trace: runs a real command with the rtld-audit tracer
   (tracerun.c) and writes, per object in load order, its TLS shape and the
   threads running, for `replay`. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"
#include "tracerun.h"
#include "die.h"
#include "xfile.h"

int cmd_trace(int argc, char **argv)
{
    const char *out = NULL;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else
            die_input("trace: unknown argument \"%s\" (usage: trace -o FILE -- CMD ARGS...)", argv[i]);
    }
    if (!out || i + 1 >= argc)
        die_input("trace: usage: trace -o FILE -- CMD ARGS...");
    char **command = argv + i + 1;

    struct trace t;
    trace_command(command, true, &t);
    size_t tls = 0, statics = 0;
    long max_threads = 0;
    bool multithreaded = false;
    for (size_t k = 0; k < t.nevents; k++) {
        multithreaded |= t.events[k].multithreaded;
        tls += t.events[k].tls_size > 0;
        statics += t.events[k].access == TLS_IE;
        if (t.events[k].threads > max_threads)
            max_threads = t.events[k].threads;
    }
    size_t tlen;
    char *text = render_to_memory((void (*)(FILE *, const void *))trace_write, &t, &tlen);
    write_file_atomic(out, text, tlen);
    fprintf(stderr, "statictls: trace: %zu objects, %zu with TLS, %zu need static TLS, up to %ld "
                    "threads%s; exit %d%s%s -> %s\n",
            t.nevents, tls, statics, max_threads, multithreaded ? ", went multi-threaded" : "",
            t.exit_status, t.error ? "; " : "",
            t.error ? t.error : "", out);
    free(text);
    trace_free(&t);
    return EXIT_PASS;
}
