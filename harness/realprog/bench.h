/* `limit` timed against what a reader compares it with: the method people
   script by hand (compile an N-byte initial-exec library for every probe
   and bisect, a fresh process per probe), the program as a user runs it
   (a fresh statictls process: its start and its libraries included), and
   the floor any such program stands on (two execs of the probe).  Only
   figures come out; whether they meet a goal is the reader's (bench
   prints it, no test asserts it). */
#ifndef STATICTLS_BENCH_H
#define STATICTLS_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "fixture.h"
#include "runenv.h"

/* Processes of a few milliseconds vary by as much on a shared machine:
   each run times the program and the probe pair this many times. */
#define BENCH_EXECS_PER_RUN 10

struct bench_query {
    const struct run_env *env;
    struct fixture_kit *kit;
    const char *cc;          /* the compiler of compile-and-bisect */
    char *const *limit_argv; /* `statictls limit` with the same libc build:
                                argv[0] the program's path, NULL-terminated */
    long runs;
};

/* Medians: wall clock, and CPU of this process and of every process it
   waited for (children and theirs). */
struct bench_figure {
    double wall_s, cpu_s;
    unsigned long samples;
};

struct bench_result {
    unsigned long answer;       /* the largest IE block: every method, every run */
    struct bench_figure bisect; /* compile-and-bisect */
    unsigned bisect_probes;     /* its compiles, each with a probe process */
    struct bench_figure in_process; /* limit_measure in this process */
    unsigned limit_probes;          /* its probe processes */
    struct bench_figure as_run;     /* a fresh `statictls limit` */
    struct bench_figure floor;      /* two probe execs: the budget, then the block */
};

/* Runs every method q->runs times; false with the reason in err when one
   fails, or two find different answers. */
bool bench_run(const struct bench_query *q, struct bench_result *out, char *err, size_t errlen);

#endif
