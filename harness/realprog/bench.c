#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "interrupt.h"
#include "limit.h"
#include "plan.h"
#include "protocol.h"
#include "search.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

/* A measurement under way: wall clock and CPU so far. */
struct clock {
    double wall, cpu;
};

/* The samples of one figure, wall and CPU side by side. */
struct samples {
    double *wall, *cpu;
    size_t n;
};

static double cpu_seconds(void)
{
    struct rusage self, children;
    if (getrusage(RUSAGE_SELF, &self) != 0 || getrusage(RUSAGE_CHILDREN, &children) != 0)
        die_errno("getrusage");
    struct timeval t[] = {self.ru_utime, self.ru_stime, children.ru_utime, children.ru_stime};
    double s = 0;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        s += (double)t[i].tv_sec + (double)t[i].tv_usec / 1e6;
    return s;
}

static struct clock clock_start(void)
{
    return (struct clock){now_seconds(), cpu_seconds()};
}

/* Wall and CPU since start, appended to s as one sample. */
static void clock_stop(struct clock start, struct samples *s)
{
    double wall = now_seconds() - start.wall, cpu = cpu_seconds() - start.cpu;
    size_t n = s->n;
    *XAPPEND(&s->wall, &n) = wall;
    *XAPPEND(&s->cpu, &s->n) = cpu;
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

/* The medians of s (zero without samples), which is emptied. */
static struct bench_figure figure(struct samples *s)
{
    struct bench_figure f = {0};
    if (s->n)
        f = (struct bench_figure){median(s->wall, s->n), median(s->cpu, s->n), s->n};
    free(s->wall), free(s->cpu);
    *s = (struct samples){0};
    return f;
}

/* Compile-and-bisect: what a person scripts. */
struct naive {
    const char *cc, *dir;
    const struct run_env *env;
    unsigned probes;
    char *error; /* the first failure; the search then answers "does not fit" */
};

static bool compile(struct naive *n, const char *src, const char *lib)
{
    char *argv[] = {(char *)n->cc, "-shared", "-fPIC", "-O2", "-o", (char *)lib, (char *)src, NULL};
    char *errfile = xasprintf("%s/cc.err", n->dir);
    pid_t pid;
    int status = run_command(argv, NULL, 0, &(struct command_streams){.err = errfile}, &pid);
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        free(command_stderr(errfile, true)); /* echoed: the compiler's own words */
        n->error = xasprintf("%s could not compile %s", n->cc, src);
    }
    remove(errfile);
    free(errfile);
    return ok;
}

/* One naive probe: compile a library with an N-byte IE block, dlopen it in
   a fresh probe process. */
static bool naive_fits(long long bytes, void *ctx)
{
    struct naive *n = ctx;
    if (n->error)
        return false;
    unsigned long size = (unsigned long)bytes;
    char *src = xasprintf("%s/ie%lu.c", n->dir, size);
    char *lib = xasprintf("%s/libie%lu.so", n->dir, size);
    char *code = xasprintf("__thread char block[%lu] __attribute__((tls_model(\"initial-exec\")));\n"
                           "char *touch(void) { return block; }\n",
                           size ? size : 1);
    write_file_atomic(src, code, strlen(code));
    bool fits = false;
    if (compile(n, src, lib)) {
        struct plan p = {0};
        plan_add(&p, OP_LOAD, lib, lib, 0);
        struct step_result r;
        struct probe_result pr;
        plan_run(&p, &n->env->probe, 0, &r, &pr);
        fits = r.done && r.kind == KIND_LOADED;
        n->probes++;
        step_results_free(&r, 1);
        probe_result_free(&pr);
        plan_free(&p);
    }
    remove(src), remove(lib);
    free(src), free(lib), free(code);
    return fits;
}

/* Doubling until a block fails, then bisection. */
static bool naive_limit(struct naive *n, unsigned long *answer, char *err, size_t errlen)
{
    long long lo = 0, hi;
    bool grown = search_grow(&lo, &hi, naive_fits, n);
    long long last = grown && !n->error ? search_last(lo, hi, naive_fits, n) : 0;
    if (n->error)
        snprintf(err, errlen, "compile-and-bisect: %s", n->error);
    else if (!grown)
        snprintf(err, errlen, "compile-and-bisect: a %lld-byte block still loads", hi);
    free(n->error);
    *answer = (unsigned long)last;
    return grown && !n->error;
}

