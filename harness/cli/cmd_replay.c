/* statictls replay: a trace of a real command (statictls trace) becomes a
   case: one fixture per object with TLS, same size, alignment and access
   model, loaded in the same order with the same threads running.  That case
   is the minimal, shareable reproducer; it runs on any glibc build here, or
   through the model alone for releases that cannot run (--model glibc-2.17),
   with and without each fix. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model.h"
#include "commands.h"
#include "replay.h"
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

/* One row per libc (2.17 modelled, then every build here), one column per
   fix of NAME: the table docs/guide-imports.md shows.  -1 with err where a replay
   cannot be made. */
static int print_table(struct replay *r, const char *name, struct replay_error *err)
{
    char *raise = xstrdup("optional_static_tls=4096");
    struct fix columns[] = {{.kind = FIX_PRELOAD},
                            {.kind = FIX_PRELOAD, .name = (char *)name},
                            {.kind = FIX_FIRST, .name = (char *)name},
                            {.kind = FIX_TUNABLE, .tunable = raise},
                            {.kind = FIX_REBUILD, .name = (char *)name, .rebuilt_as = TLS_DESC}};
    const char *titles[] = {"as is", "LD_PRELOAD", "loaded first", "optional_static_tls=4096",
                            "rebuilt with TLS descriptors"};
    /* Where no 2.17 runs here, the first row models it (its own startup
       layout); otherwise every row is measured. */
    struct libc_build_list builds;
    libc_build_list_here(false, false, &builds);
    bool have_217 = false;
    for (size_t k = 0; k < builds.n; k++)
        have_217 |= strcmp(builds.items[k].name, "tree-glibc-2.17") == 0;
    printf("| glibc |");
    for (size_t c = 0; c < 5; c++)
        printf(" %s |", titles[c]);
    printf("\n|---|---|---|---|---|---|\n");
    long wanted_headroom = r->squeeze;
    int worst = EXIT_PASS;
    for (size_t k = have_217; k <= builds.n && worst >= 0; k++) {
        const char *model_as = k == 0 ? "2.17" : NULL;
        struct replay row = *r;
        if (k > 0)
            row.build = &builds.items[k - 1];
        row.squeeze = wanted_headroom;
        if (row.squeeze >= 0 &&
            !replay_fresh_free(row.build, row.settings, model_as, &row.squeeze_free, err)) {
            worst = -1;
            break;
        }
        const char *name = k ? strstr(row.build->name, "glibc-") + strlen("glibc-") : "2.17";
        printf("| %s%s |", name, !k ? " (modelled)" : row.build->tree ? " (upstream tree)" : "");
        for (size_t c = 0; c < 5; c++) {
            row.fixes = c ? &columns[c] : NULL;
            row.nfixes = c ? 1 : 0;
            char cell[512];
            int code = replay_run(&row, model_as, false, cell, sizeof cell, NULL, err);
            if (code < 0) {
                worst = -1;
                break;
            }
            if (code != EXIT_PASS && code > worst)
                worst = code;
            printf(" %s |", cell);
            fflush(stdout);
        }
        if (worst >= 0)
            printf("\n");
    }
    libc_build_list_free(&builds);
    free(raise);
    return worst;
}

/* What --model glibc-VERSION stands on: that release's own startup layout
   where the model knows it, else this machine's; and a build of that
   release here, which measures instead of modelling. */
static void say_model(const char *version, const char *machine)
{
    struct glibc_rules rules;
    char why[256];
    if (glibc_rules_for(version, machine, false, &rules, why, sizeof why) && rules.libc_tls_size)
        printf("model: glibc %s's rules and startup layout (libc's TLS block %zu bytes, measured "
               "on an upstream build)\n", version, rules.libc_tls_size);
    else
        printf("model: glibc %s's rules on this machine's startup layout (its own is not "
               "known to the model)\n", version);
    struct libc_build_list builds;
    libc_build_list_here(false, false, &builds);
    for (size_t i = 0; i < builds.n; i++) {
        const struct libc_build *b = &builds.items[i];
        const char *v = strstr(b->name, "glibc-"); /* "glibc-2.31", "tree-glibc-2.17" */
        if (!v || strcmp(v + 6, version) != 0)
            continue;
        fprintf(stderr, "statictls: replay: glibc %s runs here: `replay %s%s` measures it; "
                        "--model only models it\n", version,
                b->tree ? "--libc-tree " : "--glibc ", b->tree ? b->tree : version);
        break;
    }
    libc_build_list_free(&builds);
}

/* --model glibc-VERSION: VERSION, or NULL when not asked. */
static const char *model_release(const struct args *a)
{
    const char *model = arg_string(a, "--model");
    if (model && strncmp(model, "glibc-", 6) != 0)
        usage_error(a->command, "--model: expected glibc-VERSION (glibc-2.17, say), got \"%s\"",
                    model);
    return model ? model + 6 : NULL;
}

int cmd_replay(const struct args *a)
{
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
    struct replay_error e;
    if (!replay_check(&t, trace_path, &e))
        die_replay(&e);
    for (size_t i = 0; i < nfixes; i++) {
        if (fixes[i].name && !replay_has_object(&t, fixes[i].name))
            die_input("--fix: no object with TLS in %s has a file name starting \"%s\"",
                      trace_path, fixes[i].name);
    }
    struct libc_build build;
    libc_open_or_exit(&choice, &build);
    if (model_as)
        say_model(model_as, build.machine);
    struct replay r = {&build, &a->settings, &t, trace_path, squeeze, 0, fixes, nfixes};
    int code;
    if (table) {
        code = print_table(&r, table, &e);
    } else {
        if (squeeze >= 0 && !replay_fresh_free(&build, &a->settings, model_as, &r.squeeze_free, &e))
            die_replay(&e);
        char summary[512];
        code = replay_run(&r, model_as, true, summary, sizeof summary, emit, &e);
        if (code >= 0)
            printf("outcome: %s\n", summary);
    }
    if (code < 0)
        die_replay(&e);
    for (size_t i = 0; i < nfixes; i++)
        fix_free(&fixes[i]);
    free(fixes);
    trace_free(&t);
    libc_build_free(&build);
    return code;
}
