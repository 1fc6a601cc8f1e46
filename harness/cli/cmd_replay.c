/* statictls replay: a trace of a real command (statictls trace) becomes a
   case: one fixture per object with TLS, same size, alignment and access
   model, loaded in the same order with the same threads running.  That case
   is the minimal, shareable reproducer; it runs on any glibc build here, or
   through the model alone for releases that cannot run (--model glibc-2.17),
   with and without each fix. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "render_replay.h"
#include "replay.h"
#include "replaytable.h"
#include "trace.h"
#include "usage.h"
#include "die.h"
#include "xalloc.h"

static struct fix fix_parse(const char *s)
{
    struct fix f;
    struct replay_error e;
    if (!replay_fix_parse(s, &f, &e))
        die_replay(&e);
    return f;
}

/* --model glibc-VERSION: VERSION, or NULL when not asked. */
static const char *model_release(const struct args *a)
{
    const char *model = arg_string(a, "--model");
    if (model && strncmp(model, "glibc-", 6) != 0)
        usage_error(a->command, "--model: expected glibc-VERSION (glibc-2.17, say), got \"%s\"",
                    model);
    char why[256];
    if (model && !glibc_release_modelled(model + 6, why, sizeof why))
        usage_error(a->command, "--model: %s", why);
    return model ? model + 6 : NULL;
}

int cmd_replay(const struct args *a)
{
    output_path_check(a, "--emit", false);
    const char *model_as = model_release(a), *emit = arg_string(a, "--emit");
    const char *trace_path = a->operands[0], *table = arg_string(a, "--table");
    struct fix *fixes = NULL;
    size_t nfixes = 0;
    for (const struct option_use *u = NULL; (u = arg_next(a, "--fix", u));)
        *XAPPEND(&fixes, &nfixes) = fix_parse(u->value);
    long squeeze = arg_given(a, "--squeeze") ? arg_number(a, "--squeeze") : -1;
    struct libc_choice choice = libc_choice_of(a);
    struct trace t;
    char err[1024];
    if (!trace_read(trace_path, &t, err, sizeof err))
        die_input("%s", err);
    trace_keep_judged(&t); /* one process: the one that failed, or the last exec'd */
    struct replay_error e;
    if (!replay_check(&t, trace_path, &e))
        die_replay(&e);
    for (size_t i = 0; i < nfixes; i++) {
        if (fixes[i].name && !replay_has_object(&t, fixes[i].name))
            die_input("--fix: no object with TLS in %s has a file name starting \"%s\"",
                      trace_path, fixes[i].name);
    }
    if (table && !replay_has_object(&t, table))
        die_input("--table: no object with TLS in %s has a file name starting \"%s\"",
                  trace_path, table);
    struct libc_build build;
    libc_open_or_exit(a, &choice, &build);
    struct libc_build_list here = {0}; /* what --model and --table compare with */
    if (model_as || table)
        libc_build_list_here(false, false, &here);
    if (model_as) {
        struct replay_model_basis basis;
        replay_model_basis(model_as, build.machine, &here, &basis);
        render_replay_model(model_as, &basis);
    }
    struct replay r = {&build, &a->settings, &t, trace_path, squeeze, 0, fixes, nfixes};
    int code;
    if (table) {
        render_replay_table_header();
        code = replay_table(&r, table, &here, &render_replay_table_rows, &e);
    } else {
        if (squeeze >= 0 && !replay_fresh_free(&build, &a->settings, model_as, &r.squeeze_free, &e))
            die_replay(&e);
        char summary[512];
        code = replay_run(&r, model_as, true, summary, sizeof summary, emit, &e);
        if (code >= 0)
            render_replay_outcome(summary);
    }
    if (code < 0)
        die_replay(&e);
    if (code == EXIT_SKIP && strict_mode(a)) /* the outcome above says why */
        code = skip_exit_code(a, build.name, "the replay could not be judged on this build",
                              false);
    libc_build_list_free(&here);
    for (size_t i = 0; i < nfixes; i++)
        fix_free(&fixes[i]);
    free(fixes);
    trace_free(&t);
    libc_build_free(&build);
    return code;
}
