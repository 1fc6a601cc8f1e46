/* The sweep as text, as JSON, and as the files of a results directory:
   each build's sweep.{json,md}, the summary README.md and the plot's data. */
#ifndef STATICTLS_RENDER_SWEEP_H
#define STATICTLS_RENDER_SWEEP_H

#include <stddef.h>

#include "sweep.h"

/* One build's table, as the sweep goes. */
void render_sweep(const struct libc_sweep *g);
/* Every build's sweep as one JSON document on stdout. */
void render_sweeps_json(const struct libc_sweep *g, size_t n);
/* DIR/<platform>/sweep.{json,md}, published as one unit. */
void render_sweep_files(const char *results_dir, const struct libc_sweep *g);
/* DIR/README.md and DIR/max-ie-vs-optional.tsv of every build. */
void render_sweep_summary(const char *results_dir, const struct libc_sweep *g, size_t n);

#endif
