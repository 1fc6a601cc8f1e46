#include "render_headroom.h"

#include <stdio.h>
#include <stdlib.h>

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
        printf("needed_bytes  0 (measured: it works with 0 bytes of headroom)\n");
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
        printf("at 0          it succeeds: it needs no free static TLS\n");
    printf("runs          %u (%s)\n", v->h->runs, method(v));
}
