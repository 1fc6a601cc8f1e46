/* statictls bench: how much faster `limit` is than the method people use by
   hand: compile an N-byte initial-exec library with the compiler for every
   probe, and bisect with a fresh process per probe.  Prints medians and the
   ratio; no target is asserted here (see README, "Speed"). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "command.h"
#include "commands.h"
#include "limit.h"
#include "plan.h"
#include "search.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

struct naive {
    const char *cc, *dir;
    const struct run_env *env;
    unsigned probes;
};

static void run_compiler(const struct naive *n, const char *src, const char *lib)
{
    char *argv[] = {(char *)n->cc, "-shared", "-fPIC", "-O2", "-o", (char *)lib, (char *)src, NULL};
    char *errfile = xasprintf("%s/cc.err", n->dir);
    pid_t pid;
    int status = run_command(argv, NULL, 0, errfile, &pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        free(command_stderr(errfile, true)); /* echoed: the compiler's own words */
        die("bench: %s could not compile %s", n->cc, src);
    }
    remove(errfile);
    free(errfile);
}

/* One naive probe: compile a library with an N-byte IE block, dlopen it in
   a fresh probe process. */
static bool naive_fits(long long bytes, void *ctx)
{
    struct naive *n = ctx;
    unsigned long size = (unsigned long)bytes;
    char *src = xasprintf("%s/ie%lu.c", n->dir, size);
    char *lib = xasprintf("%s/libie%lu.so", n->dir, size);
    char *code = xasprintf("__thread char block[%lu] __attribute__((tls_model(\"initial-exec\")));\n"
                           "char *touch(void) { return block; }\n",
                           size ? size : 1);
    write_file_atomic(src, code, strlen(code));
    run_compiler(n, src, lib);
    struct plan p = {0};
    plan_add(&p, OP_LOAD, lib, lib, 0);
    struct step_result r;
    struct probe_result pr;
    plan_run(&p, &n->env->probe, 0, &r, &pr);
    bool fits = r.done && r.kind == KIND_LOADED;
    n->probes++;
    step_results_free(&r, 1);
    probe_result_free(&pr);
    plan_free(&p);
    remove(src), remove(lib);
    free(src), free(lib), free(code);
    return fits;
}

/* Doubling until a block fails, then bisection: what a person scripts. */
static unsigned long naive_limit(struct naive *n)
{
    long long lo = 0, hi;
    if (!search_grow(&lo, &hi, naive_fits, n))
        die("bench: a %lld-byte block still loads", hi);
    return (unsigned long)search_last(lo, hi, naive_fits, n);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int cmd_bench(const struct args *a)
{
    long runs = arg_number(a, "--runs");
    struct libc_choice choice = libc_choice_of(a);
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    struct session s;
    session_open(&s, &choice, false);

    double *fast = xcalloc((size_t)runs, sizeof *fast), *slow = xcalloc((size_t)runs, sizeof *slow);
    unsigned long fast_n = 0, slow_n = 0;
    unsigned fast_probes = 0, slow_probes = 0;
    for (long r = 0; r < runs; r++) {
        struct limit_query q = {.env = &s.env, .kit = &s.kit, .model = TLS_IE, .align = 1};
        struct limit_result l;
        char err[1024];
        double t0 = now_seconds();
        if (!limit_measure(&q, &l, err, sizeof err))
            die("bench: limit: %s", err);
        fast[r] = now_seconds() - t0;
        fast_n = l.max_bytes;
        fast_probes = l.probes; /* the first one also read the budget */
        limit_result_free(&l);

        struct naive n = {.cc = cc, .dir = s.kit.dir, .env = &s.env};
        t0 = now_seconds();
        slow_n = naive_limit(&n);
        slow[r] = now_seconds() - t0;
        slow_probes = n.probes;
        if (slow_n != fast_n)
            die("bench: the methods disagree: limit says %lu bytes, compile-and-bisect %lu",
                fast_n, slow_n);
    }
    double fast_median = median(fast, (size_t)runs), slow_median = median(slow, (size_t)runs);
    char *describe = libc_build_describe(&s.build);
    printf("libc build          %s\n", describe);
    free(describe);
    printf("answer              %lu bytes (both methods, every run)\n", fast_n);
    printf("compile + bisect    median %8.1f ms  (%u compiles and processes per run, %s)\n",
           slow_median * 1e3, slow_probes, cc);
    printf("statictls limit     median %8.1f ms  (%u processes per run)\n", fast_median * 1e3,
           fast_probes);
    printf("ratio               %.0fx faster  (medians of %ld runs each)\n",
           slow_median / fast_median, runs);
    session_close(&s);
    free(fast), free(slow);
    return EXIT_PASS;
}
