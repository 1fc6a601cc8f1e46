/* replay's table: a trace replayed on every glibc build here, one row a
   build (glibc 2.17 first, modelled, where no build of it runs here), one
   column a fix of one object (none, LD_PRELOAD, loaded first,
   optional_static_tls=4096, rebuilt with TLS descriptors).  Each cell goes
   to the caller as soon as it is measured: a table of many builds takes
   seconds, and appears as it is filled. */
#ifndef STATICTLS_REPLAYTABLE_H
#define STATICTLS_REPLAYTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "libcbuild.h"
#include "replay.h"

enum { REPLAY_TABLE_COLUMNS = 5 };

/* Each column's title, "as is" first. */
extern const char *const replay_table_titles[REPLAY_TABLE_COLUMNS];

/* The glibc a row replays on. */
struct replay_table_row {
    const char *release; /* "2.17", "2.36-aarch64" */
    bool modelled;       /* no build runs it here: the model predicts each cell */
    bool tree;           /* a build of an upstream tree (--libc-tree) */
};

/* Where the table goes as it is measured: each row's start, each cell's
   outcome (replay_outcome's words), each row's end. */
struct replay_table_sink {
    void (*row)(void *ctx, const struct replay_table_row *row);
    void (*cell)(void *ctx, const char *outcome);
    void (*row_end)(void *ctx);
    void *ctx;
};

/* Replays r on each build of builds (r->build, modelled as glibc 2.17,
   first where none of them is 2.17), as is and with each fix of the object
   whose file name starts with name; with r->squeeze, each build's squeeze
   starts from its own fresh free bytes.  r's own fixes are not used.
   Returns the worst exit code of the cells (EXIT_PASS where every one
   loads), or -1 with err where a replay cannot be made: the rows and
   cells before it have gone to the sink, the row it stopped in unended. */
int replay_table(const struct replay *r, const char *name, const struct libc_build_list *builds,
                 const struct replay_table_sink *sink, struct replay_error *err);

#endif
