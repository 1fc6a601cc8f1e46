/* How a probe's records become step results, and when a run counts: a
   step the probe never reached is never "loaded". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"
#include "record.h"
#include "xalloc.h"

static void three_loads(struct plan *p)
{
    memset(p, 0, sizeof *p);
    plan_add(p, OP_LOAD, "a", "a.so", 0);
    plan_add(p, OP_LOAD, "b", "b.so", 0);
    plan_add(p, OP_LOAD, "c", "c.so", 0);
}

/* A probe result from record lines, ended as given. */
static void fake_probe(struct probe_result *pr, enum probe_end end, int code,
                       const char *const *lines)
{
    memset(pr, 0, sizeof *pr);
    pr->end = end;
    pr->code = code;
    pr->output = xstrdup(code == 3 ? "statictls-probe: too many steps: Argument list too long" : "");
    for (size_t i = 0; lines[i]; i++) {
        struct record r;
        assert_true(record_parse(lines[i], &r));
        *XAPPEND(&pr->records, &pr->nrecords) = r;
    }
}

static void probe_refusing_is_no_success(void **state)
{
    (void)state;
    struct plan p;
    three_loads(&p);
    const char *none[] = {NULL};
    struct probe_result pr;
    fake_probe(&pr, PROBE_EXITED, 3, none);
    struct step_result r[3];
    plan_read_results(&p, &pr, 4224, r);
    for (int i = 0; i < 3; i++) {
        assert_false(r[i].ran);
        assert_int_equal(r[i].kind, KIND_NOT_RUN);
    }
    assert_int_equal(first_failure(&p, r), 1);
    char why[512];
    assert_non_null(plan_probe_failure(&p, r, &pr, why, sizeof why));
    assert_non_null(strstr(why, "exit 3 outside any step"));
    assert_non_null(strstr(why, "too many steps"));
    step_results_free(r, 3);
    probe_result_free(&pr);
    plan_free(&p);
}

static void steps_after_a_crash_did_not_run(void **state)
{
    (void)state;
    struct plan p;
    three_loads(&p);
    const char *lines[] = {"begin\tstep=1", "step\tstep=1\tok=1\tpath=a.so", "begin\tstep=2", NULL};
    struct probe_result pr;
    fake_probe(&pr, PROBE_SIGNALED, 11, lines);
    struct step_result r[3];
    plan_read_results(&p, &pr, 4224, r);
    assert_int_equal(r[0].kind, KIND_LOADED);
    assert_int_equal(r[1].kind, KIND_CRASHED);
    assert_int_equal(r[2].kind, KIND_NOT_RUN);
    assert_int_equal(first_failure(&p, r), 2);
    char why[512];
    assert_null(plan_probe_failure(&p, r, &pr, why, sizeof why)); /* step 2 explains it */
    step_results_free(r, 3);
    probe_result_free(&pr);
    plan_free(&p);
}

static void a_crash_between_steps_fails_the_run(void **state)
{
    (void)state;
    struct plan p;
    three_loads(&p);
    const char *lines[] = {"begin\tstep=1", "step\tstep=1\tok=1", NULL};
    struct probe_result pr;
    fake_probe(&pr, PROBE_SIGNALED, 11, lines);
    struct step_result r[3];
    plan_read_results(&p, &pr, 4224, r);
    assert_int_equal(first_failure(&p, r), 2);
    assert_int_equal(r[1].kind, KIND_NOT_RUN);
    char why[512];
    assert_non_null(plan_probe_failure(&p, r, &pr, why, sizeof why));
    step_results_free(r, 3);
    probe_result_free(&pr);
    plan_free(&p);
}

static void a_complete_run_counts(void **state)
{
    (void)state;
    struct plan p;
    three_loads(&p);
    const char *lines[] = {"begin\tstep=1", "step\tstep=1\tok=1", "begin\tstep=2",
                           "step\tstep=2\tok=1", "begin\tstep=3", "step\tstep=3\tok=1", "end",
                           NULL};
    struct probe_result pr;
    fake_probe(&pr, PROBE_EXITED, 0, lines);
    struct step_result r[3];
    plan_read_results(&p, &pr, 4224, r);
    assert_int_equal(first_failure(&p, r), 0);
    char why[512];
    assert_null(plan_probe_failure(&p, r, &pr, why, sizeof why));
    /* The same records without the end record: cut short, not a success. */
    record_free(&pr.records[--pr.nrecords]);
    assert_non_null(plan_probe_failure(&p, r, &pr, why, sizeof why));
    step_results_free(r, 3);
    probe_result_free(&pr);
    plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_refusing_is_no_success),
        cmocka_unit_test(steps_after_a_crash_did_not_run),
        cmocka_unit_test(a_crash_between_steps_fails_the_run),
        cmocka_unit_test(a_complete_run_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
