#include "render_load.h"

#include <stdio.h>

#include "json.h"

bool load_short_of_headroom(const struct headroom_check *h, size_t fail)
{
    return h->min >= 0 && !fail && (!h->measured || (long)h->l.max_bytes < h->min);
}

void render_load_json(const struct load_view *v, const char *sysroot)
{
    const struct plan *p = v->p;
    const struct step_result *r = v->r;
    const struct headroom_check *h = v->h;
    struct json j;
    json_init(&j, stdout, "load", sysroot);
    json_object(&j);
    json_kv_string(&j, "libc", v->b->libc_name);
    json_kv_string(&j, "libc_version", v->b->libc_version);
    json_kv_string(&j, "arch", v->b->machine);
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
        if (v->pr[i].known)
            json_int(&j, (long long)v->pr[i].free_after);
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

void render_load(const struct load_view *v)
{
    const struct plan *p = v->p;
    const struct step_result *r = v->r;
    const struct budget *b = v->b;
    const struct headroom_check *h = v->h;
    if (b->modelled)
        printf("glibc %s on %s; free bytes before the first load: %zu (modelled)\n",
               b->libc_version, b->machine, model_free(&b->model));
    else
        printf("%s %s on %s; no model: %s\n", b->libc_name, b->libc_version, b->machine,
               b->why_not_modelled);
    plan_print(stdout, p, r, v->pr);
    size_t fail = first_failure(p, r);
    if (fail)
        printf("step %d failed: %s\n", p->steps[fail - 1].number,
               r[fail - 1].error ? r[fail - 1].error : load_kind_name(r[fail - 1].kind));
    else
        printf("all %zu loaded\n", p->n - v->threads);
    if (h->measured)
        printf("headroom %llu bytes (measured: %llu loads, %llu fails), %s %ld\n",
               (unsigned long long)h->l.max_bytes, (unsigned long long)h->l.max_bytes,
               (unsigned long long)h->l.max_bytes + 1,
               load_short_of_headroom(h, fail) ? "FAIL: below the required"
                                               : "at least the required",
               h->min);
}
