#define _GNU_SOURCE
#include "render_report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "caseout.h"
#include "die.h"
#include "json.h"
#include "render_publish.h"
#include "render_budget.h"
#include "xalloc.h"
#include "xfile.h"

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
               "run; modelled ones from the model, harness/model/.\n\n");
    fprintf(f, "## Budget of a fresh process\n\n| figure | value | source |\n|---|---|---|\n");
    fprintf(f, "| libc | %s %s | read |\n", b->libc_name, b->libc_version);
    char *describe = libc_build_describe(rep->build);
    fprintf(f, "| libc build | %s | %s |\n", describe,
            rep->build->package ? "fetch-glibc.sh" : "this machine's");
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
    json_init(&j, f, "report", rep->build->root);
    json_document(&j, b->libc_name, b->libc_version, b->machine);
    json_object(&j);
    json_kv_string(&j, "platform", rep->platform);
    char *describe = libc_build_describe(rep->build);
    json_kv_string(&j, "libc_build", describe);
    free(describe);
    json_key(&j, "budget");
    render_budget_json(&j, b, NULL);
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
    case_results_json(&j, s->results, s->n);
    json_end(&j);
}

void render_report_limits_header(void)
{
    printf("%-8s %6s %10s %10s  %s\n", "model", "align", "max bytes", "modelled", "error at max+1");
}

void render_report_limit(const struct limit_row *row)
{
    const struct limit_result *l = &row->result;
    char predicted[32] = "-";
    if (l->predicted_known)
        snprintf(predicted, sizeof predicted, "%llu", (unsigned long long)l->predicted);
    printf("%-8s %6llu %10llu %10s  %s\n", tls_access_name(row->model),
           (unsigned long long)row->align, (unsigned long long)l->max_bytes, predicted,
           l->error_at_next ? l->error_at_next : "");
}

void render_report_cases_header(void)
{
    printf("\n%-34s %-30s %-30s %-30s %s\n", "case", "expected", "measured", "modelled", "verdict");
}

void render_report_case(const struct case_result *r)
{
    char *name = case_name(r->def->path), e[64], m[64], p[64];
    printf("%-34s %-30s %-30s %-30s %s\n", name, expect_text(r->def, e, sizeof e),
           measured_text(r, m, sizeof m), modelled_text(r, p, sizeof p),
           verdict_name(r->verdict));
    if (r->verdict != VERDICT_PASS)
        printf("    %s\n", r->reason);
    free(name);
}

/* Both files published as one unit: never one run's README beside another's
   JSON. */
void render_report_files(const char *results_dir, const struct report *rep)
{
    const struct rendered_file files[] = {{"README.md", write_markdown},
                                          {"results.json", write_json}};
    char *dir = render_publish("report", results_dir, rep->platform, files, 2, rep);
    printf("results written to %s/\n", dir);
    free(dir);
}
