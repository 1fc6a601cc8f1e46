/* statictls run: case files, each run on the chosen libc build and held to
   its expectation. */
#include <stdio.h>

#include "caseout.h"
#include "caseset.h"
#include "cli.h"
#include "commands.h"
#include "render_run.h"
#include "usage.h"
#include "die.h"

int cmd_run(const struct args *a)
{
    bool as_json = arg_given(a, "--json");
    if (as_json && arg_given(a, "--ctest-measurements"))
        usage_error(a->command, "--ctest-measurements or --json, not both");
    struct case_vars vars;
    case_vars_of(a, &vars);
    struct libc_choice choice = libc_choice_of(a);
    struct libc_build build;
    libc_open_or_exit(a, &choice, &build);
    struct case_set s = {.vars = &vars, .allow_missing = choice.allow_missing,
                         .settings = &a->settings};
    /* With measurements the results are printed after them (render_measure.h). */
    bool measurements = arg_given(a, "--ctest-measurements"), verbose = arg_given(a, "--verbose");
    for (size_t i = 0; i < a->noperands; i++)
        case_set_run_file(&s, &build, a->operands[i], verbose, as_json || measurements);
    if (as_json)
        render_run_json(&s, &build);
    else if (s.n + s.input_errors > 1 || s.missing)
        case_set_print_totals(&s);
    if (measurements) {
        render_run_measurements(&s);
        for (size_t i = 0; i < s.n; i++)
            case_result_print(stdout, &s.results[i], verbose);
    }
    int code = case_set_exit(a, &s, &build, false);
    case_set_free(&s);
    case_vars_free(&vars);
    libc_build_free(&build);
    return code;
}
