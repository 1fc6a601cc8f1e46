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

#include "budget.h"
#include "command.h"
#include "cli.h"
#include "commands.h"
#include "elfinfo.h"
#include "json.h"
#include "record.h"
#include "runenv.h"
#include "search.h"
#include "xsys.h"

struct squeeze_run {
    int exit_code;
    bool squeezed;   /* the helper reported */
    long free_bytes; /* measured in the command's process */
    char *message;   /* glibc's static TLS line in stderr, or NULL */
    char **loaded;   /* objects with TLS loaded after startup (run 1) */
    size_t nloaded;
};

struct headroom {
    char **command;
    int expect_exit;
    char *dir, *report, *errfile;
    unsigned runs;
};

static void squeeze_run_free(struct squeeze_run *s)
{
    free(s->message);
    for (size_t i = 0; i < s->nloaded; i++)
        free(s->loaded[i]);
    free(s->loaded);
    memset(s, 0, sizeof *s);
}

static bool listed(char **paths, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], path) == 0)
            return true;
    return false;
}

/* Runs the command leaving `leave` bytes of static TLS free (-1: all). */
static void run_squeezed(struct headroom *h, long leave, struct squeeze_run *out)
{
    memset(out, 0, sizeof *out);
    remove(h->report);
    const char *preload = getenv("LD_PRELOAD");
    char *helper = xasprintf("%s/statictls-squeeze.so", self_dir());
    char *entry = loader_list_entry(helper, h->dir, "statictls-squeeze.so");
    char *extra[5] = {
        xasprintf("LD_PRELOAD=%s%s%s", entry, preload && *preload ? ":" : "", preload ? preload : ""),
        xasprintf("STATICTLS_SQUEEZE_TEMPLATE=%s/fixtures/template-ie.so", self_dir()),
        xasprintf("STATICTLS_SQUEEZE_DIR=%s", h->dir),
        xasprintf("STATICTLS_SQUEEZE_REPORT=%s", h->report),
        leave >= 0 ? xasprintf("STATICTLS_SQUEEZE_LEAVE=%ld", leave) : NULL};
    free(helper), free(entry);
    pid_t pid;
    int status = run_command(h->command, extra, leave >= 0 ? 5 : 4, h->errfile, &pid);
    h->runs++;
    out->exit_code = command_exit_code(status);
    /* Only the unsqueezed run's stderr is the command's own business. */
    char *err = command_stderr(h->errfile, leave < 0);
    out->message = static_tls_message(err);
    free(err);

    size_t nrecords;
    struct record *records = command_records(h->report, pid, &nrecords);
    char **startup = NULL;
    size_t nstartup = 0;
    for (size_t i = 0; i < nrecords; i++) {
        const struct record *r = &records[i];
        const char *path = record_get(r, "path");
        long v;
        if (strcmp(r->kind, "squeeze") == 0 && record_get_long(r, "free", &v)) {
            out->squeezed = true;
            out->free_bytes = v;
        } else if (strcmp(r->kind, "startup") == 0 && path) {
            *XAPPEND(&startup, &nstartup) = xstrdup(path);
        } else if (strcmp(r->kind, "final") == 0 && path && !listed(startup, nstartup, path) &&
                   strncmp(path, h->dir, strlen(h->dir)) != 0) {
            *XAPPEND(&out->loaded, &out->nloaded) = xstrdup(path);
        }
    }
    for (size_t i = 0; i < nrecords; i++)
        record_free(&records[i]);
    free(records);
    for (size_t i = 0; i < nstartup; i++)
        free(startup[i]);
    free(startup);
    for (int i = 0; i < 5; i++)
        free(extra[i]);
}

/* The least headroom in which the model places every block in load order:
   a squeezed area is used up to `headroom` bytes before its aligned end. */
static long predict(const struct budget *b, const struct tls_block *blocks, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += blocks[i].size + blocks[i].align;
    for (size_t h = 0; h <= total; h++) {
        struct model m = b->model;
        m.area_end = round_up(total + 4096, m.static_align);
        m.used = m.area_end - h;
        bool all = true;
        for (size_t i = 0; i < n && all; i++)
            all = model_load(&m, &blocks[i], TLS_IE).how == PLACED_STATIC;
        if (all)
            return (long)h;
    }
    return -1;
}

static bool succeeds(const struct headroom *h, const struct squeeze_run *s)
{
    return s->squeezed && s->exit_code == h->expect_exit;
}

/* The model's prediction from the census of what run 1 loaded: the
   static-TLS blocks in load order, on this machine's budget; -1 without a
   model.  nblocks: how many such objects there were. */
