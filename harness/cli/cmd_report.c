/* statictls report: the main job.  The budget, the largest block of each
   TLS model and alignment, and every case, measured beside modelled, then
   written to results/<platform>/ as README.md and results.json. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caseset.h"
#include "cli.h"
#include "commands.h"
#include "limit.h"
#include "render_publish.h"
#include "render_report.h"
#include "usage.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.case files of dir, sorted. */
static char **list_cases(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        die_input("%s: cannot open the cases directory: %s", dir, strerror(errno));
    char **names = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".case") == 0)
            *XAPPEND(&names, n) = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, compare_names);
    return names;
}

/* Before the cases run: a results/<platform> that publishing would refuse
   (a symbolic link, or a directory holding what statictls did not write)
   is exit 2 now, not after every case. */
static void check_results_dir(const char *results_dir, const char *platform)
{
    char *dir = xasprintf("%s/%s", results_dir, platform), err[PATH_MAX + 512];
    if (!results_dir_check(dir, platform_results_files, err, sizeof err))
        die_input("report: results cannot be written: %s", err);
    free(dir);
}

/* The largest block of each row's model and alignment, each printed as it
   is measured. */
static void measure_limits(struct session *ses, struct limit_row *rows, size_t nrows)
{
    render_report_limits_header();
    for (size_t i = 0; i < nrows; i++) {
        struct limit_query q = {.env = &ses->env, .kit = &ses->kit, .model = rows[i].model,
                                .align = rows[i].align};
        char err[1024];
        if (!limit_measure(&q, &rows[i].result, err, sizeof err))
            die("report: limit: %s", err);
        render_report_limit(&rows[i]);
    }
}

/* Every case of dir, each printed as it runs. */
static void run_cases(const struct libc_build *b, const char *dir, struct case_set *s)
{
    size_t ncases;
    char **cases = list_cases(dir, &ncases);
    render_report_cases_header();
    for (size_t i = 0; i < ncases; i++) {
        size_t before = s->n;
        case_set_run_file(s, b, cases[i], false, true);
        free(cases[i]);
        if (s->n > before)
            render_report_case(&s->results[s->n - 1]);
    }
    free(cases);
    case_set_print_totals(s);
}

int cmd_report(const struct args *a)
{
    output_path_check(a, "--results", true);
    struct stat st; /* before anything is measured */
    const char *cases = arg_string(a, "--cases");
    if (cases && (stat(cases, &st) != 0 || !S_ISDIR(st.st_mode)))
        usage_error(a->command, "--cases %s: not a directory", cases);
    struct case_vars vars;
    case_vars_of(a, &vars);
    struct libc_choice choice = libc_choice_of(a);
    struct session ses; /* a clean environment: results must not depend on the caller */
    session_open(&ses, a, &choice, false);
    struct limit_row rows[] = {{TLS_IE, 1, {0}},  {TLS_IE, 16, {0}},
                               {TLS_IE, 64, {0}}, {TLS_IE, 128, {0}},
                               {TLS_DESC, 1, {0}}, {TLS_GD, 1, {0}}};
    size_t nrows = sizeof rows / sizeof rows[0];
    measure_limits(&ses, rows, nrows);
    const struct budget *b = &rows[0].result.budget;
    char *platform = libc_build_platform(&ses.build, b->libc_name, b->libc_version, b->machine);
    check_results_dir(arg_string(a, "--results"), platform);
    /* By default the cases installed or built with this statictls. */
    char *cases_dir = arg_given(a, "--cases") ? xstrdup(arg_string(a, "--cases"))
                                              : xasprintf("%s/cases", data_dir());
    struct case_set s = {.vars = &vars, .allow_missing = choice.allow_missing,
                         .settings = &a->settings};
    run_cases(&ses.build, cases_dir, &s);

    struct report rep = {&ses.build, platform, b, rows, nrows, &s};
    /* where the user is, never statictls's own tree */
    render_report_files(arg_string(a, "--results"), &rep);

    int code = case_set_exit(a, &s, &ses.build, true);
    for (size_t i = 0; i < nrows; i++)
        limit_result_free(&rows[i].result);
    free(platform);
    free(cases_dir);
    case_set_free(&s);
    case_vars_free(&vars);
    session_close(&ses);
    return code;
}
