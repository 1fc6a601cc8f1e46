#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseout.h"
#include "caseset.h"
#include "cli.h"
#include "commands.h"
#include "json.h"
#include "die.h"
#include "xalloc.h"

int cmd_run(int argc, char **argv)
{
    bool as_json = false, verbose = false;
    struct case_vars vars = {0};
    struct case_set s = {.vars = &vars};
    struct libc_choice choice = {0};
    char **cases = NULL;
    size_t ncases = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--define") == 0 && i + 1 < argc)
            case_vars_define(&vars, argv[++i]);
        else if (libc_option(argc, argv, &i, &choice))
            continue;
        else if (strncmp(argv[i], "--", 2) == 0)
            die_input("run: unknown option \"%s\"", argv[i]);
        else
            *XAPPEND(&cases, &ncases) = argv[i];
    }
    if (!ncases)
        die_input("run: name at least one case file");
    struct libc_build build;
    libc_open_or_exit(&choice, &build);
    s.allow_missing = choice.allow_missing;
    for (size_t i = 0; i < ncases; i++)
        case_set_run_file(&s, &build, cases[i], verbose, as_json);
    free(cases);
    if (as_json) {
        struct json j;
        json_init(&j, stdout, build.root);
        json_object(&j);
        const struct case_result *first = s.n && s.results[0].have_budget ? &s.results[0] : NULL;
        if (first) /* the libc every case ran on, as its first budget probe read it */
            json_document(&j, first->budget.libc_name, first->budget.libc_version,
                          first->budget.machine);
        json_kv_string(&j, "libc_build", build.name);
        json_kv_int(&j, "passed", s.passed);
        json_kv_int(&j, "failed", s.failed);
        json_kv_int(&j, "skipped", s.skipped);
        json_kv_int(&j, "input_errors", s.input_errors + s.missing);
        json_key(&j, "cases");
        json_array(&j);
        for (size_t i = 0; i < s.n; i++)
            case_result_json(&j, &s.results[i]);
        json_end(&j);
        json_end(&j);
    } else if (s.n + s.input_errors > 1 || s.missing) {
        case_set_print_totals(&s);
    }
    int code = case_set_exit_code(&s);
    case_set_free(&s);
    case_vars_free(&vars);
    libc_build_free(&build);
    return code;
}
