/* doctor's report, as text and as JSON: every figure says whether it was
   measured (on the command, or on fixtures) or modelled. */
#define _GNU_SOURCE
#include "render_doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "render_headroom.h"
#include "rules.h"
#include "shellquote.h"
#include "stderrscan.h"
#include "tlsaccess.h"
#include "visible.h"
#include "xalloc.h"

static const char *where(const struct held_object *h)
{
    return h->startup ? "initial" : h->how == PLACED_STATIC ? "surplus" : "TRIPS";
}

/* A fix that works, numbered, under its group's title (said once). */
static void print_ranked(size_t *rank, bool *header, const char *title, const char *line,
                         const char *evidence)
{
    if (!*header)
        printf("\n%s\n", title);
    *header = true;
    printf("  %zu. %s\n       %s\n", ++*rank, line, evidence);
}

/* A fix that was tried on the command and did not work. */
static void print_tried(bool *tried, const char *line, const char *evidence)
{
    if (!*tried)
        printf("\ntried, and did not work:\n");
    *tried = true;
    printf("  - %s\n       %s\n", line, evidence);
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
            if (x->works && x->on_command == (verified == 1))
                print_ranked(&rank, &header,
                             verified ? "fixes, each verified on the command itself:"
                                      : "fixes that need a rebuild, validated by replay on "
                                        "fixtures only:",
                             x->line, x->evidence);
        }
    }
    bool tried = false;
    for (size_t i = 0; i < r->nfixes; i++)
        if (!r->fixes[i].works)
            print_tried(&tried, r->fixes[i].line, r->fixes[i].evidence);
    if (r->ndropped)
        printf("\nnot run on the command: the replay on fixtures of the same shapes still trips "
               "with each (measured on fixtures):\n");
    for (size_t i = 0; i < r->ndropped; i++)
        printf("  - %s\n", r->dropped[i].line);
    if (r->dropped_more)
        printf("  ... and %u more, dropped the same way\n", r->dropped_more);
    if (!rank)
        printf("\nno fix found\n");
    printf("\nruns          %u of the command, %u replays on fixtures\n", r->command_runs,
           r->replays);
}

static void json_fixes(struct json *j, const char *key, const struct doctor_fix *fixes,
                       size_t n)
{
    json_key(j, key);
    json_array(j);
    for (size_t i = 0; i < n; i++) {
        const struct doctor_fix *x = &fixes[i];
        static const char *const kinds[] = {"preload", "first", "tunable", "rebuild"};
        json_object(j);
        json_kv_strings(j, "kind", kinds[x->kind], "what", x->what, "line", x->line, "evidence",
                        x->evidence, NULL);
        json_kv_bool(j, "verified_on_command", x->on_command);
        json_kv_bool(j, "works", x->works);
        json_end(j);
    }
    json_end(j);
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
    json_fixes(&j, "fixes", r->fixes, r->nfixes);
    json_fixes(&j, "dropped_fixes", r->dropped, r->ndropped);
    json_kv_int(&j, "dropped_more", r->dropped_more);
    json_kv_int(&j, "command_runs", r->command_runs);
    json_kv_int(&j, "replays", r->replays);
    json_end(&j);
    printf("\n");
}

static void json_works(const struct doctor_request *q, const struct doctor_result *r)
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
    render_user_preload_json(&j, q->settings);
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
        printf("needed        0 (measured%s: it works with 0 bytes of headroom)\n",
               user_preload(q->settings) ? " with your LD_PRELOAD" : "");
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
        printf("trips first   nothing: it needs no free static TLS%s\n",
               user_preload(q->settings) ? " with your LD_PRELOAD" : "");
    render_user_preload(q->settings);
    render_start_room(&r->room);
    printf("runs          %u of the command (%s)\n", r->command_runs,
           r->headroom.prediction_hit ? "prediction verified" : "bisection");
}

/* The loader's variables as the program gets them. */
static void print_vars(const struct startup_report *s)
{
    const char *names[] = {"LD_AUDIT", "LD_PRELOAD", "GLIBC_TUNABLES"};
    const char *values[] = {s->ld_audit, s->ld_preload, s->glibc_tunables};
    printf("environment  ");
    for (size_t i = 0; i < 3; i++) {
        char *shown = values[i] ? visible(values[i]) : NULL;
        printf("%s %s%s%s", i ? "," : "", names[i], shown ? "=" : " unset", shown ? shown : "");
        free(shown);
    }
    printf(" (as the program gets them)\n");
}

