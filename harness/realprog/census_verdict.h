/* What a census concludes: whether every static-TLS object it found,
   dlopen'ed into a fresh process of its own machine, fits the free static
   TLS of each libc build of that machine here, or of one platform (a
   wheel policy).  The free bytes are measured by `limit` where such a
   build runs here, else modelled and labelled; the demand, padding
   included, is placed by the model.  An object no build here can judge
   (its machine has none) is said to be not judged, never to fit. */
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
    /* An object whose PT_TLS no loader could place (elf_tls.tls_problem):
       a process that dlopens it may die, so it never fits, measured or not. */
    const char *unplaceable;
    /* An object the process maps that needs a glibc symbol version the
       release lacks (GLIBC_2.34 on 2.17): ld.so refuses it, so it never
       fits.  The object as shown, the version, the file it is needed of,
       and the release held to; too_new NULL where none. */
    const char *too_new, *too_new_version, *too_new_of;
    char release[16];
    bool musl;           /* musl's rule: no dlopen'ed initial-exec TLS at all */
    size_t refused;      /* musl: the objects it refuses */
    bool judged;         /* known, or decided without the free bytes */
    bool fits;
};

/* The census's objects with TLS: those that need static TLS first (the
   first *nstatic), then by block size, largest first; *ntls in all. */
const struct census_object **census_tls_objects(const struct census *c, size_t *ntls,
                                                size_t *nstatic);

/* The objects one process of one machine would load: those of its
   e_machine that need static TLS (the first nstatic of objects), then
   those whose PT_TLS no loader could place. */
struct census_group {
    int e_machine;
    char *machine; /* "x86_64", "armhf", ... as the builds name them; else a name for it */
    const struct census_object **objects;
    size_t nobjects, nstatic;
    struct census_verdict *verdicts;
    size_t nverdicts;
};

/* The groups of the census's TLS objects (tls, ntls, the first nstatic
   needing static TLS), one per machine in order of their largest object;
   with no object to judge, one empty group of the host's machine (the
   first build's). */
struct census_group *census_groups(const struct census_object *const *tls, size_t ntls,
                                   size_t nstatic, const struct libc_build_list *builds,
                                   size_t *ngroups);

/* The group's verdicts, keeping min_headroom bytes free for others: for
   the policy p, or (p NULL) for each build of its machine among builds,
   measured as the settings say.  Where no build of the machine is here,
   one verdict says so (not judged).  Every object of c of the group's
   machine that a process maps, TLS or not, has its glibc symbol-version
   needs held to the verdict's release (the system's own libraries aside:
   census_object.system). */
void census_judge(struct census_group *g, const struct census *c, const struct policy *p,
                  const struct libc_build_list *builds, long min_headroom,
                  const struct settings *s);

/* Whether a verdict of the group judged its objects (a group with none
   to judge needs none). */
bool census_group_judged(const struct census_group *g);

enum census_outcome {
    CENSUS_FITS,        /* every verdict judged fits, and every group has one */
    CENSUS_DOES_NOT_FIT, /* a verdict judged it does not fit */
    CENSUS_NOT_JUDGED,  /* none does not fit, but a group with objects has no verdict judged,
                           or a wheel's member was not read (census.h's unjudged) */
};
/* What the groups' verdicts add up to, with unjudged members pip installs
   that were not read.  Within a group, a build that cannot run here says
   so and does not change the outcome, as long as another judged the
   objects. */
enum census_outcome census_outcome(const struct census_group *g, size_t ngroups,
                                   size_t unjudged);
/* "fits", "does not fit", "not judged". */
const char *census_outcome_name(enum census_outcome o);

void census_groups_free(struct census_group *g, size_t ngroups);

#endif
