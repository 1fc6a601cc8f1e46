/* statictls limit: the largest TLS block that fits, byte-exact (the model
   predicts it, N and N+1 prove it). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "limit.h"
#include "protocol.h"
#include "render_limit.h"
#include "usage.h"
#include "die.h"
#include "xalloc.h"

/* The query the options ask for (its env and kit are the session's). */
static void read_query(const struct args *a, struct limit_query *q)
{
    *q = (struct limit_query){.align = (uint64_t)arg_number(a, "--align"),
                              .threads = arg_number(a, "--threads")};
    if (!tls_access_from_name(arg_string(a, "--model"), &q->model)) /* the row's words */
        die("limit: --model %s: no such access model", arg_string(a, "--model"));
    for (const struct option_use *u = NULL; (u = arg_next(a, "--after", u));)
        *XAPPEND(&q->after, &q->nafter) = (char *)u->value;
    if (q->nafter > PROTO_MAX_STEPS - 2) /* with threads and the block */
        usage_error(a->command, "--after: %zu libraries: one probe loads at most %d before the "
                                "block", q->nafter, PROTO_MAX_STEPS - 2);
}

int cmd_limit(const struct args *a)
{
    struct limit_query q;
    read_query(a, &q);
    long min = arg_given(a, "--min") ? arg_number(a, "--min") : -1; /* -1: not asked */
    struct libc_choice choice = libc_choice_of(a);
    struct session s;
    session_open(&s, a, &choice, true);
    q.env = &s.env;
    q.kit = &s.kit;
    struct limit_result l;
    char err[1024];
    int code = EXIT_TRIPPED;
    if (!limit_measure(&q, &l, err, sizeof err)) {
        fprintf(stderr, "statictls: limit: %s\n", err);
    } else {
        if (arg_given(a, "--json"))
            render_limit_json(&q, &l, s.build.root, min);
        else
            render_limit(&q, &l, min);
        code = min >= 0 && (long)l.max_bytes < min ? EXIT_TRIPPED : EXIT_PASS;
        limit_result_free(&l);
    }
    session_close(&s);
    free(q.after);
    return code;
}