/* The program as a user runs it: it must exit 0 and print the answer. */
static bool as_run(const struct bench_query *q, unsigned long answer, struct samples *s,
                   char *err, size_t errlen)
{
    char *out = xasprintf("%s/limit.out", q->kit->dir);
    bool ok = true;
    for (long i = 0; ok && i < BENCH_EXECS_PER_RUN; i++) {
        struct clock c = clock_start();
        pid_t pid;
        int status = run_command(q->limit_argv, NULL, 0,
                                 &(struct command_streams){"/dev/null", out, out}, &pid);
        clock_stop(c, s);
        size_t len;
        char *text = read_file(out, &len);
        const char *line = text ? strstr(text, "max_bytes ") : NULL;
        unsigned long said;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !line ||
            sscanf(line, "max_bytes %lu", &said) != 1) {
            snprintf(err, errlen, "%s limit exited %d, saying: %.300s", q->limit_argv[0],
                     command_exit_code(status), text ? text : "");
            ok = false;
        } else if (said != answer) {
            snprintf(err, errlen, "the methods disagree: limit in this process says %lu bytes, "
                     "%s limit %lu", answer, q->limit_argv[0], said);
            ok = false;
        }
        free(text);
    }
    remove(out);
    free(out);
    return ok;
}

/* The floor: one probe reads the budget, one loads block (of the answer's
   size, which fits; of 1 byte when none fits, refused); each must have done
   its job. */
static bool probe_pair(const struct bench_query *q, const char *block, bool fits,
                       struct samples *s, char *err, size_t errlen)
{
    struct plan p = {0};
    plan_add(&p, OP_LOAD, block, block, 0);
    bool ok = true;
    for (long i = 0; ok && i < BENCH_EXECS_PER_RUN; i++) {
        struct probe_result budget, load;
        struct step_result r;
        struct clock c = clock_start();
        probe_run(&q->env->probe, PROTO_MODE_BUDGET, NULL, 0, &budget);
        plan_run(&p, &q->env->probe, 0, &r, &load);
        clock_stop(c, s);
        char how[64];
        if (budget.end != PROBE_EXITED || budget.code != 0) {
            snprintf(err, errlen, "the budget probe ended (%s)",
                     probe_end_text(&budget, how, sizeof how));
            ok = false;
        } else if (!r.done || (r.kind == KIND_LOADED) != fits) {
            snprintf(err, errlen, "the probe %s a block that %s: %s",
                     r.kind == KIND_LOADED ? "loaded" : "did not load",
                     fits ? "fits" : "does not", r.error ? r.error : load_kind_name(r.kind));
            ok = false;
        }
        step_results_free(&r, 1);
        probe_result_free(&budget);
        probe_result_free(&load);
    }
    plan_free(&p);
    return ok;
}

bool bench_run(const struct bench_query *q, struct bench_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct samples bisect = {0}, in_process = {0}, program = {0}, pair = {0};
    bool ok = true;
    for (long r = 0; ok && r < q->runs; r++) {
        struct limit_query lq = {.env = q->env, .kit = q->kit, .model = TLS_IE, .align = 1};
        struct limit_result l;
        char why[1024];
        struct clock c = clock_start();
        ok = limit_measure(&lq, &l, why, sizeof why);
        clock_stop(c, &in_process);
        if (!ok) {
            snprintf(err, errlen, "limit: %s", why);
            break;
        }
        if (r > 0 && l.max_bytes != out->answer) {
            snprintf(err, errlen, "limit said %lu bytes, then %lu", out->answer,
                     (unsigned long)l.max_bytes);
            limit_result_free(&l);
            ok = false;
            break;
        }
        out->answer = l.max_bytes;
        out->limit_probes = l.probes; /* the first one also read the budget */
        limit_result_free(&l);

        char *block = kit_make(q->kit, TLS_IE, out->answer ? out->answer : 1, 1, "floor");
        ok = as_run(q, out->answer, &program, err, errlen) &&
             probe_pair(q, block, out->answer > 0, &pair, err, errlen);
        remove(block);
        free(block);
        if (!ok)
            break;

        struct naive n = {.cc = q->cc, .dir = q->kit->dir, .env = q->env};
        unsigned long slow;
        c = clock_start();
        ok = naive_limit(&n, &slow, err, errlen);
        clock_stop(c, &bisect);
        out->bisect_probes = n.probes;
        if (ok && slow != out->answer) {
            snprintf(err, errlen, "the methods disagree: limit says %lu bytes, "
                     "compile-and-bisect %lu", out->answer, slow);
            ok = false;
        }
    }
    out->bisect = figure(&bisect);
    out->in_process = figure(&in_process);
    out->as_run = figure(&program);
    out->floor = figure(&pair);
    return ok;
}
