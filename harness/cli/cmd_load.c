#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "cli.h"
#include "commands.h"
#include "json.h"
#include "limit.h"
#include "plan.h"
#include "protocol.h"
#include "die.h"
#include "xalloc.h"

/* --min-headroom: the threshold, and what was measured against it. */
struct headroom_check {
    long min;            /* -1: not asked for */
    bool measured;
    struct limit_result l; /* the largest IE block after the libraries */
};

static void print_json(const struct plan *p, const struct step_result *r,
                       const struct step_prediction *pr, const struct budget *b,
                       const char *sysroot, const struct headroom_check *h)
{
    struct json j;
    json_init(&j, stdout, sysroot);
    json_object(&j);
    json_kv_string(&j, "libc", b->libc_name);
    json_kv_string(&j, "libc_version", b->libc_version);
    json_kv_string(&j, "arch", b->machine);
    size_t fail = first_failure(p, r);
    json_kv_int(&j, "failed_step", fail ? p->steps[fail - 1].number : 0);
    json_key(&j, "steps");
    json_array(&j);
    for (size_t i = 0; i < p->n; i++) {
        if (p->steps[i].op != OP_LOAD)
            continue;
        json_object(&j);
        json_kv_int(&j, "step", p->steps[i].number);
        json_kv_string(&j, "library", p->steps[i].name);
        json_kv_bool(&j, "loaded", r[i].kind == KIND_LOADED);
        json_kv_string(&j, "kind", load_kind_name(r[i].kind));
        json_kv_string(&j, "error", r[i].error);
        json_kv_string(&j, "path", r[i].path);
        if (r[i].modid)
            json_kv_int(&j, "modid", r[i].modid);
        json_key(&j, "tp_offset"); /* null for a dynamic block: its malloc address varies */
        if (r[i].has_tpoff && r[i].in_static)
            json_int(&j, r[i].tpoff);
        else
            json_null(&j);
        json_kv_string(&j, "placement", !r[i].has_tpoff ? NULL : r[i].in_static ? "static" : "dynamic");
        json_key(&j, "free_after_modelled");
        if (pr[i].known)
            json_int(&j, (long long)pr[i].free_after);
        else
            json_null(&j);
        json_end(&j);
    }
    json_end(&j);
    if (h->min >= 0) {
        json_kv_int(&j, "min_headroom", h->min);
        json_key(&j, "headroom_measured");
        if (h->measured)
            json_int(&j, (long long)h->l.max_bytes);
        else
            json_null(&j);
        json_kv_bool(&j, "headroom_met", h->measured && (long)h->l.max_bytes >= h->min);
    }
    json_end(&j);
}

/* The headroom the libraries leave: the largest IE block (align 1) that
   still loads after them, measured as `limit --after` does. */
static void measure_headroom(struct headroom_check *h, struct libc_build *build,
                             const struct run_env *env, const struct plan *p, long threads)
{
    struct fixture_kit kit;
    kit_open(&kit, build->dir);
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

int cmd_load(int argc, char **argv)
{
    bool as_json = false;
    long threads = 0, timeout = (long)PROBE_TIMEOUT_S;
    struct headroom_check h = {.min = -1};
    struct plan p = {0};
    struct libc_choice choice = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[i], "--threads") == 0)
            threads = option_number("--threads", argv[++i < argc ? i : argc - 1], 0, 1024);
        else if (strcmp(argv[i], "--min-headroom") == 0)
            h.min = option_number("--min-headroom", argv[++i < argc ? i : argc - 1], 0, 1L << 30);
        else if (strcmp(argv[i], "--timeout") == 0)
            timeout = option_number("--timeout", argv[++i < argc ? i : argc - 1], 1, 3600);
        else if (libc_option(argc, argv, &i, &choice))
            continue;
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            die_input("load: unknown option \"%s\"", argv[i]);
        else
            plan_add(&p, OP_LOAD, argv[i], argv[i], 0);
    }
    if (p.n == 0)
        die_input("load: name at least one library");
    if (p.n + (threads > 0) > PROTO_MAX_STEPS)
        die_input("load: %zu libraries: one probe loads at most %d", p.n,
                  PROTO_MAX_STEPS - (threads > 0));
    if (threads) { /* a setup step before the numbered loads */
        plan_add(&p, OP_THREADS, "threads", NULL, threads);
        struct plan_step t = p.steps[p.n - 1];
        memmove(p.steps + 1, p.steps, (p.n - 1) * sizeof *p.steps);
        p.steps[0] = t;
        p.steps[0].number = 0;
    }
    struct libc_build build;
    libc_open_or_exit(&choice, &build);
    struct run_env env;
    run_env_from_user(&env, &build, (double)timeout);
    struct budget b;
    char err[1024];
    if (!budget_read(&env.probe, &b, err, sizeof err))
        die("load: %s", err);
    plan_resolve(&p, env.vars, build.lib_dirs);
    struct step_result *r = xcalloc(p.n, sizeof *r);
    struct step_prediction *pr = xcalloc(p.n, sizeof *pr);
    plan_predict(&p, &b, pr, NULL);
    struct probe_result res;
    plan_run(&p, &env.probe, budget_static_end(&b), r, &res);

    char why[512];
    if (plan_probe_failure(&p, r, &res, why, sizeof why))
        die("load: %s", why); /* nothing was measured: no table, no JSON */
    size_t fail = first_failure(&p, r);
    if (!fail && h.min >= 0)
        measure_headroom(&h, &build, &env, &p, threads);
    bool short_of_headroom = h.min >= 0 && !fail && (!h.measured || (long)h.l.max_bytes < h.min);
    if (as_json) {
        print_json(&p, r, pr, &b, build.root, &h);
    } else {
        if (b.modelled)
            printf("glibc %s on %s; free bytes before the first load: %zu (modelled)\n",
                   b.libc_version, b.machine, model_free(&b.model));
        else
            printf("%s %s on %s; no model: %s\n", b.libc_name, b.libc_version, b.machine,
                   b.why_not_modelled);
        plan_print(stdout, &p, r, pr);
        if (fail)
            printf("step %d failed: %s\n", p.steps[fail - 1].number,
                   r[fail - 1].error ? r[fail - 1].error : load_kind_name(r[fail - 1].kind));
        else
            printf("all %zu loaded\n", p.n - (threads > 0));
        if (h.measured)
            printf("headroom %llu bytes (measured: %llu loads, %llu fails), %s %ld\n",
                   (unsigned long long)h.l.max_bytes, (unsigned long long)h.l.max_bytes,
                   (unsigned long long)h.l.max_bytes + 1,
                   short_of_headroom ? "FAIL: below the required" : "at least the required",
                   h.min);
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
    return fail || short_of_headroom ? EXIT_TRIPPED : EXIT_PASS;
}
