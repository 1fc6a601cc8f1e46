/* The startup figures of a fresh process: how large an initial-exec block
   a library loaded at startup may have, and how much
   glibc.rtld.optional_static_tls it needs.  The library is preloaded
   (LD_PRELOAD): at startup ld.so places a preload and a DT_NEEDED library
   alike (elf/rtld.c dl_main maps both after init_tls when auditing, and
   _dl_relocate_object gives each its static TLS).  Without an auditor the
   initial layout holds every startup block, so there is no limit; with one,
   the blocks come out of the surplus and too large a one stops ld.so
   ("cannot allocate memory in static TLS block").  Each figure is measured
   by probes that start or are refused (N starts, N+1 does not; for the
   tunable N starts, N-1 does not), beside the model's. */
#ifndef STATICTLS_STARTUP_H
#define STATICTLS_STARTUP_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "fixture.h"
#include "runenv.h"

/* The size that stands for "no limit": a preload this large starts. */
#define STARTUP_UNBOUNDED_PROBE (1024 * 1024)

struct startup_figure {
    bool unbounded;   /* no limit: a STARTUP_UNBOUNDED_PROBE-byte block started */
    uint64_t value;   /* the largest block that starts, or the smallest tunable */
    bool predicted_known, predicted_unbounded;
    uint64_t predicted;
    bool prediction_hit; /* the two probes at the model's figure proved it */
    char *error_at_edge; /* ld.so's refusal one past the figure (block + 1, tunable - 1) */
    enum load_kind kind_at_edge;
    unsigned probes;
};

/* The largest 1-aligned IE block preloaded into a probe of env (its
   LD_AUDIT and GLIBC_TUNABLES as set) with which the probe still starts.
   False with err where nothing could be measured (a probe that failed for
   another reason). */
bool startup_max_preload(const struct run_env *env, struct fixture_kit *kit,
                         struct startup_figure *out, char *err, size_t errlen);
/* The smallest glibc.rtld.optional_static_tls with which a probe of env
   starts with a preloaded 1-aligned IE block of size bytes. */
bool startup_min_optional(const struct run_env *env, struct fixture_kit *kit, uint64_t size,
                          struct startup_figure *out, char *err, size_t errlen);
/* Measured, and the model predicted the same. */
bool startup_figure_agrees(const struct startup_figure *f);
void startup_figure_free(struct startup_figure *f);

#endif
