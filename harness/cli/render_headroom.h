/* `headroom`'s answer as text and as JSON: the headroom measured, the free
   bytes in the command's own process, and the model's prediction. */
#ifndef STATICTLS_RENDER_HEADROOM_H
#define STATICTLS_RENDER_HEADROOM_H

#include <stddef.h>

#include "headroom.h"
#include "json.h"
#include "classify.h"
#include "squeezerun.h"
#include "startroom.h"

struct headroom_view {
    const struct squeezer *h;
    const struct headroom_result *r;
    long predicted;  /* -1: no prediction */
    long free_bytes; /* measured inside the unsqueezed command */
    size_t nblocks;  /* the static-TLS objects it loaded */
    const struct start_room *room; /* under LD_AUDIT: the room at startup */
};

void render_headroom(const struct headroom_view *v);
void render_headroom_json(const struct headroom_view *v);
/* With --json, a command that fails unsqueezed is a finding, not an error:
   its document (needed_bytes null) says how run 1 ended.  refusal: ld.so's
   (startup_refusal), KIND_LOADED where it started and exited otherwise than
   expected; program: the program ld.so ran (after a leading env). */
void render_headroom_failed_json(const struct squeezer *h, const struct squeeze_run *base,
                                 enum load_kind refusal, const char *program);

/* The room at startup under LD_AUDIT (startroom.h), shared with doctor:
   its lines (nothing without LD_AUDIT), and the JSON member "startup"
   (null without LD_AUDIT). */
void render_start_room(const struct start_room *r);
/* The user's own LD_PRELOAD, which the command ran with after statictls'
   helper (NULL where none): its line (nothing without one), and the JSON
   member "user_preload" (null without one). */
const char *user_preload(const struct settings *s);
void render_user_preload(const struct settings *s);
void render_user_preload_json(struct json *j, const struct settings *s);
void render_start_room_json(struct json *j, const struct start_room *r);

#endif
