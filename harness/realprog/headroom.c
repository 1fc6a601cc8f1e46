#define _GNU_SOURCE
#include "headroom.h"

#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "libcbuild.h"
#include "runenv.h"
#include "search.h"
#include "die.h"
#include "xalloc.h"

long headroom_predict(const struct budget *b, const struct tls_block *blocks, size_t n)
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

long headroom_predict_loaded(char **loaded, size_t nloaded, const struct settings *s,
                             size_t *nblocks)
{
    /* The command runs on the host's libc: so does the model's budget. */
    struct libc_build host;
    char err[1024];
    if (!libc_build_find(NULL, &host, err, sizeof err))
        die("headroom: %s", err);
    struct run_env env;
    run_env_empty(&env, &host, s, PROBE_TIMEOUT_S);
    struct budget b;
    if (!budget_read(&env.probe, &b, err, sizeof err))
        die("headroom: %s", err);
    struct tls_block *blocks = xcalloc(nloaded + 1, sizeof *blocks);
    *nblocks = 0;
    for (size_t k = 0; k < nloaded; k++) {
        struct elf_tls t;
        if (!elf_tls_read(loaded[k], &t, err, sizeof err))
            continue;
        if (elf_tls_needs_static(&t))
            blocks[(*nblocks)++] =
                (struct tls_block){t.tls_memsz, t.tls_align, elf_tls_firstbyte(&t)};
        elf_tls_free(&t);
    }
    long predicted = b.modelled ? headroom_predict(&b, blocks, *nblocks) : -1;
    free(blocks);
    budget_free(&b);
    run_env_free(&env);
    libc_build_free(&host);
    return predicted;
}

/* For the bisection: the command fails with n bytes left, and the run at
   the largest such n is kept (its message names the object that tripped). */
struct failing {
    struct squeezer *s;
    struct squeeze_run *below;
};

static bool fails_with(long long n, void *ctx)
{
    struct failing *f = ctx;
    struct squeeze_run r;
    squeezer_run_left(f->s, (long)n, &r);
    if (squeeze_succeeds(f->s, &r, true)) {
        squeeze_run_free(&r);
        return false;
    }
    squeeze_run_free(f->below);
    *f->below = r;
    return true;
}

void headroom_measure(struct squeezer *s, long predicted, long free_bytes,
                      struct headroom_result *out)
{
    memset(out, 0, sizeof *out);
    struct squeeze_run at = {0};
    if (predicted >= 0) {
        squeezer_run_left(s, predicted, &at);
        if (squeeze_succeeds(s, &at, true) && predicted == 0) {
            out->prediction_hit = true; /* nothing less to try */
        } else if (squeeze_succeeds(s, &at, true)) {
            squeezer_run_left(s, predicted - 1, &out->below);
            out->prediction_hit = !squeeze_succeeds(s, &out->below, true);
        }
    }
    squeeze_run_free(&at);
    if (out->prediction_hit) {
        out->needed = predicted;
        return;
    }
    struct failing f = {s, &out->below};
    out->needed = (long)search_last(-1, free_bytes, fails_with, &f) + 1;
}
