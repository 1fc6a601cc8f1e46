/* Room at startup under an auditor.  With LD_AUDIT, ld.so lays static TLS
   out before it loads the program's libraries and preloads (elf/rtld.c
   dl_main: init_tls), so their initial-exec blocks come out of the surplus,
   which glibc.rtld.optional_static_tls sizes.  For a command that works,
   the smallest optional_static_tls with which it still works (starts, and
   has the headroom its dlopens need): modelled from its startup objects,
   then measured on the command itself (N works, N-1 fails), and the margin
   of the value it runs with.  Shared by `headroom` and `doctor`. */
#ifndef STATICTLS_STARTROOM_H
#define STATICTLS_STARTROOM_H

#include <stdbool.h>
#include <stddef.h>

#include "squeezerun.h"

struct start_room {
    bool applies;        /* glibc, LD_AUDIT set, ld.so knows the tunable: the rest holds */
    char why_not[256];   /* why not, where LD_AUDIT is set ("" without LD_AUDIT) */
    size_t naudit;       /* entries of the user's LD_AUDIT */
    size_t current;      /* the optional_static_tls it ran with */
    bool current_is_default; /* not set in GLIBC_TUNABLES */
    size_t startup_objects;  /* with TLS at startup, libc and the program included */
    long predicted;      /* modelled smallest; -1: no prediction (why in model_why) */
    char model_why[256];
    long smallest;       /* measured: works at smallest, fails at smallest - 1 */
    bool prediction_hit; /* two runs verified the prediction */
    bool below_run;      /* `below` holds the run at smallest - 1 (not so at 0) */
    struct squeeze_run below;
};

/* Measures it for the command of s, whose unsqueezed run base worked and
   needs `needed` bytes of headroom (headroom_measure's).  Nothing is run
   where it does not apply. */
void start_room_measure(struct squeezer *s, const struct squeeze_run *base, long needed,
                        struct start_room *out);
void start_room_free(struct start_room *r);

#endif
