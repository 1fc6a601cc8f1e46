/* A failing case made smaller: its lines go one at a time, in the order
   case_write writes them (a repeat goes with its end, leaving its body
   once), as long as what is left parses and still fails the same way; the
   libc line and the expectation stay.  statictls fuzz shrinks each case
   that disagrees with the model so. */
#ifndef STATICTLS_SHRINK_H
#define STATICTLS_SHRINK_H

#include <stdbool.h>

#include "caseparse.h"

/* Whether a smaller case c still fails the way the one being shrunk does. */
typedef bool case_still_fails(const struct case_def *c, void *ctx);

/* The smallest case text found from text (parsed as path), until no line
   can go; text itself when it does not parse.  The caller frees it. */
char *case_shrink(const char *path, const char *text, case_still_fails *fails, void *ctx);

#endif
