/* statictls report: the main job.  The budget, the largest block of each
   TLS model and alignment, and every case, measured beside modelled, then
   written to results/<platform>/ as README.md and results.json. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetprint.h"
#include "caseout.h"
#include "caseset.h"
#include "cli.h"
#include "commands.h"
#include "json.h"
#include "limit.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_cases(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        die_input("%s: cannot open the cases directory: %s", dir, strerror(errno));
    char **names = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".case") == 0)
            *XAPPEND(&names, n) = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, compare_names);
    return names;
}

struct limit_row {
    enum tls_access model;
    uint64_t align;
    struct limit_result result;
};

static const char *expect_text(const struct case_def *c, char *buf, size_t len)
{
    /* "<=2.21: ...": for those releases; elsewhere the case is held to the model */
    if (c->libc_version) {
        int n = snprintf(buf, len, "%s%s: ", c->libc_op, c->libc_version);
        struct case_def bare = *c;
        bare.libc_version = NULL;
        expect_text(&bare, buf + n, len - (size_t)n);
        return buf;
    }
    if (c->expect == EXPECT_LOADS)
        snprintf(buf, len, "loads");
    else if (c->expect == EXPECT_MODEL)
        snprintf(buf, len, "as modelled");
    else if (c->expect == EXPECT_HEADROOM)
        snprintf(buf, len, "headroom >= %ld", c->expect_headroom);
    else
        snprintf(buf, len, "step %d %s", c->expect_step, load_kind_name(c->expect_kind));
    return buf;
}

static const char *measured_text(const struct case_result *r, char *buf, size_t len)
{
    if (r->startup_failed)
        snprintf(buf, len, "startup %s", load_kind_name(r->startup_kind));
    else if (!r->measured)
        return "-";
    else if (!r->trip)
        snprintf(buf, len, "loads");
    else
        snprintf(buf, len, "step %zu %s", r->trip, load_kind_name(r->measured[r->trip - 1].kind));
    return buf;
}

static const char *modelled_text(const struct case_result *r, char *buf, size_t len)
{
    if (r->startup_failed && r->budget.startup_failure != KIND_LOADED) {
        snprintf(buf, len, "startup %s", load_kind_name(r->budget.startup_failure));
        return buf;
    }
    if (!r->measured && !r->startup_failed)
        return "-";
    if (!r->prediction_complete)
        return "(unknown)";
    if (!r->predicted_trip)
        return "loads";
    snprintf(buf, len, "step %zu %s", r->predicted_trip,
             load_kind_name(r->modelled[r->predicted_trip - 1].kind));
    return buf;
}

/* What one report writes, for the renderers. */
struct report {
    const struct libc_build *build;
    const char *platform;
    const struct budget *b;
    const struct limit_row *rows;
    size_t nrows;
    const struct case_set *s;
};

static void write_markdown(FILE *f, const void *ctx)
{
    const struct report *rep = ctx;
    const char *platform = rep->platform;
    const struct budget *b = rep->b;
    const struct limit_row *rows = rep->rows;
    size_t nrows = rep->nrows;
    const struct case_set *s = rep->s;
    fprintf(f, "# statictls results: %s\n\n", platform);
    fprintf(f, "Written by `build/statictls report`. Measured numbers come from probes in this "
               "run; modelled ones from harness/model.c.\n\n");
    fprintf(f, "## Budget of a fresh process\n\n| figure | value | source |\n|---|---|---|\n");
    fprintf(f, "| libc | %s %s | read |\n", b->libc_name, b->libc_version);
    char *describe = libc_build_describe(rep->build);
    fprintf(f, "| libc build | %s | %s |\n", describe,
            rep->build->package ? "scripts/fetch-glibc.sh" : "this machine's");
    free(describe);
    if (b->have_static_info)
        fprintf(f, "| static TLS size / align | %zu / %zu | read (_dl_get_tls_static_info) |\n",
                b->static_size, b->static_align);
    fprintf(f, "| used at startup | %zu | read (module offsets) |\n", b->used);
    if (b->modelled) {
        fprintf(f, "| surplus | %zu | modelled: %s |\n", b->model.surplus, b->surplus_formula);
        fprintf(f, "| free | %zu | modelled |\n", model_free(&b->model));
    }
    fprintf(f, "\n## Largest block that fits\n\n| model | align | max bytes (measured) | "
               "modelled | method | error at max+1 |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < nrows; i++) {
        const struct limit_result *l = &rows[i].result;
        char predicted[32] = "-";
        if (l->predicted_known)
            snprintf(predicted, sizeof predicted, "%llu", (unsigned long long)l->predicted);
        fprintf(f, "| %s | %llu | %llu | %s | %s | %s |\n", tls_access_name(rows[i].model),
                (unsigned long long)rows[i].align, (unsigned long long)l->max_bytes, predicted,
                l->prediction_hit ? "prediction verified" : "bisection",
                l->error_at_next ? l->error_at_next : "");
    }
    fprintf(f, "\n## Cases\n\n| case | expected | measured | modelled | verdict |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct case_result *r = &s->results[i];
        char *name = case_name(r->def->path), e[64], m[64], p[64];
        fprintf(f, "| %s | %s | %s | %s | %s |\n", name, expect_text(r->def, e, sizeof e),
                measured_text(r, m, sizeof m), modelled_text(r, p, sizeof p),
                verdict_name(r->verdict));
        free(name);
    }
}

