/* statictls headroom: the smallest free static TLS a real command needs.
   The LD_PRELOAD helper (harness/inject/squeeze.c) measures the free bytes
   inside the command's own process and can leave exactly H of them.  Run 1
   lets the command run unsqueezed and lists what it loaded; the model
   predicts the headroom those static-TLS objects need; runs 2 and 3 verify
   it (H succeeds, H-1 fails).  Bisection only when the prediction misses. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "headroom.h"
#include "json.h"
#include "squeezerun.h"
#include "die.h"

static void print_json(const struct squeezer *h, long needed, long predicted, long free_bytes,
                       size_t nblocks, const struct squeeze_run *below, const char *method)
{
    struct json j;
    json_init(&j, stdout, NULL);
    json_object(&j);
    json_kv_int(&j, "needed_bytes", needed);
    json_kv_int(&j, "free_bytes", free_bytes);
    json_key(&j, "predicted_bytes");
    if (predicted >= 0)
        json_int(&j, predicted);
    else
        json_null(&j);
    json_kv_int(&j, "static_tls_objects", (long long)nblocks);
    json_kv_string(&j, "message_at_one_less", below->message);
    json_kv_int(&j, "exit_at_one_less", below->exit_code);
    json_kv_int(&j, "runs", h->runs);
    json_kv_string(&j, "method", method);
    json_end(&j);
    printf("\n");
}

static void print_text(const struct squeezer *h, long needed, long predicted, long free_bytes,
                       size_t nblocks, const struct squeeze_run *below, const char *method)
{
    printf("needed_bytes  %ld (measured: %ld bytes of headroom succeed, %ld fail)\n", needed,
           needed, needed - 1);
    printf("free_bytes    %ld (measured inside the command's process)\n", free_bytes);
    if (predicted >= 0)
        printf("predicted     %ld (modelled from the %zu static-TLS objects it loaded)\n",
               predicted, nblocks);
    if (needed > 0)
        printf("at %-11ld exit %d%s%s\n", needed - 1, below->exit_code,
               below->message ? ": " : "", below->message ? below->message : "");
    else
        printf("at 0          it succeeds: it needs no free static TLS\n");
    printf("runs          %u (%s)\n", h->runs, method);
}

static void parse_args(int argc, char **argv, char ***command, int *expect_exit, bool *as_json)
{
    static const char usage[] = "usage: headroom [--json] [--expect-exit N] -- CMD ARGS...";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0)
            *as_json = true;
        else if (strcmp(argv[i], "--expect-exit") == 0)
            *expect_exit =
                (int)option_number("--expect-exit", i + 1 < argc ? argv[++i] : NULL, 0, 255);
        else
            die_input("headroom: unknown argument \"%s\" (%s)", argv[i], usage);
    }
    if (i + 1 >= argc)
        die_input("headroom: %s", usage);
    *command = argv + i + 1;
}

int cmd_headroom(int argc, char **argv)
{
    bool as_json = false;
    char **command;
    int expect_exit = 0;
    parse_args(argc, argv, &command, &expect_exit, &as_json);
    struct squeezer h;
    squeezer_open(&h, command, expect_exit);

    /* Run 1: as it is; what does it load, and how much is free? */
    struct squeeze_run base;
    squeezer_run_left(&h, -1, &base);
    if (!base.squeezed && base.exit_code == 127)
        die_input("headroom: cannot run %s", h.command[0]);
    if (!base.squeezed)
        die("headroom: the helper did not report: %s does not run with LD_PRELOAD "
            "(a static or setuid program?)", h.command[0]);
    if (base.exit_code != h.expect_exit) {
        fprintf(stderr, "statictls: headroom: %s exits %d without any squeeze (expected %d)%s%s\n",
                h.command[0], base.exit_code, h.expect_exit, base.message ? ": " : "",
                base.message ? base.message : "");
        return EXIT_TRIPPED;
    }

    size_t nblocks;
    long predicted = headroom_predict_loaded(base.loaded, base.nloaded, &nblocks);
    struct headroom_result r;
    headroom_measure(&h, predicted, base.free_bytes, &r);
    const char *method = r.prediction_hit ? "prediction verified" : "bisection";
    if (as_json)
        print_json(&h, r.needed, predicted, base.free_bytes, nblocks, &r.below, method);
    else
        print_text(&h, r.needed, predicted, base.free_bytes, nblocks, &r.below, method);
    squeeze_run_free(&base), squeeze_run_free(&r.below);
    squeezer_close(&h);
    return EXIT_PASS;
}
