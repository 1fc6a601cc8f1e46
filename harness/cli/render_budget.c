/* The budget of a fresh process for people (budget_print) and for JSON:
   every figure says whether it was read, modelled or measured. */
#include "render_budget.h"

#include <stdio.h>
#include <string.h>

void render_budget(const struct budget *b, const struct limit_result *l)
{
    if (strcmp(b->libc_name, "glibc") == 0)
        printf("libc          %s %s (%s)%*s read: gnu_get_libc_version\n", b->libc_name,
               b->libc_version, b->libc_release, 10, "");
    else
        printf("libc          %s %-29s read: its loader\n", b->libc_name, b->libc_version);
    printf("arch          %-35s read: uname\n", b->machine);
    if (b->have_static_info)
        printf("static TLS    %zu bytes, align %zu%*s read: _dl_get_tls_static_info\n",
               b->static_size, b->static_align, 14, "");
    else
        printf("static TLS    (no _dl_get_tls_static_info in this libc)\n");
    if (b->have_rseq)
        printf("rseq          offset %+ld, size %u%*s read: __rseq_offset, __rseq_size\n",
               b->rseq_offset, b->rseq_size, 16, "");
    printf("used          %-35zu read: startup blocks' offsets\n", b->used);
    if (!b->modelled) {
        printf("model         none: %s\n", b->why_not_modelled);
    } else {
        const struct model *m = &b->model;
        printf("surplus       %-35zu modelled: %s\n", m->surplus, b->surplus_formula);
        printf("optional      %-35zu modelled: glibc.rtld.optional_static_tls%s\n",
               b->tunables.optional, m->rules.optional_cap ? "" : " (no cap in this release)");
        printf("static align  %-35zu modelled%s\n", b->predicted_static_align,
               b->have_static_info && b->predicted_static_align != b->static_align
                   ? " -- DISAGREES with read"
                   : "");
        printf("area end      %-35zu modelled: round_up(used + surplus, align)\n", m->area_end);
        if (b->have_static_info && m->rules.layout == LAYOUT_BELOW_TP)
            printf("TCB           %-35zu derived: static size - area end\n",
                   b->static_size - m->area_end);
        printf("free          %-35zu modelled: area end - used\n", model_free(m));
    }
    if (l)
        printf("free          %-35llu measured: a %llu-byte IE block loads, %llu bytes fail%s\n",
               (unsigned long long)l->max_bytes, (unsigned long long)l->max_bytes,
               (unsigned long long)l->max_bytes + 1,
               b->modelled && model_free(&b->model) != l->max_bytes
                   ? " -- DISAGREES with the model"
                   : "");
    printf("\nmodules with TLS (read: dl_iterate_phdr)\n");
    printf("  %5s %6s %6s %8s %8s  %s\n", "modid", "size", "align", "TP off", "model", "path");
    for (size_t i = 0; i < b->nmodules; i++) {
        const struct budget_module *m = &b->modules[i];
        char tp[32] = "-", pred[32] = "-";
        if (m->has_tpoff)
            snprintf(tp, sizeof tp, "%+ld", m->tpoff);
        if (b->modelled && !b->tunables.naudit)
            snprintf(pred, sizeof pred, "%+ld", model_tpoff(&b->model, m->predicted_offset));
        printf("  %5ld %6llu %6llu %8s %8s  %s (static)\n", m->modid,
               (unsigned long long)m->block.size, (unsigned long long)m->block.align, tp, pred,
               m->path);
    }
}

void render_budget_json(struct json *j, const struct budget *b, const struct limit_result *l)
{
    json_object(j);
    json_key(j, "read");
    json_object(j);
    json_kv_strings(j, "libc", b->libc_name, "libc_version", b->libc_version, "arch", b->machine,
                    "glibc_tunables", b->glibc_tunables, "ld_audit", b->ld_audit, NULL);
    if (b->have_static_info) {
        json_kv_int(j, "static_size", (long long)b->static_size);
        json_kv_int(j, "static_align", (long long)b->static_align);
    }
    if (b->have_rseq) {
        json_kv_int(j, "rseq_offset", b->rseq_offset);
        json_kv_int(j, "rseq_size", b->rseq_size);
    }
    json_kv_int(j, "used", (long long)b->used);
    json_kv_bool(j, "ldso_knows_tls_tunables", b->knows_tls_tunables);
    json_key(j, "modules");
    json_array(j);
    for (size_t i = 0; i < b->nmodules; i++) {
        const struct budget_module *m = &b->modules[i];
        json_object(j);
        json_kv_string(j, "path", m->path);
        json_kv_int(j, "modid", m->modid);
        json_kv_int(j, "size", (long long)m->block.size);
        json_kv_int(j, "align", (long long)m->block.align);
        json_kv_string(j, "placement", "static");
        if (m->has_tpoff)
            json_kv_int(j, "tp_offset", m->tpoff);
        json_end(j);
    }
    json_end(j);
    json_end(j);
    json_key(j, "modelled");
    if (b->modelled) {
        const struct model *m = &b->model;
        json_object(j);
        json_kv_int(j, "surplus", (long long)m->surplus);
        json_kv_string(j, "surplus_formula", b->surplus_formula);
        json_kv_int(j, "optional_static_tls", (long long)b->tunables.optional);
        json_kv_int(j, "nns", (long long)b->tunables.nns);
        json_kv_int(j, "static_align", (long long)b->predicted_static_align);
        json_kv_int(j, "area_end", (long long)m->area_end);
        json_kv_int(j, "free", (long long)model_free(m));
        json_end(j);
    } else {
        json_null(j);
    }
    json_key(j, "measured");
    if (l) {
        json_object(j);
        json_kv_int(j, "free", (long long)l->max_bytes);
        json_kv_string(j, "error_at_next", l->error_at_next);
        json_end(j);
    } else {
        json_null(j);
    }
    json_end(j);
}

void render_budget_document(const struct limit_result *l, const char *sysroot)
{
    struct json j;
    json_init(&j, stdout, "budget", sysroot);
    json_document(&j, l->budget.libc_name, l->budget.libc_version, l->budget.machine);
    render_budget_json(&j, &l->budget, l);
}
