/* statictls doctor: runs a command; if it fails on static TLS, says which
   rule tripped where and finds fixes, each verified on the command itself
   (rebuilds: by replay on fixtures, marked so); if it works, says how much
   headroom it has and what trips first as the process fills
   (realprog/doctor_run.c does the work; render_doctor.c prints it).
   Exit 0: works as is, or a verified fix was found; 1: none; 2: usage or
   a command it cannot measure; 4: a run of it outlived --timeout. */
#include <stdio.h>

#include "commands.h"
#include "doctor_run.h"
#include "render_doctor.h"
#include "die.h"

int cmd_doctor(const struct args *a)
{
    struct doctor_request q = {a->operands, (int)arg_number(a, "--expect-exit"),
                               arg_given(a, "--squeeze") ? arg_number(a, "--squeeze") : -1,
                               (double)arg_number(a, "--timeout") * a->settings.timeout_factor,
                               &a->settings};
    struct doctor_result r;
    struct doctor_error e;
    if (!doctor_run(&q, &r, &e)) {
        if (e.timed_out) {
            fprintf(stderr, "statictls: %s\n", e.message);
            return EXIT_TIMEOUT;
        }
        if (e.input)
            die_input("%s", e.message);
        die("%s", e.message);
    }
    if (arg_given(a, "--json"))
        render_doctor_json(&q, &r);
    else
        render_doctor(&q, &r);
    int code = r.found == DOCTOR_WORKS || doctor_fixed(&r) ? EXIT_PASS : EXIT_TRIPPED;
    doctor_result_free(&r);
    return code;
}
