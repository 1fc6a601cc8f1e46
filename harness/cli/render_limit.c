#include "render_limit.h"

#include <stdio.h>

#include "json.h"

static const char *method(const struct limit_result *l)
{
    return l->prediction_hit ? "prediction verified" : "bisection";
}

void render_limit_json(const struct limit_query *q, const struct limit_result *l,
                       const char *sysroot, long min)
{
    struct json j;
    json_init(&j, stdout, "limit", sysroot);
    json_object(&j);
    json_kv_string(&j, "libc", l->budget.libc_name);
    json_kv_string(&j, "libc_version", l->budget.libc_version);
    json_kv_string(&j, "arch", l->budget.machine);
    json_kv_string(&j, "model", tls_access_name(q->model));
    json_kv_int(&j, "align", (long long)q->align);
    json_kv_int(&j, "threads", q->threads);
    json_key(&j, "after");
    json_array(&j);
    for (size_t i = 0; i < q->nafter; i++)
        json_string(&j, q->after[i]);
    json_end(&j);
    json_kv_int(&j, "max_bytes", (long long)l->max_bytes);
    json_kv_string(&j, "error_at_next", l->error_at_next);
    json_kv_string(&j, "kind_at_next", load_kind_name(l->kind_at_next));
    json_key(&j, "predicted_max_bytes");
    if (l->predicted_known)
        json_int(&j, (long long)l->predicted);
    else
        json_null(&j);
    json_kv_string(&j, "method", method(l));
    json_kv_int(&j, "probes", l->probes);
    if (l->budgets_differ)
        json_kv_bool(&j, "budgets_differ", true);
    if (min >= 0) {
        json_kv_int(&j, "min", min);
        json_kv_bool(&j, "min_met", (long)l->max_bytes >= min);
    }
    json_end(&j);
}

void render_limit(const struct limit_query *q, const struct limit_result *l, long min)
{
    printf("max_bytes     %llu (measured: %llu loads, %llu fails)\n",
           (unsigned long long)l->max_bytes, (unsigned long long)l->max_bytes,
           (unsigned long long)l->max_bytes + 1);
    printf("error_at_next %s\n", l->error_at_next ? l->error_at_next : "");
    if (l->predicted_known)
        printf("predicted     %llu (modelled)\n", (unsigned long long)l->predicted);
    printf("method        %s, %u probes, %.1f ms\n", method(l), l->probes, l->seconds * 1e3);
    if (l->budgets_differ)
        printf("note          the two probes started together read different budgets: the "
               "first's counts, and the next size ran after it\n");
    printf("block         %s, align %llu, %s %s on %s\n", tls_access_name(q->model),
           (unsigned long long)q->align, l->budget.libc_name, l->budget.libc_version,
           l->budget.machine);
    if (min >= 0)
        printf("min           %ld: %s\n", min,
               (long)l->max_bytes < min ? "FAIL, the largest block is smaller" : "met");
}
