/* `headroom`'s answer as text and as JSON: the headroom measured, the free
   bytes in the command's own process, and the model's prediction. */
#ifndef STATICTLS_RENDER_HEADROOM_H
#define STATICTLS_RENDER_HEADROOM_H

#include <stddef.h>

#include "headroom.h"
#include "squeezerun.h"

struct headroom_view {
    const struct squeezer *h;
    const struct headroom_result *r;
    long predicted;  /* -1: no prediction */
    long free_bytes; /* measured inside the unsqueezed command */
    size_t nblocks;  /* the static-TLS objects it loaded */
};

void render_headroom(const struct headroom_view *v);
void render_headroom_json(const struct headroom_view *v);

#endif
