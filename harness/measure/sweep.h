/* The sweep of one libc build: the largest initial-exec block of a fresh
   process across alignments, tunables, audit modules and threads, each
   cell measured (limit: predict, then prove with N and N+1) beside the
   model's prediction. */
#ifndef STATICTLS_SWEEP_H
#define STATICTLS_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "libcbuild.h"
#include "limit.h"
#include "startup.h"

struct sweep_config {
    const char *group, *value;
    const char *tunables; /* GLIBC_TUNABLES, or NULL */
    int naudit;           /* LD_AUDIT modules */
    long threads;         /* running before the load */
    uint64_t align;
};

/* Every sweep's configurations, in this order; the optional_static_tls
   group is the plot's. */
enum { SWEEP_NCONFIGS = 16 };
extern const struct sweep_config sweep_configs[SWEEP_NCONFIGS];

struct sweep_cell {
    bool measured;
    char error[512]; /* why nothing was measured */
    struct limit_result r;
};

/* The startup figures of every sweep (startup.h), in this order: the
   largest preloaded IE block under 0, 1 and 2 audit modules, and the
   smallest optional_static_tls for a preloaded block of `size` bytes. */
struct sweep_startup_config {
    const char *name;
    int naudit;
    uint64_t size; /* 0: the largest block; else the tunable for this block */
};
enum { SWEEP_NSTARTUP = 4 };
extern const struct sweep_startup_config sweep_startup_configs[SWEEP_NSTARTUP];

struct sweep_startup_cell {
    bool measured;
    bool inapplicable; /* the build has no such figure (no tunable): error says why */
    char error[512];   /* why nothing was measured */
    struct startup_figure f;
};

struct libc_sweep {
    const char *root; /* the build's: its paths are written as <sysroot> */
    char *platform, *describe;
    char *label;          /* "glibc 2.36 x86_64", "musl 1.2.3 x86_64" */
    char *tunables_known; /* space-separated glibc.rtld.* names */
    const char *tunables_source;
    struct sweep_cell cells[SWEEP_NCONFIGS];
    struct sweep_startup_cell startup[SWEEP_NSTARTUP];
    unsigned disagreements, errors;
    double seconds; /* -1: not known (a kept sweep whose file has no time) */
    bool kept;      /* read back from an earlier run's results, not swept now */
};

/* Measures every configuration on build b into g. */
void sweep_build(const struct libc_build *b, const struct settings *s, struct libc_sweep *g);
void libc_sweep_free(struct libc_sweep *g);

/* Measured, and the model predicted the same. */
bool sweep_cell_agrees(const struct sweep_cell *c);
bool sweep_startup_agrees(const struct sweep_startup_cell *c);

#endif
