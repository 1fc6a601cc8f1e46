/* doctor's report, as text and as JSON: for a command that works, its
   headroom; for one that fails on static TLS, the diagnosis, the replay and
   the fixes, ranked; for a failure doctor cannot help with, why (on
   stderr, in either form). */
#ifndef STATICTLS_RENDER_DOCTOR_H
#define STATICTLS_RENDER_DOCTOR_H

#include "doctor_run.h"

void render_doctor(const struct doctor_request *q, const struct doctor_result *r);
void render_doctor_json(const struct doctor_request *q, const struct doctor_result *r);

#endif
