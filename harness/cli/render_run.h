/* `run --json`: every case's result as one document. */
#ifndef STATICTLS_RENDER_RUN_H
#define STATICTLS_RENDER_RUN_H

#include "caseset.h"
#include "libcbuild.h"

void render_run_json(const struct case_set *s, const struct libc_build *build);

#endif
