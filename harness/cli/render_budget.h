/* A budget as text and as JSON: read, modelled and (with l) measured figures. */
#ifndef STATICTLS_RENDER_BUDGET_H
#define STATICTLS_RENDER_BUDGET_H

#include "budget.h"
#include "json.h"
#include "limit.h"

void render_budget(const struct budget *b, const struct limit_result *l);
/* The budget as the value of a JSON key; l may be NULL: then "measured" is
   null. */
void render_budget_json(struct json *j, const struct budget *b, const struct limit_result *l);

/* `budget --json`: the document of l's budget on stdout, its paths under
   sysroot written as <sysroot>. */
void render_budget_document(const struct limit_result *l, const char *sysroot);

#endif
