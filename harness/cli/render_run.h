/* `run --json`: every case's result as one document. */
#ifndef STATICTLS_RENDER_RUN_H
#define STATICTLS_RENDER_RUN_H

#include "caseset.h"
#include "libcbuild.h"

void render_run_json(const struct case_set *s, const struct libc_build *build);
/* The headroom each case with `expect headroom` measured, as CTest
   measurements (render_measure.h): named by the case file where there are
   several. */
void render_run_measurements(const struct case_set *s);

#endif
