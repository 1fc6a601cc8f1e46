#include "caseout.h"

#include <stdlib.h>
#include <string.h>

#include "visible.h"
#include "xalloc.h"

/* Text that came from a case file, a ${VAR} value, the command line or a
   library's error, printed so that no byte of it moves the terminal or
   starts a line of its own; tabs stay where keep_tabs (the probe's lines). */
static void put_visible(FILE *out, const char *s, size_t len, bool keep_tabs)
{
    char *part = xmalloc(len + 1);
    for (size_t i = 0; i < len;) {
        size_t n = keep_tabs ? strcspn(s + i, "\t") : len - i;
        if (n > len - i)
            n = len - i;
        memcpy(part, s + i, n);
        part[n] = '\0';
        char *v = visible(part);
        fputs(v, out);
        free(v);
        i += n;
        if (i < len && keep_tabs && s[i] == '\t') {
            fputc('\t', out);
            i++;
        } else if (n == 0) {
            break; /* a NUL before len: the rest is not text */
        }
    }
    free(part);
}

static void put_text(FILE *out, const char *s)
{
    if (s)
        put_visible(out, s, strlen(s), false);
}

char *case_name(const char *path)
{
    const char *base = strrchr(path, '/');
    char *name = xstrdup(base ? base + 1 : path);
    char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".case") == 0)
        *dot = '\0';
    return name;
}

void case_result_print(FILE *out, const struct case_result *r, bool verbose)
{
    const struct case_def *c = r->def;
    char *name = case_name(c->path);
    fputs("case ", out);
    put_text(out, name);
    if (c->title && c->title[0]) { /* a case without a title line is named only */
        fputs(": ", out);
        put_text(out, c->title);
    }
    fputc('\n', out);
    free(name);
    if (r->have_budget) {
        fprintf(out, "  libc %s %s on %s", r->budget.libc_name, r->budget.libc_version,
                r->budget.machine);
        if (c->tunables) {
            fputs(", GLIBC_TUNABLES=", out);
            put_text(out, c->tunables);
        }
        if (c->npreload)
            fprintf(out, ", %zu preloaded", c->npreload);
        if (c->naudit)
            fprintf(out, ", %ld audit module(s)", c->naudit);
        if (r->budget.modelled)
            fprintf(out, "; free at start %zu (modelled)", model_free(&r->budget.model));
        fputc('\n', out);
    }
    if (r->startup_failed) {
        fputs("  startup  measured: ld.so refused: ", out);
        put_text(out, r->startup_error);
        fprintf(out, " | modelled: %s\n",
                r->budget.startup_failure != KIND_LOADED ? load_kind_name(r->budget.startup_failure)
                                                         : "starts");
    }
    if (r->plan.n && r->modelled)
        plan_print(out, &r->plan, r->measured, r->modelled);
    if (r->verdict == VERDICT_FAIL && r->have_budget && r->budget.modelled) {
        fprintf(out, "  model: surplus %s\n", r->budget.surplus_formula);
        model_explain(&r->budget.model, out);
    }
    if ((verbose || r->verdict == VERDICT_FAIL) && r->probe_output && r->probe_output[0]) {
        fprintf(out, "  probe output:\n");
        for (const char *s = r->probe_output; *s;) {
            size_t len = strcspn(s, "\n");
            fputs("  # ", out);
            put_visible(out, s, len, true);
            fputc('\n', out);
            s += len + (s[len] == '\n');
        }
    }
    fprintf(out, "%s ", verdict_name(r->verdict));
    put_text(out, r->reason);
    fputc('\n', out);
}

void case_result_json(struct json *j, const struct case_result *r)
{
    const struct case_def *c = r->def;
    char *name = case_name(c->path);
    json_object(j);
    json_kv_string(j, "case", name);
    json_kv_string(j, "title", c->title);
    json_kv_string(j, "verdict", verdict_name(r->verdict));
    json_kv_string(j, "reason", r->reason);
    json_kv_string(j, "glibc_tunables", c->tunables);
    json_kv_int(j, "preloaded", (long long)c->npreload);
    json_kv_int(j, "audit_modules", c->naudit);
    json_key(j, "free_at_start_modelled");
    if (r->have_budget && r->budget.modelled)
        json_int(j, (long long)model_free(&r->budget.model));
    else
        json_null(j);
    json_key(j, "trip_step_measured"); /* null where no step was measured (--model) */
    if (r->measured)
        json_int(j, (long long)r->trip);
    else
        json_null(j);
    if (c->expect == EXPECT_HEADROOM) {
        json_kv_int(j, "headroom_expected", c->expect_headroom);
        json_key(j, "headroom_measured");
        if (r->headroom >= 0)
            json_int(j, r->headroom);
        else
            json_null(j);
    }
    if (r->startup_failed) { /* step 0: ld.so refused to start the process */
        json_kv_string(j, "startup_failure_measured", load_kind_name(r->startup_kind));
        json_kv_string(j, "startup_error", r->startup_error);
        json_kv_string(j, "startup_failure_modelled", load_kind_name(r->budget.startup_failure));
    }
    json_key(j, "trip_step_modelled");
    if (r->prediction_complete)
        json_int(j, (long long)r->predicted_trip);
    else
        json_null(j);
    json_key(j, "steps");
    json_array(j);
    for (size_t i = 0; i < r->plan.n && r->measured; i++) {
        const struct plan_step *s = &r->plan.steps[i];
        const struct step_result *m = &r->measured[i];
        const struct step_prediction *p = &r->modelled[i];
        json_object(j);
        json_kv_int(j, "step", s->number);
        json_kv_string(j, "op", plan_op_name(s->op));
        json_kv_string(j, "object", s->name);
        json_key(j, "measured");
        json_object(j);
        json_kv_string(j, "outcome", m->ran ? load_kind_name(m->kind) : "not-run");
        json_kv_string(j, "error", m->error);
        if (m->modid)
            json_kv_int(j, "modid", m->modid);
        if (m->has_tpoff && m->in_static)
            json_kv_int(j, "tp_offset", m->tpoff);
        else if (m->has_tpoff) /* a malloc address: different every run */
            json_kv_string(j, "placement", "dynamic");
        json_end(j);
        json_key(j, "modelled");
        if (p->known) {
            json_object(j);
            json_kv_string(j, "outcome", load_kind_name(p->kind));
            if (p->has_tpoff)
                json_kv_int(j, "tp_offset", p->tpoff);
            if (p->modid > 0 && p->kind == KIND_LOADED)
                json_kv_int(j, "modid", p->modid);
            json_kv_int(j, "free_after", (long long)p->free_after);
            json_end(j);
        } else {
            json_null(j);
        }
        json_end(j);
    }
    json_end(j);
    json_end(j);
    free(name);
}

void case_results_json(struct json *j, const struct case_result *r, size_t n)
{
    json_key(j, "cases");
    json_array(j);
    for (size_t i = 0; i < n; i++)
        case_result_json(j, &r[i]);
    json_end(j);
}
