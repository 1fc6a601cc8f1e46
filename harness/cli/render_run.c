#include "render_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseout.h"
#include "json.h"
#include "render_measure.h"
#include "xalloc.h"

void render_run_measurements(const struct case_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct case_result *r = &s->results[i];
        if (r->def->expect != EXPECT_HEADROOM || r->headroom < 0)
            continue; /* nothing measured: the verdict says why */
        char *stem = NULL;
        if (s->n > 1) { /* "dir/foo.case": "foo" */
            const char *base = strrchr(r->def->path, '/');
            stem = xstrdup(base ? base + 1 : r->def->path);
            char *dot = strrchr(stem, '.');
            if (dot && dot != stem)
                *dot = '\0';
        }
        render_ctest_measurement(stdout, MEASURE_HEADROOM, stem, r->headroom);
        free(stem);
    }
}

void render_run_json(const struct case_set *s, const struct libc_build *build)
{
    struct json j;
    json_init(&j, stdout, "run", build->root);
    json_object(&j);
    const struct case_result *first = s->n && s->results[0].have_budget ? &s->results[0] : NULL;
    if (first) /* the libc every case ran on, as its first budget probe read it */
        json_document(&j, first->budget.libc_name, first->budget.libc_version,
                      first->budget.machine);
    json_kv_string(&j, "libc_build", build->name);
    json_kv_int(&j, "passed", s->passed);
    json_kv_int(&j, "failed", s->failed);
    json_kv_int(&j, "skipped", s->skipped);
    json_kv_int(&j, "input_errors", s->input_errors + s->missing);
    case_results_json(&j, s->results, s->n);
    json_end(&j);
}