static void write_json(FILE *f, const void *ctx)
{
    const struct report *rep = ctx;
    const struct budget *b = rep->b;
    const struct limit_row *rows = rep->rows;
    size_t nrows = rep->nrows;
    const struct case_set *s = rep->s;
    struct json j;
    json_init(&j, f, rep->build->root);
    json_document(&j, b->libc_name, b->libc_version, b->machine);
    json_object(&j);
    json_kv_string(&j, "platform", rep->platform);
    char *describe = libc_build_describe(rep->build);
    json_kv_string(&j, "libc_build", describe);
    free(describe);
    json_key(&j, "budget");
    budget_json(&j, b, NULL);
    json_key(&j, "limits");
    json_array(&j);
    for (size_t i = 0; i < nrows; i++) {
        const struct limit_result *l = &rows[i].result;
        json_object(&j);
        json_kv_string(&j, "model", tls_access_name(rows[i].model));
        json_kv_int(&j, "align", (long long)rows[i].align);
        json_kv_int(&j, "max_bytes", (long long)l->max_bytes);
        json_kv_string(&j, "error_at_next", l->error_at_next);
        json_key(&j, "predicted_max_bytes");
        if (l->predicted_known)
            json_int(&j, (long long)l->predicted);
        else
            json_null(&j);
        json_kv_bool(&j, "prediction_hit", l->prediction_hit);
        json_end(&j);
    }
    json_end(&j);
    json_key(&j, "cases");
    json_array(&j);
    for (size_t i = 0; i < s->n; i++)
        case_result_json(&j, &s->results[i]);
    json_end(&j);
    json_end(&j);
}

/* The largest block of each row's model and alignment, printed as measured. */
static void measure_limits(struct session *ses, struct limit_row *rows, size_t nrows)
{
    printf("%-8s %6s %10s %10s  %s\n", "model", "align", "max bytes", "modelled", "error at max+1");
    for (size_t i = 0; i < nrows; i++) {
        struct limit_query q = {.env = &ses->env, .kit = &ses->kit, .model = rows[i].model,
                                .align = rows[i].align};
        char err[1024];
        if (!limit_measure(&q, &rows[i].result, err, sizeof err))
            die("report: limit: %s", err);
        const struct limit_result *l = &rows[i].result;
        char predicted[32] = "-";
        if (l->predicted_known)
            snprintf(predicted, sizeof predicted, "%llu", (unsigned long long)l->predicted);
        printf("%-8s %6llu %10llu %10s  %s\n", tls_access_name(rows[i].model),
               (unsigned long long)rows[i].align, (unsigned long long)l->max_bytes, predicted,
               l->error_at_next ? l->error_at_next : "");
    }
}

/* Every case of dir, one line each. */
static void run_cases(const struct libc_build *b, const char *dir, struct case_set *s)
{
    size_t ncases;
    char **cases = list_cases(dir, &ncases);
    printf("\n%-34s %-30s %-30s %-30s %s\n", "case", "expected", "measured", "modelled", "verdict");
    for (size_t i = 0; i < ncases; i++) {
        size_t before = s->n;
        case_set_run_file(s, b, cases[i], false, true);
        free(cases[i]);
        if (s->n == before)
            continue;
        const struct case_result *r = &s->results[s->n - 1];
        char *name = case_name(r->def->path), e[64], m[64], p[64];
        printf("%-34s %-30s %-30s %-30s %s\n", name, expect_text(r->def, e, sizeof e),
               measured_text(r, m, sizeof m), modelled_text(r, p, sizeof p),
               verdict_name(r->verdict));
        if (r->verdict != VERDICT_PASS)
            printf("    %s\n", r->reason);
        free(name);
    }
    free(cases);
    case_set_print_totals(s);
}

/* Both files published as one unit: never one run's README beside another's
   JSON. */
static void write_results(const char *results_dir, const struct report *rep)
{
    char *dir = xasprintf("%s/%s", results_dir, rep->platform);
    const struct rendered_file files[] = {{"README.md", write_markdown},
                                          {"results.json", write_json}};
    publish_rendered(dir, files, 2, rep);
    printf("results written to %s/\n", dir);
    free(dir);
}

int cmd_report(int argc, char **argv)
{
    char *cases_dir = NULL;
    const char *results_dir = "results"; /* where the user is, never statictls's own tree */
    struct libc_choice choice = {0};
    struct case_vars vars = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc)
            cases_dir = xstrdup(argv[++i]);
        else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
            results_dir = argv[++i];
        else if (strcmp(argv[i], "--define") == 0 && i + 1 < argc)
            case_vars_define(&vars, argv[++i]);
        else if (!libc_option(argc, argv, &i, &choice))
            die_input("report: unknown argument \"%s\"", argv[i]);
    }
    struct session ses; /* a clean environment: results must not depend on the caller */
    session_open(&ses, &choice, false);
    struct limit_row rows[] = {{TLS_IE, 1, {0}},  {TLS_IE, 16, {0}},
                               {TLS_IE, 64, {0}}, {TLS_IE, 128, {0}},
                               {TLS_DESC, 1, {0}}, {TLS_GD, 1, {0}}};
    size_t nrows = sizeof rows / sizeof rows[0];
    measure_limits(&ses, rows, nrows);
    if (!cases_dir) /* the cases installed or built with this statictls */
        cases_dir = xasprintf("%s/cases", data_dir());
    struct case_set s = {.vars = &vars, .allow_missing = choice.allow_missing};
    run_cases(&ses.build, cases_dir, &s);

    const struct budget *b = &rows[0].result.budget;
    char *platform = libc_build_platform(&ses.build, b->libc_name, b->libc_version, b->machine);
    struct report rep = {&ses.build, platform, b, rows, nrows, &s};
    write_results(results_dir, &rep);

    int code = case_set_exit_code(&s);
    for (size_t i = 0; i < nrows; i++)
        limit_result_free(&rows[i].result);
    free(platform);
    free(cases_dir);
    case_set_free(&s);
    case_vars_free(&vars);
    session_close(&ses);
    return code == EXIT_SKIP ? EXIT_PASS : code;
}
