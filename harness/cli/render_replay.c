#include "render_replay.h"

#include <stdio.h>

void render_replay_model(const char *version, const struct replay_model_basis *b)
{
    if (b->libc_tls_size)
        printf("model: glibc %s's rules and startup layout (libc's TLS block %zu bytes, measured "
               "on an upstream build)\n", version, b->libc_tls_size);
    else
        printf("model: glibc %s's rules on this machine's startup layout (its own is not "
               "known to the model)\n", version);
    if (b->here)
        fprintf(stderr, "statictls: replay: glibc %s runs here: `replay %s%s` measures it; "
                        "--model only models it\n", version,
                b->here->tree ? "--libc-tree " : "--glibc ",
                b->here->tree ? b->here->tree : version);
}

void render_replay_table_header(void)
{
    printf("| glibc |");
    for (size_t c = 0; c < REPLAY_TABLE_COLUMNS; c++)
        printf(" %s |", replay_table_titles[c]);
    printf("\n|---|");
    for (size_t c = 0; c < REPLAY_TABLE_COLUMNS; c++)
        printf("---|");
    printf("\n");
}

static void row(void *ctx, const struct replay_table_row *r)
{
    (void)ctx;
    printf("| %s%s |", r->release, r->modelled ? " (modelled)" : r->tree ? " (upstream tree)" : "");
}

static void cell(void *ctx, const char *outcome)
{
    (void)ctx;
    printf(" %s |", outcome);
    fflush(stdout);
}

static void row_end(void *ctx)
{
    (void)ctx;
    printf("\n");
}

const struct replay_table_sink render_replay_table_rows = {row, cell, row_end, NULL};

void render_replay_outcome(const char *summary)
{
    printf("outcome: %s\n", summary);
}
