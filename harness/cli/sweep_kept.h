/* The sweeps of builds not swept in this run, read back from the
   results directory (DIR/<platform>/sweep.json, as an earlier `sweep
   --results` wrote them): the summary keeps their rows, with what that run
   measured, and says which figures it did not have. */
#ifndef STATICTLS_SWEEP_KEPT_H
#define STATICTLS_SWEEP_KEPT_H

#include <stddef.h>

#include "sweep.h"

/* The kept sweeps, sorted by platform; *n of them (freed with
   libc_sweep_free each, then free).  A sweep.json that cannot be read is
   left out, said on stderr. */
struct libc_sweep *sweep_read_kept(const char *results_dir, const struct libc_sweep *swept,
                                   size_t nswept, size_t *n);

#endif
