/* What a census concludes: whether every static-TLS object it found,
   dlopen'ed into a fresh process, fits the free static TLS of each libc
   build here, or of one platform (a wheel policy).  The free bytes are
   measured by `limit` where such a build runs here, else modelled and
   labelled; the demand, padding included, is placed by the model. */
#ifndef STATICTLS_CENSUS_VERDICT_H
#define STATICTLS_CENSUS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "libcbuild.h"
#include "policy.h"

struct census_verdict {
    char *platform;
    bool known;          /* free bytes known: measured or modelled */
    char error[256];
    uint64_t free_bytes;
    bool free_measured;  /* else modelled */
    char *assumed;       /* what modelling the free bytes assumed, or NULL */
    bool modelled;       /* the demand: the model knows this libc */
    size_t demand;
    size_t already;      /* static-TLS objects already in the initial block */
    const char *misaligned; /* an object aligned above the static alignment */
    const char *too_large;  /* an object larger than any static TLS area */
    bool musl;           /* musl's rule: no dlopen'ed initial-exec TLS at all */
    size_t refused;      /* musl: the objects it refuses */
    bool fits;
};

/* The census's objects with TLS: those that need static TLS first (the
   first *nstatic), then by block size, largest first; *ntls in all. */
const struct census_object **census_tls_objects(const struct census *c, size_t *ntls,
                                                size_t *nstatic);

/* The machine the objects are for: that of the first static-TLS object,
   else the first build's (the host's). */
const char *census_machine(const struct census_object *const *statics, size_t nstatic,
                           const struct libc_build_list *builds);

/* The verdicts on the static-TLS objects (statics, nstatic), keeping
   min_headroom bytes free for others: for the policy p, or (p NULL) for
   each build of machine among builds, measured as the settings say.  Objects load only into a process of
   their own machine; where no build of it is here, one verdict says so.
   *n verdicts, at least one. */
struct census_verdict *census_judge(const struct census_object *const *statics, size_t nstatic,
                                    const struct policy *p, const char *machine,
                                    const struct libc_build_list *builds, long min_headroom,
                                    const struct settings *s, size_t *n);
/* Every verdict fits, or could not be reached here (it says so). */
bool census_fits(const struct census_verdict *v, size_t n);
void census_verdicts_free(struct census_verdict *v, size_t n);

#endif
