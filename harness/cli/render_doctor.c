/* doctor's report, as text and as JSON: every figure says whether it was
   measured (on the command, or on fixtures) or modelled. */
#define _GNU_SOURCE
#include "render_doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "render_headroom.h"
#include "shellquote.h"
#include "stderrscan.h"
#include "tlsaccess.h"
#include "visible.h"
#include "xalloc.h"

static const char *where(const struct held_object *h)
{
    return h->startup ? "initial" : h->how == PLACED_STATIC ? "surplus" : "TRIPS";
}

static void print_failure(const struct doctor_request *q, const struct doctor_result *r)
{
    const struct diagnosis *dx = &r->dx;
    char *cmd = shell_line(NULL, NULL, q->command);
    printf("command       %s\n", cmd);
    free(cmd);
    printf("as is         exit %d (measured%s)%s%s\n", r->first.exit_code,
           q->squeeze >= 0 ? ", with the squeeze's headroom" : "", r->first.message ? ": " : "",
           r->first.message ? r->first.message : "");
    printf("free at start %ld (measured inside the command's process)", r->first.free_bytes);
    if (q->squeeze >= 0)
        printf("; --squeeze leaves %ld of it", dx->start_free);
    printf("\n");
    if (dx->trip) {
        const struct held_object *t = &dx->objects[dx->trip - 1];
        printf("rule          %s: %s needs %llu bytes aligned %llu, %zu free at that point "
               "(modelled)\n", placement_rule(t->how), t->path, (unsigned long long)t->size,
               (unsigned long long)t->align, dx->free_at_trip);
    } else {
        printf("rule          the model places every object of the trace: it does not say which "
               "rule tripped (modelled)\n");
    }
    printf("static TLS    held in load order (sizes read from the ELF files; use, with padding, "
           "modelled from the measured free bytes):\n");
    printf("  %8s %6s %-12s %6s %10s  %-8s %s\n", "size", "align", "access", "use", "free after",
           "where", "object");
    for (size_t i = 0; i < dx->nobjects; i++) {
        const struct held_object *h = &dx->objects[i];
        char use[32] = "-", after[32] = "-";
        if (!h->startup && h->how == PLACED_STATIC) {
            snprintf(use, sizeof use, "%zu", h->use);
            snprintf(after, sizeof after, "%zu", h->free_after);
        }
        printf("  %8llu %6llu %-12s %6s %10s  %-8s %s\n", (unsigned long long)h->size,
               (unsigned long long)h->align, tls_access_long_name(h->access), use, after, where(h),
               h->path);
    }
    printf("replay        %s (fixtures of the same shapes, on this machine's libc)\n", r->replay);
    size_t rank = 0;
    for (int verified = 1; verified >= 0; verified--) {
        bool header = false;
        for (size_t i = 0; i < r->nfixes; i++) {
            const struct doctor_fix *x = &r->fixes[i];
            if (!x->works || x->on_command != (verified == 1))
                continue;
            if (!header)
                printf("\n%s\n", verified ? "fixes, each verified on the command itself:"
                                          : "fixes that need a rebuild, validated by replay on "
                                            "fixtures only:");
            header = true;
            printf("  %zu. %s\n       %s\n", ++rank, x->line, x->evidence);
        }
    }
    bool tried = false;
    for (size_t i = 0; i < r->nfixes; i++) {
        const struct doctor_fix *x = &r->fixes[i];
        if (x->works)
            continue;
        if (!tried)
            printf("\ntried, and did not work:\n");
        tried = true;
        printf("  - %s\n       %s\n", x->line, x->evidence);
    }
    if (!rank)
        printf("\nno fix found\n");
    printf("\nruns          %u of the command, %u replays on fixtures\n", r->command_runs,
           r->replays);
}

static void json_failure(const struct doctor_request *q, const struct doctor_result *r)
{
    const struct diagnosis *dx = &r->dx;
    struct json j;
    json_init(&j, stdout, "doctor", NULL);
    json_object(&j);
    json_kv_bool(&j, "works_as_is", false);
    json_kv_int(&j, "exit_as_is", r->first.exit_code);
    json_kv_string(&j, "message", r->first.message);
    json_kv_int(&j, "measured_free", r->first.free_bytes);
    json_key(&j, "squeeze");
    if (q->squeeze >= 0)
        json_int(&j, dx->start_free);
    else
        json_null(&j);
    json_kv_string(&j, "tripped_object", dx->tripped);
    json_key(&j, "modelled_trip");
    if (dx->trip) {
        const struct held_object *t = &dx->objects[dx->trip - 1];
        json_object(&j);
        json_kv_strings(&j, "object", t->path, "rule", placement_rule(t->how), NULL);
        json_kv_int(&j, "size", (long long)t->size);
        json_kv_int(&j, "align", (long long)t->align);
        json_kv_int(&j, "free", (long long)dx->free_at_trip);
        json_end(&j);
    } else {
        json_null(&j);
    }
    json_key(&j, "static_tls");
    json_array(&j);
    for (size_t i = 0; i < dx->nobjects; i++) {
        const struct held_object *h = &dx->objects[i];
        json_object(&j);
        json_kv_strings(&j, "path", h->path, "access", tls_access_name(h->access), "where",
                        where(h), NULL);
        json_kv_int(&j, "size", (long long)h->size);
        json_kv_int(&j, "align", (long long)h->align);
        if (!h->startup && h->how == PLACED_STATIC) {
            json_kv_int(&j, "modelled_use", (long long)h->use);
            json_kv_int(&j, "modelled_free_after", (long long)h->free_after);
        }
        json_end(&j);
    }
    json_end(&j);
    json_kv_string(&j, "replay", r->replay);
    json_key(&j, "fixes");
    json_array(&j);
    for (size_t i = 0; i < r->nfixes; i++) {
        const struct doctor_fix *x = &r->fixes[i];
        static const char *const kinds[] = {"preload", "first", "tunable", "rebuild"};
        json_object(&j);
        json_kv_strings(&j, "kind", kinds[x->kind], "what", x->what, "line", x->line, "evidence",
                        x->evidence, NULL);
        json_kv_bool(&j, "verified_on_command", x->on_command);
        json_kv_bool(&j, "works", x->works);
        json_end(&j);
    }
    json_end(&j);
    json_kv_int(&j, "command_runs", r->command_runs);
    json_kv_int(&j, "replays", r->replays);
    json_end(&j);
    printf("\n");
}

