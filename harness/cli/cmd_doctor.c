/* statictls doctor: runs a command; if it fails on static TLS, says which
   rule tripped where and finds fixes, each verified on the command itself
   (rebuilds: by replay on fixtures, marked so); if it works, says how much
   headroom it has and what trips first as the process fills.
   Exit 0: works as is, or a verified fix was found; 1: none; 2: usage. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "doctor.h"
#include "doctor_print.h"
#include "headroom.h"
#include "runenv.h"
#include "tracerun.h"
#include "die.h"

/* It works: how much of the free static TLS it needs, measured. */
static int report_works(struct doctor *d, const struct squeeze_run *first, bool as_json)
{
    struct doctor_works w = {.free_bytes = first->free_bytes};
    w.predicted = headroom_predict_loaded(first->loaded, first->nloaded, d->squeezer.settings,
                                          &w.nblocks);
    headroom_measure(&d->squeezer, w.predicted, first->free_bytes, &w.headroom);
    doctor_print_works(d, &w, as_json);
    squeeze_run_free(&w.headroom.below);
    return EXIT_PASS;
}

/* It fails: trace it, diagnose, find fixes. */
static int report_failure(struct doctor *d, const struct squeeze_run *first, bool as_json)
{
    if (!first->message) {
        fprintf(stderr, "statictls: doctor: %s exits %d (expected %d) with no static TLS error "
                        "in its stderr: nothing here for doctor to fix\n",
                d->squeezer.command[0], first->exit_code, d->squeezer.expect_exit);
        return EXIT_TRIPPED;
    }
    char err[1024];
    if (!libc_build_find(NULL, &d->host, err, sizeof err))
        die("doctor: %s", err);
    struct run_env env;
    run_env_empty(&env, &d->host, d->squeezer.settings, PROBE_TIMEOUT_S);
    if (!budget_read(&env.probe, &d->budget, err, sizeof err))
        die("doctor: %s", err);
    run_env_free(&env);
    if (!d->budget.modelled) {
        fprintf(stderr, "statictls: doctor: %s: %s\n", first->message,
                d->budget.why_not_modelled);
        return EXIT_TRIPPED;
    }
    if (!trace_command(d->squeezer.command, d->squeezer.settings, false, &d->trace, err,
                       sizeof err))
        die_input("doctor: %s", err);
    long start_free = d->fill >= 0 ? first->free_bytes - d->fill : first->free_bytes;
    struct diagnosis dx;
    diagnose(&d->budget, &d->trace, start_free, first->message, &dx);

    /* The replay starts with the free bytes the command had; a probe that
       has no more than that needs no filler (a 0-byte block is none). */
    long fresh;
    struct replay_error e;
    if (!replay_fresh_free(&d->host, d->squeezer.settings, NULL, &fresh, &e))
        die_replay(&e);
    d->replay = (struct replay){&d->host, d->squeezer.settings, &d->trace, "the command's trace",
                                start_free < fresh ? start_free : -1, fresh, NULL, 0};
    struct replay_result replayed;
    if (!replay_case(&d->replay, NULL, &replayed, &e))
        die_replay(&e);
    d->replays++;
    char outcome[512];
    replay_outcome(&replayed, outcome, sizeof outcome);
    replay_result_free(&replayed);

    if (!doctor_find_fixes(d, &dx))
        die_replay(&d->replay_error);
    struct doctor_failure f = {first->exit_code, first->message, first->free_bytes, &dx, outcome};
    if (as_json)
        doctor_json_failure(d, &f);
    else
        doctor_print_failure(d, &f);
    int code = EXIT_TRIPPED;
    for (size_t i = 0; i < d->nfixes; i++)
        if (d->fixes[i].on_command && d->fixes[i].works)
            code = EXIT_PASS;
    diagnosis_free(&dx);
    return code;
}

int cmd_doctor(const struct args *a)
{
    bool as_json = arg_given(a, "--json");
    char **command = a->operands;
    struct doctor d = {.squeeze = arg_given(a, "--squeeze") ? arg_number(a, "--squeeze") : -1,
                       .fill = -1};
    squeezer_open(&d.squeezer, command, (int)arg_number(a, "--expect-exit"), &a->settings);

    /* Run 1: as it is (squeezed with --squeeze); what does it load, how
       much is free? */
    struct squeeze_setup setup = {.helper = true, .leave = d.squeeze, .fill = -1};
    struct squeeze_run first;
    squeezer_run(&d.squeezer, &setup, &first);
    if (!first.squeezed && first.exit_code == 127)
        die_input("doctor: cannot run %s", command[0]);
    if (!first.squeezed)
        die("doctor: the helper did not report: %s does not run with LD_PRELOAD "
            "(a static or setuid program?)", command[0]);
    if (d.squeeze >= 0)
        d.fill = first.free_bytes > d.squeeze ? first.free_bytes - d.squeeze : 0;

    int code = squeeze_succeeds(&d.squeezer, &first, true) ? report_works(&d, &first, as_json)
                                                             : report_failure(&d, &first, as_json);
    doctor_fixes_free(&d);
    if (d.trace.nevents || d.trace.command)
        trace_free(&d.trace);
    if (d.budget.libc_name)
        budget_free(&d.budget);
    if (d.host.name)
        libc_build_free(&d.host);
    squeeze_run_free(&first);
    squeezer_close(&d.squeezer);
    return code;
}
