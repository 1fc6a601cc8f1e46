#include "caseset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseout.h"
#include "die.h"
#include "visible.h"
#include "xalloc.h"
#include "xfile.h"

void case_set_run_file(struct case_set *s, const struct libc_build *b, const char *path,
                       bool verbose, bool quiet)
{
    size_t len;
    char *text = read_file_max(path, CASE_MAX_BYTES, &len);
    char err[1024];
    struct case_def def;
    /* The path, the parser's message and the reason quote a case file, a
       ${VAR} value or the command line: printed visible, one line each. */
    if (!text) {
        char *shown = visible(path);
        fprintf(stderr, "%s: cannot read: %s\n", shown,
                errno == EFBIG ? "larger than any case (1 MiB)" : strerror(errno));
        free(shown);
        s->input_errors++;
        return;
    }
    bool ok = case_parse_with(path, text, s->vars, &def, err, sizeof err);
    free(text);
    if (!ok) {
        char *shown = visible(err);
        fprintf(stderr, "%s\n", shown);
        free(shown);
        s->input_errors++;
        return;
    }
    s->defs = xrealloc(s->defs, (s->n + 1) * sizeof *s->defs);
    s->results = xrealloc(s->results, (s->n + 1) * sizeof *s->results);
    s->defs[s->n] = def;
    struct case_result *r = &s->results[s->n];
    case_run(&s->defs[s->n], b, s->settings, r);
    s->n++;
    /* defs moved by realloc: point every result at its definition again */
    for (size_t i = 0; i < s->n; i++)
        s->results[i].def = &s->defs[i];
    /* Measured and reported, and without allow_missing an error: its verdict
       says so, as the exit does (never SKIP beside an exit of 2). */
    bool missing = r->missing_library && !s->allow_missing;
    if (missing)
        r->verdict = VERDICT_ERROR;
    if (!quiet)
        case_result_print(stdout, r, verbose);
    if (missing) {
        char *shown = visible(path), *reason = visible(r->reason);
        fprintf(stderr, "%s:%d: %s (--allow-missing skips such a case)\n", shown,
                r->missing_line, reason);
        free(shown), free(reason);
        s->missing++;
        return;
    }
    s->failed += r->verdict == VERDICT_FAIL;
    s->input_errors += r->verdict == VERDICT_ERROR;
    s->skipped += r->verdict == VERDICT_SKIP;
    s->passed += r->verdict == VERDICT_PASS;
}

void case_set_free(struct case_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        case_result_free(&s->results[i]);
        case_free(&s->defs[i]);
    }
    free(s->results);
    free(s->defs);
}

int case_set_exit_code(const struct case_set *s)
{
    if (s->input_errors || s->missing)
        return EXIT_USAGE;
    if (s->failed)
        return EXIT_TRIPPED;
    if (s->n && s->skipped == s->n)
        return EXIT_SKIP;
    return EXIT_PASS;
}

void case_set_print_totals(const struct case_set *s)
{
    printf("%u passed, %u failed, %u skipped", s->passed, s->failed, s->skipped);
    if (s->input_errors)
        printf(", %u case files with input errors (above)", s->input_errors);
    if (s->missing)
        printf(", %u naming a library that is not here", s->missing);
    printf("\n");
}