static void json_works(const struct doctor_result *r)
{
    const struct squeeze_run *below = &r->headroom.below;
    long needed = r->headroom.needed;
    struct json j;
    json_init(&j, stdout, "doctor", NULL);
    json_object(&j);
    json_kv_bool(&j, "works_as_is", true);
    json_kv_int(&j, "measured_free", r->first.free_bytes);
    json_kv_int(&j, "measured_needed", needed);
    json_kv_int(&j, "headroom", r->first.free_bytes - needed);
    json_key(&j, "predicted_needed");
    if (r->predicted >= 0)
        json_int(&j, r->predicted);
    else
        json_null(&j);
    json_kv_string(&j, "first_to_trip", needed > 0 ? below->message : NULL);
    render_start_room_json(&j, &r->room);
    json_kv_int(&j, "command_runs", r->command_runs);
    json_end(&j);
    printf("\n");
}

static void print_works(const struct doctor_request *q, const struct doctor_result *r)
{
    const struct squeeze_run *below = &r->headroom.below;
    long needed = r->headroom.needed;
    char *cmd = shell_line(NULL, NULL, q->command);
    printf("command       %s\n", cmd);
    free(cmd);
    printf("as is         exit %d, as expected (measured%s)\n", q->expect_exit,
           q->squeeze >= 0 ? ", with the squeeze's headroom" : "");
    printf("free          %ld (measured inside the command's process)\n", r->first.free_bytes);
    if (needed > 0)
        printf("needed        %ld (measured: %ld bytes of headroom work, %ld fail)\n", needed,
               needed, needed - 1);
    else /* with no static TLS left at all it still works */
        printf("needed        0 (measured: it works with 0 bytes of headroom)\n");
    if (r->predicted >= 0)
        printf("predicted     %ld (modelled from the %zu static-TLS objects it loaded)\n",
               r->predicted, r->nblocks);
    printf("headroom      %ld bytes to spare (measured: free - needed)\n",
           r->first.free_bytes - needed);
    if (needed > 0)
        printf("trips first   as the process fills, at %ld bytes left: exit %d%s%s (measured)\n",
               needed - 1, below->exit_code, below->message ? ": " : "",
               below->message ? below->message : "");
    else
        printf("trips first   nothing: it needs no free static TLS\n");
    render_start_room(&r->room);
    printf("runs          %u of the command (%s)\n", r->command_runs,
           r->headroom.prediction_hit ? "prediction verified" : "bisection");
}

/* The end of the command's stderr (all doctor kept of it), each line made
   safe for a terminal. */
static void print_stderr_tail(const char *tail)
{
    if (!tail || !*tail)
        return;
    fprintf(stderr, "the end of its stderr (at most %d bytes):\n", STDERR_TAIL_BYTES);
    char *copy = xstrdup(tail);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char *shown = visible(line);
        fprintf(stderr, "  %s\n", shown);
        free(shown);
    }
    free(copy);
}

/* A failure doctor has nothing to say about: why, on stderr. */
static void say_nothing_to_fix(const struct doctor_request *q, const struct doctor_result *r)
{
    if (r->found == DOCTOR_NOT_STATIC_TLS) {
        fprintf(stderr, "statictls: doctor: %s exits %d (expected %d) with no static TLS error "
                        "in its stderr: nothing here for doctor to fix\n",
                q->command[0], r->first.exit_code, q->expect_exit);
        print_stderr_tail(r->first.stderr_tail);
    } else
        fprintf(stderr, "statictls: doctor: %s: %s\n", r->first.message, r->why_not_modelled);
}

void render_doctor(const struct doctor_request *q, const struct doctor_result *r)
{
    if (r->found == DOCTOR_WORKS)
        print_works(q, r);
    else if (r->found == DOCTOR_FAILS)
        print_failure(q, r);
    else
        say_nothing_to_fix(q, r);
}

void render_doctor_json(const struct doctor_request *q, const struct doctor_result *r)
{
    if (r->found == DOCTOR_WORKS)
        json_works(r);
    else if (r->found == DOCTOR_FAILS)
        json_failure(q, r);
    else
        say_nothing_to_fix(q, r);
}
