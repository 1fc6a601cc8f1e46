/* statictls trace: runs a real command with the rtld-audit tracer
   (tracerun.c) and writes, per object in load order, its TLS shape and the
   threads running, for `replay`.  A command that outlives --timeout is
   killed, nothing is written, exit 4. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"
#include "tracerun.h"
#include "visible.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"

/* One line on stderr: what the trace holds of the process replay and
   doctor judge, and where it went. */
static void print_summary(const struct trace *t, const char *out)
{
    size_t judged = trace_judged_process(t), n = 0, tls = 0, statics = 0;
    long max_threads = 0;
    bool multithreaded = false;
    for (size_t k = 0; k < t->nevents; k++) {
        const struct trace_event *e = &t->events[k];
        if (e->process != judged)
            continue;
        n++;
        multithreaded |= e->multithreaded;
        tls += e->tls_size > 0;
        statics += e->access == TLS_IE;
        if (e->threads > max_threads)
            max_threads = e->threads;
    }
    char *program = NULL;
    if (t->nprocesses > 1)
        program = xasprintf(" in %s (of %zu programs the command ran, each kept apart; "
                            "replay and doctor judge this one)",
                            t->processes[judged].program ? t->processes[judged].program
                                                         : "an unnamed program",
                            t->nprocesses);
    char *shown = visible(program ? program : "");
    fprintf(stderr, "statictls: trace: %zu objects, %zu with TLS, %zu need static TLS, up to %ld "
                    "threads%s%s; exit %d%s%s -> %s\n",
            n, tls, statics, max_threads, multithreaded ? ", went multi-threaded" : "", shown,
            t->exit_status, t->error ? "; " : "", t->error ? t->error : "", out);
    free(shown);
    free(program);
}

int cmd_trace(const struct args *a)
{
    output_path_check(a, "-o", false);
    const char *out = arg_string(a, "-o");
    struct trace t;
    char err[1024];
    double timeout_s = (double)arg_number(a, "--timeout") * a->settings.timeout_factor;
    switch (trace_command(a->operands, &a->settings, timeout_s, true, &t, err, sizeof err)) {
    case TRACE_DONE:
        break;
    case TRACE_NOT_RUN:
        die_input("trace: %s", err);
    case TRACE_TIMED_OUT:
        fprintf(stderr, "statictls: trace: %s\n", err);
        return EXIT_TIMEOUT;
    }
    size_t tlen;
    char *text = render_to_memory((void (*)(FILE *, const void *))trace_write, &t, &tlen);
    write_file_atomic(out, text, tlen);
    print_summary(&t, out);
    free(text);
    trace_free(&t);
    return EXIT_PASS;
}
