#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "limit.h"
#include "protocol.h"
#include "die.h"
#include "xalloc.h"

static void parse_args(int argc, char **argv, bool *as_json, struct libc_choice *choice,
                       struct limit_query *q, long *min)
{
    for (int i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--json") == 0) {
            *as_json = true;
        } else if (strcmp(argv[i], "--align") == 0) {
            q->align = (uint64_t)option_number("--align", next, 1, 4096);
            if (q->align & (q->align - 1))
                die_input("--align: %llu is not a power of two", (unsigned long long)q->align);
            i++;
        } else if (strcmp(argv[i], "--threads") == 0) {
            q->threads = option_number("--threads", next, 0, 1024);
            i++;
        } else if (strcmp(argv[i], "--min") == 0) {
            *min = option_number("--min", next, 0, 1L << 30);
            i++;
        } else if (strcmp(argv[i], "--model") == 0) {
            if (!tls_access_from_name(next, &q->model) || q->model == TLS_NONE)
                die_input("--model: expected ie, gd or tlsdesc");
            i++;
        } else if (strcmp(argv[i], "--after") == 0) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                *XAPPEND(&q->after, &q->nafter) = argv[++i];
            if (!q->nafter)
                die_input("--after: name at least one library");
            if (q->nafter > PROTO_MAX_STEPS - 2) /* with threads and the block */
                die_input("--after: %zu libraries: one probe loads at most %d before the block",
                          q->nafter, PROTO_MAX_STEPS - 2);
        } else if (!libc_option(argc, argv, &i, choice)) {
            die_input("limit: unknown argument \"%s\"", argv[i]);
        }
    }
}

static void print_json(const struct limit_query *q, const struct limit_result *l,
                       const char *sysroot, const char *method, long min)
{
    struct json j;
    json_init(&j, stdout, sysroot);
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
    json_kv_string(&j, "method", method);
    json_kv_int(&j, "probes", l->probes);
    if (min >= 0) {
        json_kv_int(&j, "min", min);
        json_kv_bool(&j, "min_met", (long)l->max_bytes >= min);
    }
    json_end(&j);
}

static void print_text(const struct limit_query *q, const struct limit_result *l,
                       const char *method)
{
    printf("max_bytes     %llu (measured: %llu loads, %llu fails)\n",
           (unsigned long long)l->max_bytes, (unsigned long long)l->max_bytes,
           (unsigned long long)l->max_bytes + 1);
    printf("error_at_next %s\n", l->error_at_next ? l->error_at_next : "");
    if (l->predicted_known)
        printf("predicted     %llu (modelled)\n", (unsigned long long)l->predicted);
    printf("method        %s, %u probes, %.1f ms\n", method, l->probes, l->seconds * 1e3);
    printf("block         %s, align %llu, %s %s on %s\n", tls_access_name(q->model),
           (unsigned long long)q->align, l->budget.libc_name, l->budget.libc_version,
           l->budget.machine);
}

int cmd_limit(int argc, char **argv)
{
    bool as_json = false;
    struct libc_choice choice = {0};
    struct limit_query q = {.model = TLS_IE, .align = 1};
    long min = -1; /* --min: the threshold, -1 when not asked */
    parse_args(argc, argv, &as_json, &choice, &q, &min);
    struct session s;
    session_open(&s, &choice, true);
    q.env = &s.env;
    q.kit = &s.kit;
    struct limit_result l;
    char err[1024];
    if (!limit_measure(&q, &l, err, sizeof err)) {
        fprintf(stderr, "statictls: limit: %s\n", err);
        session_close(&s);
        free(q.after);
        return EXIT_TRIPPED;
    }
    const char *method = l.prediction_hit ? "prediction verified" : "bisection";
    bool below = min >= 0 && (long)l.max_bytes < min;
    if (as_json) {
        print_json(&q, &l, s.build.root, method, min);
    } else {
        print_text(&q, &l, method);
        if (min >= 0)
            printf("min           %ld: %s\n", min,
                   below ? "FAIL, the largest block is smaller" : "met");
    }
    limit_result_free(&l);
    session_close(&s);
    free(q.after);
    return below ? EXIT_TRIPPED : EXIT_PASS;
}