static long predict_from_census(const struct squeeze_run *base, size_t *nblocks)
{
    /* The command runs on the host's libc: so does the model's budget. */
    struct libc_build host;
    char err[1024];
    libc_build_find(NULL, &host, err, sizeof err);
    struct run_env env;
    run_env_empty(&env, &host, PROBE_TIMEOUT_S);
    struct budget b;
    if (!budget_read(&env.probe, &b, err, sizeof err))
        die("headroom: %s", err);
    struct tls_block *blocks = xcalloc(base->nloaded + 1, sizeof *blocks);
    *nblocks = 0;
    for (size_t k = 0; k < base->nloaded; k++) {
        struct elf_tls t;
        if (!elf_tls_read(base->loaded[k], &t, err, sizeof err))
            continue;
        if (elf_tls_needs_static(&t))
            blocks[(*nblocks)++] =
                (struct tls_block){t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
        elf_tls_free(&t);
    }
    long predicted = b.modelled ? predict(&b, blocks, *nblocks) : -1;
    free(blocks);
    budget_free(&b);
    run_env_free(&env);
    libc_build_free(&host);
    return predicted;
}

/* For the bisection: the command fails with n bytes left, and the run at
   the largest such n is kept (its message names the object that tripped). */
struct failing {
    struct headroom *h;
    struct squeeze_run *below;
};

static bool fails_with(long long n, void *ctx)
{
    struct failing *f = ctx;
    struct squeeze_run s;
    run_squeezed(f->h, (long)n, &s);
    if (succeeds(f->h, &s)) {
        squeeze_run_free(&s);
        return false;
    }
    squeeze_run_free(f->below);
    *f->below = s;
    return true;
}

/* The least headroom that succeeds: the prediction verified (it succeeds,
   one byte less fails), else bisection below the free bytes of run 1. */
static long measure_needed(struct headroom *h, long predicted, long free_bytes,
                           struct squeeze_run *below, bool *hit)
{
    struct squeeze_run at = {0};
    *hit = false;
    if (predicted >= 0) {
        run_squeezed(h, predicted, &at);
        if (succeeds(h, &at) && predicted == 0) {
            *hit = true; /* nothing less to try */
        } else if (succeeds(h, &at)) {
            run_squeezed(h, predicted - 1, below);
            *hit = !succeeds(h, below);
        }
    }
    squeeze_run_free(&at);
    if (*hit)
        return predicted;
    struct failing f = {h, below};
    return (long)search_last(-1, free_bytes, fails_with, &f) + 1;
}

static void print_json(const struct headroom *h, long needed, long predicted, long free_bytes,
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

static void print_text(const struct headroom *h, long needed, long predicted, long free_bytes,
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

static void parse_args(int argc, char **argv, struct headroom *h, bool *as_json)
{
    static const char usage[] = "usage: headroom [--json] [--expect-exit N] -- CMD ARGS...";
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0)
            *as_json = true;
        else if (strcmp(argv[i], "--expect-exit") == 0)
            h->expect_exit =
                (int)option_number("--expect-exit", i + 1 < argc ? argv[++i] : NULL, 0, 255);
        else
            die_input("headroom: unknown argument \"%s\" (%s)", argv[i], usage);
    }
    if (i + 1 >= argc)
        die_input("headroom: %s", usage);
    h->command = argv + i + 1;
}

int cmd_headroom(int argc, char **argv)
{
    bool as_json = false;
    struct headroom h = {.expect_exit = 0};
    parse_args(argc, argv, &h, &as_json);
    h.dir = make_scratch_dir("statictls-headroom");
    h.report = xasprintf("%s/report", h.dir);
    h.errfile = xasprintf("%s/stderr", h.dir);

    /* Run 1: as it is; what does it load, and how much is free? */
    struct squeeze_run base;
    run_squeezed(&h, -1, &base);
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
    long predicted = predict_from_census(&base, &nblocks);
    struct squeeze_run below = {0};
    bool hit;
    long needed = measure_needed(&h, predicted, base.free_bytes, &below, &hit);
    const char *method = hit ? "prediction verified" : "bisection";
    if (as_json)
        print_json(&h, needed, predicted, base.free_bytes, nblocks, &below, method);
    else
        print_text(&h, needed, predicted, base.free_bytes, nblocks, &below, method);
    squeeze_run_free(&base), squeeze_run_free(&below);
    remove_tree(h.dir); /* the report, stderr, a helper's link */
    free(h.dir), free(h.report), free(h.errfile);
    return EXIT_PASS;
}
