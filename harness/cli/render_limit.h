/* `limit`'s answer as text and as JSON: the largest block measured, the
   model's prediction, and the --min threshold when asked (min >= 0). */
#ifndef STATICTLS_RENDER_LIMIT_H
#define STATICTLS_RENDER_LIMIT_H

#include "limit.h"

void render_limit(const struct limit_query *q, const struct limit_result *l, long min);
void render_limit_json(const struct limit_query *q, const struct limit_result *l,
                       const char *sysroot, long min);

#endif
