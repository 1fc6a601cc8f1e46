/* libFuzzer target: the trace reader takes any bytes; a trace it accepts
   writes back (trace_write) to one that reads back the same. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_equal(const struct trace *a, const struct trace *b)
{
    if (!same(a->command, b->command) || !same(a->libc, b->libc) ||
        !same(a->machine, b->machine) || !same(a->error, b->error) ||
        a->exit_status != b->exit_status || a->nevents != b->nevents ||
        a->nprocesses != b->nprocesses)
        abort();
    for (size_t k = 0; k < a->nprocesses; k++)
        if (a->processes[k].pid != b->processes[k].pid ||
            !same(a->processes[k].program, b->processes[k].program))
            abort();
    for (size_t i = 0; i < a->nevents; i++) {
        const struct trace_event *x = &a->events[i], *y = &b->events[i];
        if (x->close != y->close || x->seq != y->seq || x->modid != y->modid ||
            x->process != y->process || !same(x->path, y->path))
            abort();
        if (!x->close && (x->dlopen != y->dlopen || x->lmid != y->lmid ||
                          x->threads != y->threads || x->tls_size != y->tls_size ||
                          x->tls_align != y->tls_align || x->access != y->access))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_file in, again;
    fuzz_file_set(&in, data, size);
    struct trace t;
    char err[1024];
    if (!trace_read(in.path, &t, err, sizeof err))
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    trace_write(f, &t);
    if (fclose(f) != 0)
        abort();
    fuzz_file_set(&again, (const uint8_t *)text, len);
    struct trace r;
    if (!trace_read(again.path, &r, err, sizeof err)) /* what we write, we read */
        abort();
    check_equal(&t, &r);
    size_t judged = trace_judged_process(&t);
    trace_keep_judged(&t); /* what replay and doctor keep: that process's events */
    if (judged >= t.nprocesses || t.judged != judged)
        abort();
    for (size_t i = 0; i < t.nevents; i++)
        if (t.events[i].process != judged)
            abort();
    trace_free(&r);
    trace_free(&t);
    free(text);
    return 0;
}
