/* statictls census: every ELF object with TLS under the given files,
   directories, wheels and environments, with their DT_NEEDED closure, what
   static TLS each needs, and whether all of them together fit the free
   static TLS of each libc build here, or of one platform (--policy).
   Exit 1 when they do not fit, 5 when some could not be judged here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "census_verdict.h"
#include "commands.h"
#include "libcbuild.h"
#include "policy.h"
#include "render_census.h"
#include "usage.h"
#include "visible.h"
#include "die.h"

/* Every path into c; false when one is not there (each is named). */
static bool add_paths(struct census *c, const struct args *a)
{
    bool ok = true; /* every bad path is named, then the census stops */
    for (size_t i = 0; i < a->noperands; i++) {
        char why[1024];
        if (!census_add(c, a->operands[i], why, sizeof why)) {
            char *shown = visible(why); /* it quotes the user's path */
            fprintf(stderr, "statictls: census: %s\n", shown);
            free(shown);
            ok = false;
        }
    }
    return ok;
}

int cmd_census(const struct args *a)
{
    const char *policy_name = arg_string(a, "--policy");
    struct policy policy;
    if (policy_name && !policy_parse(policy_name, &policy))
        usage_error(a->command, "--policy: expected manylinux2014, manylinux_X_Y, musllinux_1_2 "
                                "or glibc-X.Y, got \"%s\"", policy_name);
    struct census c;
    census_init(&c, &a->settings);
    c.member_read_max = (uint64_t)arg_number(a, "--max-member-read");
    c.search_path_max = (size_t)arg_number(a, "--max-search-path");
    if (!add_paths(&c, a)) { /* stop before the probes: nothing is measured yet */
        census_free(&c);
        return EXIT_USAGE;
    }
    /* The closure, resolved where the host's ld.so looks by default. */
    struct libc_build_list builds;
    libc_build_list_here(true, false, &builds);
    census_close_over(&c, builds.items[0].lib_dirs);

    struct census_view v = {.census = &c, .policy = policy_name,
                            .min_headroom = arg_number(a, "--min-headroom")};
    const struct census_object **tls = census_tls_objects(&c, &v.ntls, &v.nstatic);
    v.tls = tls;
    /* Each machine's objects in a process of their own: an aarch64 object
       never adds to an x86_64 process's demand. */
    struct census_group *groups = census_groups(tls, v.ntls, v.nstatic, &builds, &v.ngroups);
    for (size_t k = 0; k < v.ngroups; k++)
        census_judge(&groups[k], &c, policy_name ? &policy : NULL, &builds, v.min_headroom,
                     &a->settings);
    v.groups = groups;
    v.outcome = census_outcome(groups, v.ngroups, c.unjudged);
    if (arg_given(a, "--json"))
        render_census_json(&v);
    else
        render_census(&v);

    census_groups_free(groups, v.ngroups);
    free((void *)tls);
    libc_build_list_free(&builds);
    census_free(&c);
    return v.outcome == CENSUS_FITS         ? EXIT_PASS
           : v.outcome == CENSUS_NOT_JUDGED ? EXIT_NOT_JUDGED
                                            : EXIT_TRIPPED;
}
