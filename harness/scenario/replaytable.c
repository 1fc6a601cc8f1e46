#define _GNU_SOURCE
#include "replaytable.h"

#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "xalloc.h"

const char *const replay_table_titles[REPLAY_TABLE_COLUMNS] = {
    "as is", "LD_PRELOAD", "loaded first", "optional_static_tls=4096",
    "rebuilt with TLS descriptors"};

/* One row's cells; false with err where a replay cannot be made. */
static bool run_row(const struct replay *row, const char *model_as, const struct fix *columns,
                    const struct replay_table_sink *sink, int *worst, struct replay_error *err)
{
    for (size_t c = 0; c < REPLAY_TABLE_COLUMNS; c++) {
        struct replay cell = *row;
        cell.fixes = c ? &columns[c] : NULL;
        cell.nfixes = c ? 1 : 0;
        char outcome[512];
        int code = replay_run(&cell, model_as, false, outcome, sizeof outcome, NULL, err);
        if (code < 0)
            return false;
        if (code != EXIT_PASS && code > *worst)
            *worst = code;
        sink->cell(sink->ctx, outcome);
    }
    return true;
}

int replay_table(const struct replay *r, const char *name, const struct libc_build_list *builds,
                 const struct replay_table_sink *sink, struct replay_error *err)
{
    char *raise = xstrdup("optional_static_tls=4096");
    const struct fix columns[REPLAY_TABLE_COLUMNS] = {
        {.kind = FIX_PRELOAD}, /* unused: the first column has no fix */
        {.kind = FIX_PRELOAD, .name = (char *)name},
        {.kind = FIX_FIRST, .name = (char *)name},
        {.kind = FIX_TUNABLE, .tunable = raise},
        {.kind = FIX_REBUILD, .name = (char *)name, .rebuilt_as = TLS_DESC}};
    /* Where no 2.17 runs here, the first row models it (its own startup
       layout); otherwise every row is measured. */
    bool have_217 = false;
    for (size_t k = 0; k < builds->n; k++)
        have_217 |= strcmp(builds->items[k].name, "tree-glibc-2.17") == 0;
    int worst = EXIT_PASS;
    for (size_t k = have_217; k <= builds->n; k++) {
        const char *model_as = k == 0 ? "2.17" : NULL;
        struct replay row = *r;
        if (k > 0)
            row.build = &builds->items[k - 1];
        if (row.squeeze >= 0 &&
            !replay_fresh_free(row.build, row.settings, model_as, &row.squeeze_free, err)) {
            worst = -1;
            break;
        }
        struct replay_table_row label = {
            k ? strstr(row.build->name, "glibc-") + strlen("glibc-") : "2.17", k == 0,
            k > 0 && row.build->tree};
        sink->row(sink->ctx, &label);
        if (!run_row(&row, model_as, columns, sink, &worst, err)) {
            worst = -1;
            break;
        }
        sink->row_end(sink->ctx);
    }
    free(raise);
    return worst;
}
