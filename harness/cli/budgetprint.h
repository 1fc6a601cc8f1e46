/* A budget as text and as JSON: read, modelled and (with l) measured figures. */
#ifndef STATICTLS_BUDGETPRINT_H
#define STATICTLS_BUDGETPRINT_H

#include "budget.h"
#include "json.h"
#include "limit.h"

void budget_print(const struct budget *b, const struct limit_result *l);
/* l may be NULL: then "measured" is null. */
void budget_json(struct json *j, const struct budget *b, const struct limit_result *l);

#endif
