/* statictls load: dlopen libraries in order in a fresh process, each step
   measured beside the model; with --min-headroom, the headroom they leave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cli.h"
#include "commands.h"
#include "limit.h"
#include "plan.h"
#include "protocol.h"
#include "render_load.h"
#include "render_measure.h"
#include "usage.h"
#include "die.h"
#include "xalloc.h"

/* One load step per library, after a threads step when asked for. */
static void plan_loads(const struct args *a, long threads, struct plan *p)
{
    *p = (struct plan){0};
    if (a->noperands + (threads > 0) > PROTO_MAX_STEPS)
        usage_error(a->command, "%zu libraries: one probe loads at most %d", a->noperands,
                    PROTO_MAX_STEPS - (threads > 0));
    for (size_t i = 0; i < a->noperands; i++)
        plan_add(p, OP_LOAD, a->operands[i], a->operands[i], 0);
    if (threads) { /* a setup step before the numbered loads */
        plan_add(p, OP_THREADS, "threads", NULL, threads);
        struct plan_step t = p->steps[p->n - 1];
        memmove(p->steps + 1, p->steps, (p->n - 1) * sizeof *p->steps);
        p->steps[0] = t;
        p->steps[0].number = 0;
    }
}

/* The headroom the libraries leave: the largest IE block (align 1) that
   still loads after them, measured as `limit --after` does. */
static void measure_headroom(struct headroom_check *h, struct libc_build *build,
                             const struct settings *settings, const struct run_env *env,
                             const struct plan *p, long threads)
{
    struct fixture_kit kit;
    kit_open(&kit, build->dir, settings);
    struct limit_query q = {.env = env, .kit = &kit, .model = TLS_IE, .align = 1,
                            .threads = threads};
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].op == OP_LOAD)
            *XAPPEND(&q.after, &q.nafter) = p->steps[i].target;
    char err[1024];
    h->measured = limit_measure(&q, &h->l, err, sizeof err);
    if (!h->measured)
        fprintf(stderr, "statictls: load: headroom: %s\n", err);
    free(q.after);
    kit_close(&kit);
}

int cmd_load(const struct args *a)
{
    if (arg_given(a, "--json") && arg_given(a, "--ctest-measurements"))
        usage_error(a->command, "--ctest-measurements or --json, not both");
    long threads = arg_number(a, "--threads");
    struct headroom_check h = {.min = arg_given(a, "--min-headroom")
                                          ? arg_number(a, "--min-headroom") : -1};
    struct plan p;
    plan_loads(a, threads, &p);
    struct libc_choice choice = libc_choice_of(a);
    struct libc_build build;
    libc_open_or_exit(a, &choice, &build);
    struct run_env env;
    run_env_from_user(&env, &build, &a->settings, (double)arg_number(a, "--timeout"));
    struct budget b;
    char err[1024];
    if (!budget_read(&env.probe, &b, err, sizeof err))
        die("load: %s", err);
    plan_resolve(&p, env.vars, build.lib_dirs);
    char why[512];
    /* Said before the probe: a library built against a newer glibc is no
       static TLS failure, and its dlopen error names neither build. */
    if (strcmp(b.libc_name, "glibc") == 0 &&
        plan_glibc_refusal(&p, b.libc_version, why, sizeof why)) {
        fprintf(stderr, "statictls: load: cannot load on this build: %s\n", why);
        exit(EXIT_TRIPPED);
    }
    struct step_result *r = xcalloc(p.n, sizeof *r);
    struct step_prediction *pr = xcalloc(p.n, sizeof *pr);
    plan_predict(&p, &b, pr, NULL);
    struct probe_result res;
    plan_run(&p, &env.probe, budget_static_end(&b), r, &res);

    if (plan_probe_failure(&p, r, &res, why, sizeof why)) {
        for (size_t i = 0; i < p.n; i++)
            if (r[i].environment) { /* outside the user's steps: cannot run here */
                char *said = xasprintf("load: %s", why);
                exit(skip_exit_code(a, build.name, said, false));
            }
        die("load: %s", why); /* nothing was measured: no table, no JSON */
    }
    size_t fail = first_failure(&p, r);
    if (!fail && h.min >= 0)
        measure_headroom(&h, &build, &a->settings, &env, &p, threads);
    struct load_view v = {&p, r, pr, &b, &h, threads > 0};
    if (h.measured && arg_given(a, "--ctest-measurements")) /* first: render_measure.h */
        render_ctest_measurement(stdout, MEASURE_HEADROOM, NULL, (long long)h.l.max_bytes);
    if (arg_given(a, "--json"))
        render_load_json(&v, build.root);
    else
        render_load(&v);
    bool short_of_headroom = load_short_of_headroom(&h, fail);
    int code = fail || short_of_headroom ? EXIT_TRIPPED : EXIT_PASS;
    /* A library that is not here, as `run` has it: with --allow-missing
       nothing was checked (the table above shows where it stopped). */
    if (fail && r[fail - 1].kind == KIND_NOT_FOUND && choice.allow_missing) {
        char *said = xasprintf("load: %s is not on this machine", p.steps[fail - 1].name);
        code = skip_exit_code(a, build.name, said, true);
        free(said);
    }
    if (h.measured)
        limit_result_free(&h.l);
    step_results_free(r, p.n);
    free(r);
    free(pr);
    probe_result_free(&res);
    budget_free(&b);
    plan_free(&p);
    run_env_free(&env);
    libc_build_free(&build);
    return code;
}
