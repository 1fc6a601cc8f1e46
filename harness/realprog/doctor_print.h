/* doctor's report, as text or JSON. */
#ifndef STATICTLS_DOCTOR_PRINT_H
#define STATICTLS_DOCTOR_PRINT_H

#include "doctor.h"
#include "headroom.h"

/* What the failing command's first run measured. */
struct doctor_failure {
    int exit_code;
    const char *message;
    long free_bytes;
    const struct diagnosis *dx;
    const char *replay; /* the replay's outcome without fixes */
};

/* A command that works: its headroom. */
struct doctor_works {
    long free_bytes, predicted;
    size_t nblocks;
    struct headroom_result headroom;
};

void doctor_print_failure(const struct doctor *d, const struct doctor_failure *f);
void doctor_json_failure(const struct doctor *d, const struct doctor_failure *f);
void doctor_print_works(const struct doctor *d, const struct doctor_works *w, bool as_json);

#endif