static void print_startup_fixes(const struct startup_report *s)
{
    static const struct {
        bool on_command, option;
        const char *header;
    } groups[] = {
        {true, false, "fixes, each verified on the command itself:"},
        {true, true, "options, if you can do without what they drop (each verified on the "
                     "command itself; not imposed):"},
        {false, false, "fixes that need a rebuild, validated by a case on fixtures only:"}};
    size_t rank = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        bool header = false;
        for (size_t i = 0; i < s->nfixes; i++) {
            const struct startup_fix *x = &s->fixes[i];
            if (x->works && x->on_command == groups[g].on_command &&
                x->option == groups[g].option)
                print_ranked(&rank, &header, groups[g].header, x->line, x->evidence);
        }
    }
    bool tried = false;
    for (size_t i = 0; i < s->nfixes; i++)
        if (!s->fixes[i].works)
            print_tried(&tried, s->fixes[i].line, s->fixes[i].evidence);
    if (!startup_fixed(s))
        printf("\nno fix found that starts it as it is\n");
}

static void print_startup(const struct doctor_request *q, const struct doctor_result *r)
{
    const struct startup_report *s = &r->startup;
    char *cmd = shell_line(NULL, NULL, q->command);
    printf("command       %s\n", cmd);
    free(cmd);
    char *msg = s->message ? visible(s->message) : NULL;
    printf("as is         exit %d (measured): ld.so refuses to start it%s%s\n", s->exit_code,
           msg ? ": " : "", msg ? msg : "");
    free(msg);
    char *prog = visible(s->program);
    printf("program       %s\n", prog);
    free(prog);
    print_vars(s);
    if (q->squeeze >= 0)
        printf("squeeze       not applied: no process starts to squeeze\n");
    if (s->naudit)
        printf("audit         %zu module(s), each in a namespace of its own with its own libc "
               "(the model counts each namespace in the surplus)\n", s->naudit);
    if (s->refusal == KIND_AUDIT_LIMIT)
        printf("rule          too many audit modules: glibc.rtld.nns %zu + %zu audit modules "
               "= %zu namespaces, above the %d there are (modelled)\n", s->nns, s->naudit,
               s->nns + s->naudit, DL_NNS);
    if (!s->modelled) {
        if (s->refusal != KIND_AUDIT_LIMIT)
            printf("model         not modelled: %s\n", s->why_not_modelled);
    } else {
        printf("startup       no tracer runs in a process that never starts: its objects are "
               "read from the ELF files as ld.so finds them, placed by the model:\n");
        printf("  %8s %6s %-14s %-10s %-8s %s\n", "size", "align", "access", "where", "role",
               "object");
        for (size_t i = 0; i < s->nobjects; i++) {
            const struct startup_object *o = &s->objects[i];
            char *path = visible(o->path);
            printf("  %8llu %6llu %-14s %-10s %-8s %s\n", (unsigned long long)o->size,
                   (unsigned long long)o->align, tls_access_long_name(o->access), o->where,
                   o->role, path);
            free(path);
        }
        if (s->trip) {
            const struct startup_object *t = &s->objects[s->trip - 1];
            char *path = visible(t->path);
            printf("rule          size: under LD_AUDIT ld.so lays out the program's TLS before "
                   "it loads the libraries, which then take static TLS from the surplus as "
                   "they are relocated: %s needs %llu bytes aligned %llu and does not fit",
                   path, (unsigned long long)t->size, (unsigned long long)t->align);
            free(path);
            if (s->optional_predicted > 0)
                printf(", %lld bytes short (modelled: %s=%lld places it, %lld now)",
                       s->optional_predicted - s->optional_now,
                       "glibc.rtld.optional_static_tls", s->optional_predicted, s->optional_now);
            printf("\n");
        } else {
            printf("rule          the model places every object: it does not say which one "
                   "trips (modelled)\n");
        }
    }
    if (s->optional_measured > 0)
        printf("verified      %lld bytes short (measured: optional_static_tls=%lld starts it, "
               "%lld does not)\n", s->optional_measured - s->optional_now, s->optional_measured,
               s->optional_measured - 1);
    print_startup_fixes(s);
    printf("\nruns          %u of the command, %u cases on fixtures\n", r->command_runs,
           s->cases);
}

