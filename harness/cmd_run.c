#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "caserun.h"
#include "commands.h"
#include "fixture.h"
#include "json.h"
#include "libcbuild.h"
#include "limit.h"
#include "runenv.h"
#include "xsys.h"

struct run_set {
    struct case_def *defs;
    struct case_result *results;
    size_t n;
    unsigned input_errors, failed, skipped, passed;
};

/* Parses and runs one file; a bad file is reported and counted, and the
   cases already run keep their results. */
static void run_one(struct run_set *s, const char *path, bool verbose, bool quiet)
{
    size_t len;
    char *text = read_file(path, &len);
    char err[1024];
    struct case_def def;
    if (!text) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        s->input_errors++;
        return;
    }
    bool ok = case_parse(path, text, &def, err, sizeof err);
    free(text);
    if (!ok) {
        fprintf(stderr, "%s\n", err);
        s->input_errors++;
        return;
    }
    s->defs = xrealloc(s->defs, (s->n + 1) * sizeof *s->defs);
    s->results = xrealloc(s->results, (s->n + 1) * sizeof *s->results);
    s->defs[s->n] = def;
    struct case_result *r = &s->results[s->n];
    case_run(&s->defs[s->n], r);
    s->n++;
    /* defs moved by realloc: point every result at its definition again */
    for (size_t i = 0; i < s->n; i++)
        s->results[i].def = &s->defs[i];
    if (!quiet)
        case_result_print(stdout, r, verbose);
    s->failed += r->verdict == VERDICT_FAIL;
    s->skipped += r->verdict == VERDICT_SKIP;
    s->passed += r->verdict == VERDICT_PASS;
}

static void run_set_free(struct run_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        case_result_free(&s->results[i]);
        case_free(&s->defs[i]);
    }
    free(s->results);
    free(s->defs);
}

static int exit_code(const struct run_set *s)
{
    if (s->input_errors)
        return EXIT_USAGE;
    if (s->failed)
        return EXIT_TRIPPED;
    if (s->n && s->skipped == s->n)
        return EXIT_SKIP;
    return EXIT_PASS;
}

static void print_totals(const struct run_set *s)
{
    printf("%u passed, %u failed, %u skipped", s->passed, s->failed, s->skipped);
    if (s->input_errors)
        printf(", %u case files not readable", s->input_errors);
    printf("\n");
}

int cmd_run(int argc, char **argv)
{
    bool as_json = false, verbose = false;
    struct run_set s = {0};
    char **cases = NULL;
    size_t ncases = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else if (libc_build_option(argc, argv, &i))
            continue;
        else if (strncmp(argv[i], "--", 2) == 0)
            die_input("run: unknown option \"%s\"", argv[i]);
        else
            *XAPPEND(&cases, &ncases) = argv[i];
    }
    if (!ncases)
        die_input("run: name at least one case file");
    for (size_t i = 0; i < ncases; i++)
        run_one(&s, cases[i], verbose, as_json);
    free(cases);
    if (as_json) {
        struct json j;
        json_init(&j, stdout);
        json_array(&j);
        for (size_t i = 0; i < s.n; i++)
            case_result_json(&j, &s.results[i]);
        json_end(&j);
    } else if (s.n + s.input_errors > 1) {
        print_totals(&s);
    }
    int code = exit_code(&s);
    run_set_free(&s);
    return code;
}

/* ---- report: the main job ----------------------------------------------- */

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
    enum fixture_model model;
    uint64_t align;
    struct limit_result result;
};

static const char *expect_text(const struct case_def *c, char *buf, size_t len)
{
    if (c->expect == EXPECT_LOADS)
        snprintf(buf, len, "loads");
    else if (c->expect == EXPECT_MODEL)
        snprintf(buf, len, "as modelled");
    else
        snprintf(buf, len, "step %d %s", c->expect_step, load_kind_name(c->expect_kind));
    return buf;
}

static const char *outcome_text(size_t trip, const struct step_result *r, char *buf, size_t len)
{
    if (!trip)
        snprintf(buf, len, "loads");
    else
        snprintf(buf, len, "step %zu %s", trip, load_kind_name(r[trip - 1].kind));
    return buf;
}

static const char *modelled_text(const struct case_result *r, char *buf, size_t len)
{
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
    const char *platform;
    const struct budget *b;
    const struct limit_row *rows;
    size_t nrows;
    const struct run_set *s;
};

static void write_markdown(FILE *f, const void *ctx)
{
    const struct report *rep = ctx;
    const char *platform = rep->platform;
    const struct budget *b = rep->b;
    const struct limit_row *rows = rep->rows;
    size_t nrows = rep->nrows;
    const struct run_set *s = rep->s;
    fprintf(f, "# statictls results: %s\n\n", platform);
    fprintf(f, "Written by `build/statictls report`. Measured numbers come from probes in this "
               "run; modelled ones from harness/model.c.\n\n");
    fprintf(f, "## Budget of a fresh process\n\n| figure | value | source |\n|---|---|---|\n");
    fprintf(f, "| libc | %s %s | read |\n", b->libc_name, b->libc_version);
    fprintf(f, "| libc build | %s | %s |\n", libc_build_describe(),
            libc_build()->package ? "scripts/fetch-glibc.sh" : "this machine's");
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
        fprintf(f, "| %s | %llu | %llu | %s | %s | %s |\n", fixture_model_name(rows[i].model),
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
                r->measured ? outcome_text(r->trip, r->measured, m, sizeof m) : "-",
                r->measured ? modelled_text(r, p, sizeof p) : "-", verdict_name(r->verdict));
        free(name);
    }
}

