/* replay's own lines: what --model stands on, the table across libc
   builds and fixes (printed cell by cell as scenario/replaytable.c
   measures it), and the outcome.  The replayed case itself is printed by
   scenario/caseout.c, as `run` prints a case. */
#ifndef STATICTLS_RENDER_REPLAY_H
#define STATICTLS_RENDER_REPLAY_H

#include "replay.h"
#include "replaytable.h"

/* "model: ..." on stdout; where a build of that release runs here, on
   stderr, how to measure it instead. */
void render_replay_model(const char *version, const struct replay_model_basis *b);

/* The table's header; then its rows, each cell printed (and flushed) as
   it comes. */
void render_replay_table_header(void);
extern const struct replay_table_sink render_replay_table_rows;

/* "outcome: ..." */
void render_replay_outcome(const char *summary);

#endif
