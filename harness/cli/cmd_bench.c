/* statictls bench: how fast `limit` is, in this process and as a user runs
   it (a fresh statictls process), against the floor of two probe execs and
   against the method people use by hand: compile an N-byte initial-exec
   library with the compiler for every probe, and bisect with a fresh
   process per probe.  Prints medians, ratios and the goals they are held
   to; no test asserts a timing (docs/matrix.md, "Speed"). */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "commands.h"
#include "die.h"
#include "xalloc.h"

/* This program as a user runs it: `statictls limit` on the same libc
   build, argv[0] the program's own path. */
static char **limit_argv(const struct libc_choice *c)
{
    char *self = realpath("/proc/self/exe", NULL);
    if (!self)
        die_errno("realpath /proc/self/exe");
    char **argv = xcalloc(5, sizeof *argv);
    size_t n = 0;
    argv[n++] = self;
    argv[n++] = xstrdup("limit");
    if (c->how != LIBC_CHOICE_HOST) {
        bool musl = c->how == LIBC_CHOICE_RELEASE && strcmp(c->value, "musl") == 0;
        argv[n++] = xstrdup(musl                              ? "--musl"
                            : c->how == LIBC_CHOICE_RELEASE ? "--glibc"
                            : c->how == LIBC_CHOICE_ROOT    ? "--libc-root"
                                                            : "--libc-tree");
        if (!musl)
            argv[n++] = xstrdup(c->value);
    }
    return argv;
}

static void print_figure(const char *what, const struct bench_figure *f, const char *how)
{
    printf("%-21s median %8.1f ms wall, %8.1f ms CPU  (%s)\n", what, f->wall_s * 1e3,
           f->cpu_s * 1e3, how);
}

/* "1.9x", "350x": the ratio, and whether it meets the goal. */
static void print_ratio(const char *what, double ratio, const char *goal, bool met)
{
    printf("%-21s %.3gx  (goal: %s; %s)\n", what, ratio, goal, met ? "met" : "missed");
}

int cmd_bench(const struct args *a)
{
    long runs = arg_number(a, "--runs");
    struct libc_choice choice = libc_choice_of(a);
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    /* The user's loader variables reach every method, as they reach the
       program a user runs. */
    struct session s;
    session_open(&s, a, &choice, true);
    char **argv_limit = limit_argv(&choice);
    struct bench_query q = {&s.env, &s.kit, cc, argv_limit, runs};
    struct bench_result r;
    char err[1024];
    if (!bench_run(&q, &r, err, sizeof err))
        die("bench: %s", err);

    char *describe = libc_build_describe(&s.build);
    printf("libc build            %s\n", describe);
    free(describe);
    printf("answer                %lu bytes (all three methods, every run)\n", r.answer);
    char *how = xasprintf("%u compiles and processes per run, %s", r.bisect_probes, cc);
    print_figure("compile + bisect", &r.bisect, how);
    free(how);
    how = xasprintf("in bench's own process: %u probe processes, no program start",
                    r.limit_probes);
    print_figure("limit, in process", &r.in_process, how);
    free(how);
    how = xasprintf("a fresh `statictls limit`: its start, libraries and probes; %lu execs",
                    r.as_run.samples);
    print_figure("limit, as user runs", &r.as_run, how);
    free(how);
    how = xasprintf("the floor: statictls-probe reads the budget, then loads a block; %lu pairs",
                    r.floor.samples);
    print_figure("two probe execs", &r.floor, how);
    free(how);
    double over_floor = r.as_run.wall_s / r.floor.wall_s;
    double bisect_over = r.bisect.wall_s / r.as_run.wall_s;
    print_ratio("as user runs / floor", over_floor, "within 2x", over_floor <= 2);
    print_ratio("bisect / as user runs", bisect_over, "at least 200x", bisect_over >= 200);
    printf("%-21s %.3gx\n", "bisect / in process", r.bisect.wall_s / r.in_process.wall_s);
    printf("(medians over %ld run%s; ratios of wall clocks; CPU: bench and every process it "
           "waited for)\n", runs, runs == 1 ? "" : "s");
    session_close(&s);
    for (char **a = argv_limit; *a; a++)
        free(*a);
    free(argv_limit);
    return EXIT_PASS;
}