static void json_nullable(struct json *j, const char *key, long long v)
{
    json_key(j, key);
    if (v >= 0)
        json_int(j, v);
    else
        json_null(j);
}

static void json_startup(const struct doctor_result *r)
{
    const struct startup_report *s = &r->startup;
    struct json j;
    json_init(&j, stdout, "doctor", NULL);
    json_object(&j);
    json_kv_bool(&j, "works_as_is", false);
    json_kv_bool(&j, "starts", false);
    json_kv_int(&j, "exit_as_is", s->exit_code);
    json_kv_string(&j, "message", s->message);
    json_kv_string(&j, "refusal", load_kind_name(s->refusal));
    json_kv_string(&j, "program", s->program);
    json_key(&j, "environment");
    json_object(&j);
    json_kv_string(&j, "LD_AUDIT", s->ld_audit);
    json_kv_string(&j, "LD_PRELOAD", s->ld_preload);
    json_kv_string(&j, "GLIBC_TUNABLES", s->glibc_tunables);
    json_end(&j);
    json_kv_int(&j, "audit_modules", (long long)s->naudit);
    json_kv_bool(&j, "modelled", s->modelled);
    json_kv_string(&j, "why_not_modelled", s->modelled ? NULL : s->why_not_modelled);
    json_key(&j, "startup_objects");
    json_array(&j);
    for (size_t i = 0; i < s->nobjects; i++) {
        const struct startup_object *o = &s->objects[i];
        json_object(&j);
        json_kv_strings(&j, "path", o->path, "role", o->role, "access",
                        tls_access_name(o->access), "modelled_where", o->where, NULL);
        json_kv_int(&j, "size", (long long)o->size);
        json_kv_int(&j, "align", (long long)o->align);
        json_end(&j);
    }
    json_end(&j);
    json_key(&j, "modelled_trip");
    if (s->trip) {
        const struct startup_object *t = &s->objects[s->trip - 1];
        json_object(&j);
        json_kv_strings(&j, "object", t->path, "rule", "size", NULL);
        json_kv_int(&j, "size", (long long)t->size);
        json_kv_int(&j, "align", (long long)t->align);
        json_nullable(&j, "short_by",
                      s->optional_predicted > 0 ? s->optional_predicted - s->optional_now : -1);
        json_end(&j);
    } else {
        json_null(&j);
    }
    json_key(&j, "optional_static_tls");
    json_object(&j);
    json_kv_int(&j, "now", s->optional_now);
    json_nullable(&j, "modelled_smallest", s->optional_predicted);
    json_nullable(&j, "measured_smallest", s->optional_measured);
    json_key(&j, "exit_at_smallest");
    if (s->optional_measured > 0)
        json_int(&j, s->exit_at);
    else
        json_null(&j);
    json_key(&j, "exit_below_smallest");
    if (s->optional_measured > 0)
        json_int(&j, s->exit_below);
    else
        json_null(&j);
    json_end(&j);
    json_key(&j, "fixes");
    json_array(&j);
    for (size_t i = 0; i < s->nfixes; i++) {
        const struct startup_fix *x = &s->fixes[i];
        json_object(&j);
        json_kv_strings(&j, "kind", x->kind, "what", x->what, "line", x->line, "evidence",
                        x->evidence, NULL);
        json_kv_bool(&j, "verified_on_command", x->on_command);
        json_kv_bool(&j, "works", x->works);
        json_kv_bool(&j, "option", x->option);
        json_end(&j);
    }
    json_end(&j);
    json_kv_int(&j, "command_runs", r->command_runs);
    json_kv_int(&j, "fixture_cases", s->cases);
    json_end(&j);
    printf("\n");
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
    else if (r->found == DOCTOR_CANNOT_START)
        print_startup(q, r);
    else
        say_nothing_to_fix(q, r);
}

void render_doctor_json(const struct doctor_request *q, const struct doctor_result *r)
{
    if (r->found == DOCTOR_WORKS)
        json_works(q, r);
    else if (r->found == DOCTOR_FAILS)
        json_failure(q, r);
    else if (r->found == DOCTOR_CANNOT_START)
        json_startup(r);
    else
        say_nothing_to_fix(q, r);
}
