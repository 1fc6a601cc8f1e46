/* A case's result as the commands show it: text for people, JSON for
   tools, both from what the run recorded and the verdict it was given. */
#ifndef STATICTLS_CASEOUT_H
#define STATICTLS_CASEOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "caserun.h"
#include "json.h"

void case_result_print(FILE *out, const struct case_result *r, bool verbose);
void case_result_json(struct json *j, const struct case_result *r);
/* "cases": every result, in order. */
void case_results_json(struct json *j, const struct case_result *r, size_t n);
/* The case's name: its file name without directory and ".case". */
char *case_name(const char *path);

#endif
