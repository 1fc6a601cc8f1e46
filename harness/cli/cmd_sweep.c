/* statictls sweep: per libc build, the largest IE block across alignments,
   tunables, audit modules and threads, each cell measured beside the
   model's prediction (measure/sweep.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "render_sweep.h"
#include "sweep.h"
#include "die.h"
#include "xalloc.h"
#include "xpath.h"
#include "xproc.h"

/* The builds the libc rows named (each must be here), or every build here. */
static void choose_builds(const struct args *a, struct libc_build_list *out)
{
    size_t nchosen;
    struct libc_choice *chosen = libc_choices_of(a, &nchosen);
    if (!nchosen) {
        libc_build_list_here(false, true, out);
        if (!out->n) {
            fprintf(stderr, "statictls: sweep: no glibc sysroot is built here (%s); sweeping "
                            "the host libc only\n", fetch_glibc_script());
            libc_build_list_here(true, false, out);
        }
    } else {
        memset(out, 0, sizeof *out);
        for (size_t k = 0; k < nchosen; k++)
            libc_open_or_exit(a, &chosen[k], XAPPEND(&out->items, &out->n));
    }
    free(chosen);
}

int cmd_sweep(const struct args *a)
{
    bool as_json = arg_given(a, "--json");
    output_path_check(a, "--results", true);
    const char *results_dir = arg_string(a, "--results");
    struct libc_build_list builds;
    choose_builds(a, &builds);

    struct libc_sweep *sweeps = xcalloc(builds.n, sizeof *sweeps);
    unsigned bad = 0;
    double start = now_seconds();
    for (size_t k = 0; k < builds.n; k++) {
        sweep_build(&builds.items[k], &a->settings, &sweeps[k]);
        bad += sweeps[k].disagreements + sweeps[k].errors;
        if (!as_json)
            render_sweep(&sweeps[k]);
        if (results_dir) /* the pair as one unit, beside the report's pair */
            render_sweep_files(results_dir, &sweeps[k]);
    }
    if (as_json)
        render_sweeps_json(sweeps, builds.n);
    else
        printf("%zu libc builds x %d configurations in %.2f s; %u cells disagree with the "
               "model or were not measured\n",
               builds.n, SWEEP_NCONFIGS, now_seconds() - start, bad);
    if (results_dir) {
        render_sweep_summary(results_dir, sweeps, builds.n);
        if (!as_json)
            printf("results written to %s/\n", results_dir);
    }
    for (size_t k = 0; k < builds.n; k++)
        libc_sweep_free(&sweeps[k]);
    free(sweeps);
    libc_build_list_free(&builds);
    return bad ? EXIT_TRIPPED : EXIT_PASS;
}
