/* What went wrong: glibc's message (measured) names the object; the model,
   started from the free bytes measured inside the command, places the
   trace's objects in order and says which rule trips, where, and how much
   each object took on the way. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "doctor.h"
#include "xalloc.h"

const char *placement_rule(enum placement how)
{
    return how == FAILED_ALIGN ? "alignment" : how == FAILED_COUNT ? "count" : "size";
}

/* "ImportError: /lib/x/libfoo.so.1: cannot allocate memory in static TLS
   block" names /lib/x/libfoo.so.1: the word before ": MESSAGE".  The count
   message names no object ("dlopen: cannot load any more ..."). */
static char *named_object(const char *message)
{
    const char *words = message ? load_kind_message(KIND_STATIC_TLS_EXHAUSTED) : NULL;
    const char *hit = words ? strstr(message, words) : NULL;
    if (!hit || hit - message < 3 || strncmp(hit - 2, ": ", 2) != 0)
        return NULL;
    const char *end = hit - 2, *start = end;
    while (start > message && start[-1] != ' ' && start[-1] != '\t')
        start--;
    return end > start ? xasprintf("%.*s", (int)(end - start), start) : NULL;
}

void diagnose(const struct budget *host, const struct trace *t, long start_free,
              const char *message, struct diagnosis *out)
{
    memset(out, 0, sizeof *out);
    out->start_free = start_free;
    out->tripped = named_object(message);
    struct model m = host->model;
    m.used = m.area_end > (size_t)start_free ? m.area_end - (size_t)start_free : 0;
    /* Each open event's placement, for its dlclose. */
    struct placed *placed = xcalloc(t->nevents + 1, sizeof *placed);
    for (size_t i = 0; i < t->nevents && !out->trip; i++) {
        const struct trace_event *e = &t->events[i];
        if (!replay_includes(e))
            continue;
        struct tls_block b = {e->tls_size, e->tls_align, 0};
        if (e->close) {
            for (size_t k = i; k-- > 0;)
                if (!t->events[k].close && strcmp(t->events[k].path, e->path) == 0) {
                    model_unload(&m, &placed[k], &b);
                    break;
                }
            continue;
        }
        struct held_object h = {.path = e->path, .size = e->tls_size, .align = e->tls_align,
                                .access = e->access, .startup = !e->dlopen};
        if (!e->dlopen) {
            if (e->modid > 0 && e->modid <= MODEL_MAX_MODID)
                m.modid_used[e->modid] = true; /* the command's own startup modules */
            *XAPPEND(&out->objects, &out->nobjects) = h;
            continue;
        }
        size_t free_before = model_free(&m);
        m.threads = (unsigned)trace_extra_threads(e);
        placed[i] = model_load(&m, &b, e->access);
        h.how = placed[i].how;
        if (h.how == PLACED_DYNAMIC)
            continue; /* in dynamic TLS: holds no static TLS */
        h.use = h.how == PLACED_STATIC ? placed[i].use : 0;
        h.free_after = model_free(&m);
        *XAPPEND(&out->objects, &out->nobjects) = h;
        if (h.how != PLACED_STATIC) {
            out->trip = out->nobjects;
            out->free_at_trip = free_before;
        }
    }
    free(placed);
}

void diagnosis_free(struct diagnosis *d)
{
    free(d->tripped);
    free(d->objects);
    memset(d, 0, sizeof *d);
}
