/* statictls census: every ELF object with TLS under the given files,
   directories, wheels and environments, with their DT_NEEDED closure, what
   static TLS each needs, and whether all of them together fit the free
   static TLS of each libc build here, or of one platform (--policy).
   Exit 1 when they do not fit. */
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
#include "die.h"

/* Every path into c; false when one is not there (each is named). */
static bool add_paths(struct census *c, const struct args *a)
{
    bool ok = true; /* every bad path is named, then the census stops */
    for (size_t i = 0; i < a->noperands; i++) {
        char why[1024];
        if (!census_add(c, a->operands[i], why, sizeof why)) {
            fprintf(stderr, "statictls: census: %s\n", why);
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
    v.machine = census_machine(tls, v.nstatic, &builds);
    struct census_verdict *verdicts =
        census_judge(tls, v.nstatic, policy_name ? &policy : NULL, v.machine, &builds,
                     v.min_headroom, &a->settings, &v.nverdicts);
    v.verdicts = verdicts;
    if (arg_given(a, "--json"))
        render_census_json(&v);
    else
        render_census(&v);

    bool fits = census_fits(verdicts, v.nverdicts);
    census_verdicts_free(verdicts, v.nverdicts);
    free((void *)tls);
    libc_build_list_free(&builds);
    census_free(&c);
    return fits ? EXIT_PASS : EXIT_TRIPPED;
}
