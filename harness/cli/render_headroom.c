#include "render_headroom.h"

#include <stdio.h>
#include <stdlib.h>

#include "envvars.h"
#include "json.h"
#include "visible.h"

static const char *method(const struct headroom_view *v)
{
    return v->r->prediction_hit ? "prediction verified" : "bisection";
}

void render_headroom_json(const struct headroom_view *v)
{
    const struct squeeze_run *below = &v->r->below;
    struct json j;
    json_init(&j, stdout, "headroom", NULL);
    json_object(&j);
    json_kv_int(&j, "needed_bytes", v->r->needed);
    json_kv_int(&j, "free_bytes", v->free_bytes);
    json_key(&j, "predicted_bytes");
    if (v->predicted >= 0)
        json_int(&j, v->predicted);
    else
        json_null(&j);
    json_kv_int(&j, "static_tls_objects", (long long)v->nblocks);
    json_kv_string(&j, "message_at_one_less", below->message);
    json_kv_int(&j, "exit_at_one_less", below->exit_code);
    json_kv_int(&j, "runs", v->h->runs);
    json_kv_string(&j, "method", method(v));
    render_start_room_json(&j, v->room);
    render_user_preload_json(&j, v->h->settings);
    json_end(&j);
    printf("\n");
}

void render_headroom_failed_json(const struct squeezer *h, const struct squeeze_run *base,
                                 enum load_kind refusal, const char *program)
{
    struct json j;
    json_init(&j, stdout, "headroom", NULL);
    json_object(&j);
    json_key(&j, "needed_bytes");
    json_null(&j);
    json_kv_bool(&j, "starts", refusal == KIND_LOADED);
    json_kv_string(&j, "refusal", refusal == KIND_LOADED ? NULL : load_kind_name(refusal));
    json_kv_string(&j, "program", program);
    json_kv_int(&j, "exit_unsqueezed", base->exit_code);
    json_kv_int(&j, "expected_exit", h->expect_exit);
    json_kv_string(&j, "message", base->message);
    json_kv_int(&j, "runs", h->runs);
    render_user_preload_json(&j, h->settings);
    json_end(&j);
    printf("\n");
}

void render_headroom(const struct headroom_view *v)
{
    long needed = v->r->needed;
    const struct squeeze_run *below = &v->r->below;
    if (needed > 0)
        printf("needed_bytes  %ld (measured: %ld bytes of headroom succeed, %ld fail)\n", needed,
               needed, needed - 1);
    else /* with no static TLS left at all it still works */
        printf("needed_bytes  0 (measured%s: it works with 0 bytes of headroom)\n",
               user_preload(v->h->settings) ? " with your LD_PRELOAD" : "");
    printf("free_bytes    %ld (measured inside the command's process)\n", v->free_bytes);
    if (v->predicted >= 0)
        printf("predicted     %ld (modelled from the %zu static-TLS objects it loaded)\n",
               v->predicted, v->nblocks);
    if (needed > 0) { /* glibc's line names a library: any byte of its path */
        char *message = below->message ? visible(below->message) : NULL;
        printf("at %-11ld exit %d%s%s\n", needed - 1, below->exit_code, message ? ": " : "",
               message ? message : "");
        free(message);
    } else
        printf("at 0          it succeeds: it needs no free static TLS%s\n",
               user_preload(v->h->settings) ? " with your LD_PRELOAD" : "");
    render_user_preload(v->h->settings);
    render_start_room(v->room);
    printf("runs          %u (%s)\n", v->h->runs, method(v));
}

const char *user_preload(const struct settings *s)
{
    const char *p = env_lookup(s->user_env, "LD_PRELOAD");
    return p && *p ? p : NULL;
}

void render_user_preload(const struct settings *s)
{
    const char *p = user_preload(s);
    if (!p)
        return;
    char *shown = visible(p);
    printf("LD_PRELOAD    yours, kept after statictls' helper: %s (mapped at startup, in the "
           "initial block: every figure here is with it; an object it preloads takes no "
           "headroom, and without it the command may need more)\n", shown);
    free(shown);
}

void render_user_preload_json(struct json *j, const struct settings *s)
{
    json_kv_string(j, "user_preload", user_preload(s));
}

void render_start_room(const struct start_room *r)
{
    if (!r->applies) {
        if (r->why_not[0]) {
            char *why = visible(r->why_not);
            printf("LD_AUDIT      set; room at startup not measured: %s\n", why);
            free(why);
        }
        return;
    }
    printf("LD_AUDIT      %zu audit module%s: ld.so lays static TLS out before the program's "
           "libraries and preloads, whose initial-exec blocks then come out of the surplus "
           "(%zu objects with TLS at startup)\n",
           r->naudit, r->naudit == 1 ? "" : "s", r->startup_objects);
    if (r->smallest == 0)
        printf("smallest      glibc.rtld.optional_static_tls=0 (measured: it works at 0)\n");
    else {
        const struct squeeze_run *b = &r->below;
        char *message = b->message ? visible(b->message) : NULL;
        printf("smallest      glibc.rtld.optional_static_tls=%ld (measured: %ld works, %ld exits "
               "%d%s%s)\n",
               r->smallest, r->smallest, r->smallest - 1, b->exit_code, message ? ": " : "",
               message ? message : "");
        free(message);
    }
    if (r->predicted >= 0)
        printf("modelled      %ld (from its startup objects and the headroom it needs)\n",
               r->predicted);
    else {
        char *why = visible(r->model_why);
        printf("modelled      none: %s\n", why);
        free(why);
    }
    printf("margin        %ld bytes (measured: optional_static_tls %zu%s, less the smallest)\n",
           (long)r->current - r->smallest, r->current,
           r->current_is_default ? ", the default" : ", from GLIBC_TUNABLES");
}

void render_start_room_json(struct json *j, const struct start_room *r)
{
    json_key(j, "startup");
    if (!r->applies && !r->why_not[0]) {
        json_null(j);
        return;
    }
    json_object(j);
    json_kv_bool(j, "measured", r->applies);
    if (!r->applies) {
        json_kv_string(j, "why_not", r->why_not);
        json_end(j);
        return;
    }
    json_kv_int(j, "audit_modules", (long long)r->naudit);
    json_kv_int(j, "startup_objects", (long long)r->startup_objects);
    json_kv_int(j, "optional_static_tls", (long long)r->current);
    json_kv_bool(j, "optional_static_tls_default", r->current_is_default);
    json_kv_int(j, "smallest_optional_static_tls", r->smallest);
    json_key(j, "predicted_smallest_optional_static_tls");
    if (r->predicted >= 0)
        json_int(j, r->predicted);
    else
        json_null(j);
    json_kv_string(j, "why_not_predicted", r->predicted >= 0 ? NULL : r->model_why);
    json_kv_int(j, "margin", (long)r->current - r->smallest);
    json_kv_string(j, "message_at_one_less", r->below_run ? r->below.message : NULL);
    json_key(j, "exit_at_one_less");
    if (r->below_run)
        json_int(j, r->below.exit_code);
    else
        json_null(j);
    json_kv_string(j, "method", r->prediction_hit ? "prediction verified" : "bisection");
    json_end(j);
}
