#include "shrink.h"

#include <stdlib.h>

#include "casewrite.h"
#include "xalloc.h"

/* What the shrinker keeps: the libc a case is about and what it expects. */
static bool stays(enum case_line_kind k)
{
    return k == CASE_LINE_LIBC || k == CASE_LINE_EXPECT;
}

/* The first line of best that can go: its text, parsed into smaller;
   NULL when none can. */
static char *drop_one_line(const char *path, const struct case_def *best, case_still_fails *fails,
                           void *ctx, struct case_def *smaller)
{
    size_t n;
    struct case_line *lines = case_lines(best, &n);
    char *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        char err[1024];
        char *trial = stays(lines[i].kind) ? NULL : case_write_without(best, i, err, sizeof err);
        if (!trial || !case_parse(path, trial, smaller, err, sizeof err)) {
            free(trial);
            continue;
        }
        if (fails(smaller, ctx)) {
            found = trial;
        } else {
            case_free(smaller);
            free(trial);
        }
    }
    free(lines);
    return found;
}

char *case_shrink(const char *path, const char *text, case_still_fails *fails, void *ctx)
{
    char *best = xstrdup(text), err[1024];
    struct case_def def;
    if (!case_parse(path, text, &def, err, sizeof err))
        return best;
    for (;;) {
        struct case_def smaller;
        char *trial = drop_one_line(path, &def, fails, ctx, &smaller);
        if (!trial)
            break;
        free(best);
        best = trial;
        case_free(&def);
        def = smaller;
    }
    case_free(&def);
    return best;
}
