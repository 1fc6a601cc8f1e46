/* statictls headroom: the smallest free static TLS a real command needs.
   The LD_PRELOAD helper (realprog/inject/squeeze.c) measures the free bytes
   inside the command's own process and can leave exactly H of them.  Run 1
   lets the command run unsqueezed and lists what it loaded; the model
   predicts the headroom those static-TLS objects need; runs 2 and 3 verify
   it (H succeeds, H-1 fails).  Bisection only when the prediction misses.
   A run that outlives --timeout ends it (exit 4); a run 1 the helper did
   not measure (a launcher that drops LD_PRELOAD, a static program) is the
   user's input (2): nothing is measured, no "needed 0"; a launcher seen to
   drop it (env -i, env -u LD_PRELOAD) is said before anything runs.  With
   the user's own LD_PRELOAD every figure is said to be with it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "doctor_startup.h"
#include "headroom.h"
#include "launcher.h"
#include "render_headroom.h"
#include "squeezerun.h"
#include "startroom.h"
#include "die.h"
#include "visible.h"

/* Says why the runs stopped, and ends them: the exit code. */
static int stop(struct squeezer *h, struct squeeze_run *base, int code, const char *why)
{
    fprintf(stderr, "statictls: headroom: %s\n", why);
    squeeze_run_free(base);
    squeezer_close(h);
    return code;
}

/* ld.so refused to start the program (after a leading env word list, the
   program env runs): there is no headroom to measure; doctor finds what
   starts it.  The exit code, or -1 where it started.  A finding: with
   --json, a document says it too. */
static int refused_start(struct squeezer *h, struct squeeze_run *base, const char *program,
                         bool json)
{
    enum load_kind refusal = startup_refusal(base->exit_code, base->message, base->stderr_tail);
    if (refusal == KIND_LOADED)
        return -1;
    if (json)
        render_headroom_failed_json(h, base, refusal, program);
    char *cmd = visible(program);
    char *message = base->message ? visible(base->message) : NULL;
    fprintf(stderr, "statictls: headroom: ld.so refuses to start %s (exit %d)%s%s: it has no "
            "headroom at startup; `statictls doctor -- CMD` finds the smallest "
            "glibc.rtld.optional_static_tls that starts it\n", cmd, base->exit_code,
            message ? ": " : "", message ? message : "");
    free(cmd), free(message);
    squeeze_run_free(base);
    squeezer_close(h);
    return EXIT_TRIPPED;
}

int cmd_headroom(const struct args *a)
{
    /* As doctor reads it: a launcher that drops the helper (env -i, env -u
       LD_PRELOAD), a program that is not there, said before any run. */
    struct launch l;
    char said[1024];
    if (!launch_read(a->operands, a->settings.user_env, &l, said, sizeof said)) {
        fprintf(stderr, "statictls: headroom: %s\n", said);
        return EXIT_USAGE;
    }
    /* The operands outlive l: the word the program is. */
    const char *program = l.env_form && !l.opaque_option ? l.argv[l.prog_at] : l.argv[0];
    launch_free(&l);
    struct squeezer h;
    squeezer_open(&h, a->operands, (int)arg_number(a, "--expect-exit"), &a->settings,
                  (double)arg_number(a, "--timeout") * a->settings.timeout_factor);

    /* Run 1: as it is; what does it load, and how much is free? */
    struct squeeze_run base;
    squeezer_run_left(&h, -1, &base);
    char why[1200];
    if (base.timed_out) {
        squeezer_timeout(&h, why, sizeof why);
        return stop(&h, &base, EXIT_TIMEOUT, why);
    }
    bool json = arg_given(a, "--json");
    int refused = refused_start(&h, &base, program, json);
    if (refused >= 0)
        return refused;
    if (!squeeze_measured(&h, &base, why, sizeof why))
        return stop(&h, &base, EXIT_USAGE, why);
    if (base.exit_code != h.expect_exit) {
        if (json)
            render_headroom_failed_json(&h, &base, KIND_LOADED, program);
        char *cmd = visible(h.command[0]);
        char *message = base.message ? visible(base.message) : NULL;
        fprintf(stderr, "statictls: headroom: %s exits %d without any squeeze (expected %d)%s%s\n",
                cmd, base.exit_code, h.expect_exit, message ? ": " : "", message ? message : "");
        free(cmd), free(message);
        squeeze_run_free(&base);
        squeezer_close(&h);
        return EXIT_TRIPPED;
    }

    struct headroom_view v = {.h = &h, .free_bytes = base.free_bytes};
    v.predicted = headroom_predict_loaded(base.loaded, base.nloaded, &a->settings, &v.nblocks);
    struct headroom_result r;
    headroom_measure(&h, v.predicted, base.free_bytes, &r);
    if (h.timed_out) {
        squeeze_run_free(&r.below);
        squeezer_timeout(&h, why, sizeof why);
        return stop(&h, &base, EXIT_TIMEOUT, why);
    }
    /* Under LD_AUDIT: the smallest optional_static_tls it still works with. */
    struct start_room room;
    start_room_measure(&h, &base, r.needed, &room);
    if (h.timed_out) {
        squeeze_run_free(&r.below), start_room_free(&room);
        squeezer_timeout(&h, why, sizeof why);
        return stop(&h, &base, EXIT_TIMEOUT, why);
    }
    v.r = &r;
    v.room = &room;
    if (json)
        render_headroom_json(&v);
    else
        render_headroom(&v);
    start_room_free(&room);
    squeeze_run_free(&base), squeeze_run_free(&r.below);
    squeezer_close(&h);
    return EXIT_PASS;
}