static void write_json(FILE *f, const void *ctx)
{
    const struct report *rep = ctx;
    const struct budget *b = rep->b;
    const struct limit_row *rows = rep->rows;
    size_t nrows = rep->nrows;
    const struct run_set *s = rep->s;
    struct json j;
    json_init(&j, f);
    json_object(&j);
    json_kv_string(&j, "platform", rep->platform);
    json_kv_string(&j, "libc_build", libc_build_describe());
    json_key(&j, "budget");
    budget_json(&j, b, NULL);
    json_key(&j, "limits");
    json_array(&j);
    for (size_t i = 0; i < nrows; i++) {
        const struct limit_result *l = &rows[i].result;
        json_object(&j);
        json_kv_string(&j, "model", fixture_model_name(rows[i].model));
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

int cmd_report(int argc, char **argv)
{
    const char *cases_dir = STATICTLS_SOURCE_DIR "/cases";
    const char *results_dir = STATICTLS_SOURCE_DIR "/results";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cases") == 0 && i + 1 < argc)
            cases_dir = argv[++i];
        else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
            results_dir = argv[++i];
        else if (!libc_build_option(argc, argv, &i))
            die_input("report: unknown argument \"%s\"", argv[i]);
    }
    size_t ncases;
    char **cases = list_cases(cases_dir, &ncases);

    struct run_env env;
    run_env_empty(&env, 10); /* a clean environment: results must not depend on the caller */
    struct fixture_kit kit;
    kit_open(&kit);
    struct limit_row rows[] = {{FIXTURE_IE, 1, {0}},  {FIXTURE_IE, 16, {0}},
                               {FIXTURE_IE, 64, {0}}, {FIXTURE_IE, 128, {0}},
                               {FIXTURE_TLSDESC, 1, {0}}, {FIXTURE_GD, 1, {0}}};
    size_t nrows = sizeof rows / sizeof rows[0];
    printf("%-8s %6s %10s %10s  %s\n", "model", "align", "max bytes", "modelled", "error at max+1");
    for (size_t i = 0; i < nrows; i++) {
        struct limit_query q = {.env = &env, .kit = &kit, .model = rows[i].model,
                                .align = rows[i].align};
        char err[1024];
        if (!limit_measure(&q, &rows[i].result, err, sizeof err))
            die("report: limit: %s", err);
        const struct limit_result *l = &rows[i].result;
        char predicted[32] = "-";
        if (l->predicted_known)
            snprintf(predicted, sizeof predicted, "%llu", (unsigned long long)l->predicted);
        printf("%-8s %6llu %10llu %10s  %s\n", fixture_model_name(rows[i].model),
               (unsigned long long)rows[i].align, (unsigned long long)l->max_bytes, predicted,
               l->error_at_next ? l->error_at_next : "");
    }
    kit_close(&kit);
    printf("\n%-34s %-30s %-30s %-30s %s\n", "case", "expected", "measured", "modelled", "verdict");
    struct run_set s = {0};
    for (size_t i = 0; i < ncases; i++) {
        size_t before = s.n;
        run_one(&s, cases[i], false, true);
        if (s.n == before)
            continue;
        const struct case_result *r = &s.results[s.n - 1];
        char *name = case_name(r->def->path), e[64], m[64], p[64];
        printf("%-34s %-30s %-30s %-30s %s\n", name, expect_text(r->def, e, sizeof e),
               r->measured ? outcome_text(r->trip, r->measured, m, sizeof m) : "-",
               r->measured ? modelled_text(r, p, sizeof p) : "-", verdict_name(r->verdict));
        if (r->verdict != VERDICT_PASS)
            printf("    %s\n", r->reason);
        free(name);
    }
    print_totals(&s);

    const struct budget *b = &rows[0].result.budget;
    char *platform = libc_build_platform(b->libc_name, b->libc_version, b->machine);
    /* Both rendered first, so nothing touches the results until all is known. */
    struct report rep = {platform, b, rows, nrows, &s};
    size_t md_len, json_len;
    char *md = render_to_memory(write_markdown, &rep, &md_len);
    char *js = render_to_memory(write_json, &rep, &json_len);
    char *dir = xasprintf("%s/%s", results_dir, platform);
    make_dirs(dir);
    char *md_path = xasprintf("%s/README.md", dir), *js_path = xasprintf("%s/results.json", dir);
    write_file_atomic(js_path, js, json_len);
    write_file_atomic(md_path, md, md_len);
    printf("results written to %s/\n", dir);

    int code = exit_code(&s);
    for (size_t i = 0; i < nrows; i++)
        limit_result_free(&rows[i].result);
    for (size_t i = 0; i < ncases; i++)
        free(cases[i]);
    free(cases);
    free(md), free(js), free(dir), free(md_path), free(js_path), free(platform);
    run_set_free(&s);
    run_env_free(&env);
    return code == EXIT_SKIP ? EXIT_PASS : code;
}
