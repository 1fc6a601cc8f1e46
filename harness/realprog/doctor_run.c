/* doctor's run, from the command to what was found: the first run says
   whether it works; a working command's headroom is measured (headroom.c),
   a failing one is traced (tracerun.c), diagnosed on the host's model
   (doctor_diagnose.c), replayed on fixtures (scenario's replay) and its
   fixes searched (doctor_fixes.c). */
#define _GNU_SOURCE
#include "doctor_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"
#include "runenv.h"
#include "tracerun.h"
#include "visible.h"
#include "xalloc.h"

static bool fail(struct doctor_error *e, bool input, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(struct doctor_error *e, bool input, const char *fmt, ...)
{
    e->input = input;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

/* A replay that could not be made: its own message and class. */
static bool fail_replay(struct doctor_error *e, const struct replay_error *why)
{
    e->input = why->input;
    replay_error_text(why, e->message, sizeof e->message);
    return false;
}

/* A run of the command outlived its timeout: nothing after it was run. */
static bool fail_timeout(struct doctor *d, struct doctor_error *e)
{
    char why[1024];
    squeezer_timeout(&d->squeezer, why, sizeof why);
    e->timed_out = true;
    snprintf(e->message, sizeof e->message, "doctor: %s", why);
    return false;
}

/* It works: how much of the free static TLS it needs, measured. */
static bool measure_works(struct doctor *d, struct doctor_result *out, struct doctor_error *err)
{
    const struct squeeze_run *first = &out->first;
    out->found = DOCTOR_WORKS;
    out->predicted = headroom_predict_loaded(first->loaded, first->nloaded, d->squeezer.settings,
                                             &out->nblocks);
    headroom_measure(&d->squeezer, out->predicted, first->free_bytes, &out->headroom);
    if (!d->squeezer.timed_out && d->squeeze < 0) /* --squeeze: a filler is no startup */
        start_room_measure(&d->squeezer, first, out->headroom.needed, &out->room);
    out->command_runs = d->squeezer.runs;
    return d->squeezer.timed_out ? fail_timeout(d, err) : true;
}

/* The host's build and budget: what the diagnosis and the replays stand on. */
static bool read_host(struct doctor *d, struct doctor_error *err)
{
    char why[1024];
    if (!libc_build_find(NULL, &d->host, why, sizeof why))
        return fail(err, false, "doctor: %s", why);
    struct run_env env;
    run_env_empty(&env, &d->host, d->squeezer.settings, PROBE_TIMEOUT_S);
    bool read = budget_read(&env.probe, &d->budget, why, sizeof why);
    run_env_free(&env);
    if (!read)
        return fail(err, false, "doctor: %s", why);
    return true;
}

/* The replay of the trace as the command ran, without fixes: its outcome
   in out->replay.  It starts with the free bytes the command had; a probe
   that has no more than that needs no filler (a 0-byte block is none). */
static bool replay_as_is(struct doctor *d, long start_free, struct doctor_result *out,
                         struct doctor_error *err)
{
    long fresh;
    struct replay_error e;
    if (!replay_fresh_free(&d->host, d->squeezer.settings, NULL, &fresh, &e))
        return fail_replay(err, &e);
    d->replay = (struct replay){&d->host, d->squeezer.settings, &d->trace, "the command's trace",
                                start_free < fresh ? start_free : -1, fresh, NULL, 0};
    struct replay_result replayed;
    if (!replay_case(&d->replay, NULL, &replayed, &e))
        return fail_replay(err, &e);
    d->replays++;
    replay_outcome(&replayed, out->replay, sizeof out->replay);
    replay_result_free(&replayed);
    return true;
}

/* It fails: on static TLS, traced, diagnosed, replayed, its fixes found. */
static bool examine_failure(struct doctor *d, struct doctor_result *out, struct doctor_error *err)
{
    const struct squeeze_run *first = &out->first;
    out->command_runs = d->squeezer.runs;
    if (!first->message) {
        out->found = DOCTOR_NOT_STATIC_TLS;
        return true;
    }
    if (!read_host(d, err))
        return false;
    if (!d->budget.modelled) {
        out->found = DOCTOR_NOT_MODELLED;
        out->why_not_modelled = xstrdup(d->budget.why_not_modelled);
        return true;
    }
    char why[1024];
    enum trace_end traced = trace_command(d->squeezer.command, d->squeezer.settings,
                                          d->squeezer.timeout_s, false, &d->trace, why, sizeof why);
    if (traced == TRACE_TIMED_OUT) {
        err->timed_out = true;
        snprintf(err->message, sizeof err->message, "doctor: %s (the trace's run)", why);
        return false;
    }
    if (traced == TRACE_NOT_RUN)
        return fail(err, true, "doctor: %s", why);
    trace_keep_judged(&d->trace); /* one process: the one that failed, or the last exec'd */
    long start_free = d->fill >= 0 ? first->free_bytes - d->fill : first->free_bytes;
    diagnose(&d->budget, &d->trace, start_free, first->message, &out->dx);
    if (!replay_as_is(d, start_free, out, err))
        return false;
    if (!doctor_find_fixes(d, &out->dx))
        return fail_replay(err, &d->replay_error);
    if (d->squeezer.timed_out)
        return fail_timeout(d, err);
    out->found = DOCTOR_FAILS;
    out->trace = d->trace;
    memset(&d->trace, 0, sizeof d->trace);
    out->replays = d->replays;
    out->fixes = d->fixes, out->nfixes = d->nfixes;
    d->fixes = NULL, d->nfixes = 0;
    out->dropped = d->dropped, out->ndropped = d->ndropped, out->dropped_more = d->dropped_more;
    d->dropped = NULL, d->ndropped = 0;
    out->command_runs = d->squeezer.runs + 1; /* and the trace's run */
    return true;
}

/* ld.so refused to start it: no tracer runs in it, so its startup is
   modelled from the ELF files and each fix run on the command as given. */
static bool examine_startup(struct doctor *d, const struct doctor_request *q,
                            const struct launch *l, enum load_kind refusal,
                            struct doctor_result *out, struct doctor_error *err)
{
    char why[1024];
    if (!libc_build_find(NULL, &d->host, why, sizeof why))
        return fail(err, false, "doctor: %s", why);
    struct startup_request sq = {l, q->expect_exit, q->timeout_s, q->settings, &d->host, refusal};
    if (!doctor_startup(&sq, &out->startup, why, sizeof why))
        return fail(err, false, "doctor: %s", why);
    out->command_runs = d->squeezer.runs + out->startup.runs;
    if (out->startup.timed_out) {
        char *cmd = visible(q->command[0]);
        err->timed_out = true;
        snprintf(err->message, sizeof err->message, "doctor: %s did not end within %g s (run %u "
                 "of it): killed with its process group; raise --timeout or "
                 "STATICTLS_TIMEOUT_FACTOR", cmd, q->timeout_s, out->command_runs);
        free(cmd);
        return false;
    }
    if (out->startup.helper_only) {
        char *cmd = visible(q->command[0]);
        fail(err, true, "doctor: ld.so refuses to start %s with statictls' helper preloaded, "
             "and it starts without it (exit %d): nothing doctor can measure", cmd,
             out->startup.exit_code);
        free(cmd);
        return false;
    }
    out->found = DOCTOR_CANNOT_START;
    return true;
}

/* The first run, as it is (squeezed with --squeeze): what it loads, how
   much is free; or ld.so's refusal to start it (refused).  Its output is
   shown on our stderr, as headroom's first run's is: never in the report. */
static bool run_first(struct doctor *d, struct doctor_result *out, enum load_kind *refused,
                      struct doctor_error *err)
{
    struct squeeze_setup setup = {.helper = true, .leave = d->squeeze, .fill = -1, .echo = true};
    squeezer_run(&d->squeezer, &setup, &out->first);
    if (out->first.timed_out)
        return fail_timeout(d, err);
    *refused = out->first.squeezed && squeeze_succeeds(&d->squeezer, &out->first, true)
                   ? KIND_LOADED
                   : startup_refusal(out->first.exit_code, out->first.message,
                                     out->first.stderr_tail);
    if (*refused != KIND_LOADED)
        return true;
    char why[1200];
    if (!squeeze_measured(&d->squeezer, &out->first, why, sizeof why))
        return fail(err, true, "doctor: %s", why);
    if (d->squeeze >= 0)
        d->fill = out->first.free_bytes > d->squeeze ? out->first.free_bytes - d->squeeze : 0;
    return true;
}

bool doctor_run(const struct doctor_request *q, struct doctor_result *out,
                struct doctor_error *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    /* The command as a shell and env would run it: a launcher that drops
       the helper, a program that is not there, said before any run. */
    struct launch l;
    char said[1024];
    if (!launch_read(q->command, q->settings->user_env, &l, said, sizeof said))
        return fail(err, true, "doctor: %s", said);
    struct doctor d = {.squeeze = q->squeeze, .fill = -1};
    squeezer_open(&d.squeezer, q->command, q->expect_exit, q->settings, q->timeout_s);
    enum load_kind refused = KIND_LOADED;
    bool ok = run_first(&d, out, &refused, err);
    if (ok && refused != KIND_LOADED)
        ok = examine_startup(&d, q, &l, refused, out, err);
    else if (ok && squeeze_succeeds(&d.squeezer, &out->first, true))
        ok = measure_works(&d, out, err);
    else if (ok)
        ok = examine_failure(&d, out, err);
    doctor_fixes_free(d.fixes, d.nfixes);
    doctor_fixes_free(d.dropped, d.ndropped);
    if (d.trace.nevents || d.trace.command)
        trace_free(&d.trace);
    if (d.budget.libc_name)
        budget_free(&d.budget);
    if (d.host.name)
        libc_build_free(&d.host);
    squeezer_close(&d.squeezer);
    launch_free(&l);
    if (!ok)
        doctor_result_free(out);
    return ok;
}

void doctor_result_free(struct doctor_result *r)
{
    squeeze_run_free(&r->first);
    squeeze_run_free(&r->headroom.below);
    start_room_free(&r->room);
    free(r->why_not_modelled);
    diagnosis_free(&r->dx);
    if (r->trace.nevents || r->trace.command)
        trace_free(&r->trace);
    doctor_fixes_free(r->fixes, r->nfixes);
    doctor_fixes_free(r->dropped, r->ndropped);
    startup_report_free(&r->startup);
    memset(r, 0, sizeof *r);
}

bool doctor_fixed(const struct doctor_result *r)
{
    if (r->found == DOCTOR_CANNOT_START)
        return startup_fixed(&r->startup);
    for (size_t i = 0; r->found == DOCTOR_FAILS && i < r->nfixes; i++)
        if (r->fixes[i].on_command && r->fixes[i].works)
            return true;
    return false;
}
