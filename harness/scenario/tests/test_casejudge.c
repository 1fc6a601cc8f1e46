/* case_judge is a function of what a run recorded: the same facts give
   the same verdict, with no probe run.  Each kind of end, the steps
   against the model and the expectation, the headroom, a missing
   library, another release's model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caserun.h"
#include "xalloc.h"

static char err[1024];

/* A run of text's case on glibc 2.41 x86_64 whose two steps loaded as
   modelled, ending with the probe's exit 0. */
struct fixture {
    struct case_def c;
    struct case_result r;
    struct step_result measured[2];
    struct step_prediction modelled[2];
};

static struct fixture *setup(const char *text)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    if (!case_parse("x.case", text, &f->c, err, sizeof err))
        fail_msg("%s", err);
    struct case_result *r = &f->r;
    r->def = &f->c;
    r->end = CASE_ENDED_STEPS;
    r->headroom = -1;
    r->have_budget = true;
    r->budget.libc_name = (char *)"glibc";
    r->budget.libc_version = (char *)"2.41";
    r->budget.machine = (char *)"x86_64";
    r->budget.modelled = true;
    r->budget.startup_failure = KIND_LOADED;
    plan_add(&r->plan, OP_LOAD, "a", "a.so", 0);
    plan_add(&r->plan, OP_LOAD, "b", "b.so", 0);
    for (size_t i = 0; i < 2; i++) {
        f->measured[i] = (struct step_result){.ran = true, .done = true, .kind = KIND_LOADED};
        f->modelled[i] = (struct step_prediction){.known = true, .kind = KIND_LOADED};
    }
    r->measured = f->measured;
    r->modelled = f->modelled;
    r->prediction_complete = true;
    return f;
}

static void teardown(struct fixture *f)
{
    plan_free(&f->r.plan);
    case_free(&f->c);
    free(f);
}

/* Step i failed with kind, measured and modelled alike. */
static void trip(struct fixture *f, size_t i, enum load_kind kind, const char *message)
{
    f->measured[i].kind = f->modelled[i].kind = kind;
    f->measured[i].error = (char *)message;
    f->r.trip = f->r.predicted_trip = i + 1;
}

#define ASSERT_VERDICT(f, v, text)                                                           \
    do {                                                                                     \
        struct case_verdict got = case_judge(&(f)->c, &(f)->r);                              \
        if (got.verdict != (v) || !strstr(got.reason, (text)))                               \
            fail_msg("%s: %s, expected %s with \"%s\"", verdict_name(got.verdict),           \
                     got.reason, verdict_name(v), (text));                                   \
    } while (0)

static void steps_against_the_expectation(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1\nfixture b ie 1\nload a\nload b\nexpect loads\n");
    ASSERT_VERDICT(f, VERDICT_PASS, "every step loaded, as expected");
    trip(f, 1, KIND_STATIC_TLS_EXHAUSTED, "b.so: cannot allocate memory in static TLS block");
    ASSERT_VERDICT(f, VERDICT_FAIL, "expected every step to load; step 2: b.so: cannot");
    teardown(f);

    f = setup("fixture a ie 1\nfixture b ie 1\nload a\nload b\n"
              "expect trip 2 static-tls-exhausted \"static TLS\"\n");
    trip(f, 1, KIND_STATIC_TLS_EXHAUSTED, "b.so: cannot allocate memory in static TLS block");
    ASSERT_VERDICT(f, VERDICT_PASS, "step 2 failed with static-tls-exhausted, as expected");
    f->measured[1].error = (char *)"b.so: something else";
    ASSERT_VERDICT(f, VERDICT_FAIL, "the message lacks \"static TLS\"");
    teardown(f);
}

static void the_model_before_the_expectation(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1\nfixture b ie 1\nload a\nload b\nexpect loads\n");
    f->modelled[1].kind = KIND_STATIC_TLS_EXHAUSTED;
    ASSERT_VERDICT(f, VERDICT_FAIL, "step 2 disagrees with the model: measured loaded");
    f->modelled[1].kind = KIND_LOADED;
    /* plan_probe_failure's reason, recorded by the run: a failure. */
    f->r.probe_failure = (char *)"the probe ended by signal 11 (SIGSEGV) outside any step";
    ASSERT_VERDICT(f, VERDICT_FAIL, "the probe ended by signal");
    f->r.probe_failure = NULL; /* a step says why (test_plan.c) */
    f->measured[1].kind = f->modelled[1].kind = KIND_CRASHED;
    f->r.trip = 2;
    ASSERT_VERDICT(f, VERDICT_FAIL, "expected every step to load; step 2: crashed");
    f->modelled[0].undefined = "glibc's bug";
    ASSERT_VERDICT(f, VERDICT_SKIP, "step 1: glibc's bug: undefined from here");
    teardown(f);
}

static void an_expectation_for_elsewhere_is_the_models(void **state)
{
    (void)state;
    struct fixture *f = setup("arch aarch64\nfixture a ie 1\nfixture b ie 1\nload a\nload b\n"
                              "expect trip 1 static-tls-exhausted\n");
    ASSERT_VERDICT(f, VERDICT_PASS, "as the model predicts (the expectation is for aarch64)");
    teardown(f);
    f = setup("libc glibc<=2.21\nfixture a ie 1\nfixture b ie 1\nload a\nload b\nexpect loads\n");
    trip(f, 0, KIND_STATIC_TLS_COUNT, "cannot load any more object with static TLS");
    ASSERT_VERDICT(f, VERDICT_PASS, "step 1 failed with static-tls-count-limit, as the model "
                                    "predicts (the expectation is for glibc<=2.21)");
    teardown(f);
}

static void the_headroom_once_measured(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1\nfixture b ie 1\nload a\nload b\n"
                              "expect headroom >= 100\n");
    assert_true(case_headroom_due(&f->c, &f->r));
    ASSERT_VERDICT(f, VERDICT_PASS, "every step loaded"); /* not measured yet */
    f->r.headroom = 99;
    assert_false(case_headroom_due(&f->c, &f->r));
    ASSERT_VERDICT(f, VERDICT_FAIL, "headroom 99 bytes after the steps (measured: 99 loads, "
                                    "100 fails), expected at least 100");
    f->r.headroom = 100;
    ASSERT_VERDICT(f, VERDICT_PASS, "at least 100 as expected");
    f->r.headroom = -1;
    f->r.headroom_error = (char *)"the probe crashed";
    ASSERT_VERDICT(f, VERDICT_FAIL, "could not be measured: the probe crashed");
    f->r.headroom_error = NULL;
    trip(f, 1, KIND_STATIC_TLS_EXHAUSTED, "no room");
    assert_false(case_headroom_due(&f->c, &f->r)); /* a step failed: nothing to measure */
    ASSERT_VERDICT(f, VERDICT_FAIL, "expected every step to load");
    teardown(f);
}

static void a_missing_library_skips_and_says_where(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1\nlib b libnothere.so.1\nload a\nload b\n"
                              "expect loads\n");
    trip(f, 1, KIND_NOT_FOUND, "libnothere.so.1: cannot open shared object file");
    struct case_verdict v = case_judge(&f->c, &f->r);
    assert_int_equal(v.verdict, VERDICT_SKIP);
    assert_string_equal(v.reason, "library b (libnothere.so.1) is not on this machine");
    assert_true(v.missing_library);
    assert_int_equal(v.missing_line, 2);
    f->r.libc_tree = (char *)"/trees/glibc-2.17";
    f->r.search_path = (char *)"/trees/glibc-2.17/lib";
    v = case_judge(&f->c, &f->r);
    assert_int_equal(v.verdict, VERDICT_SKIP);
    assert_non_null(strstr(v.reason, "is not in the glibc tree /trees/glibc-2.17"));
    assert_false(v.missing_library);
    teardown(f);
}

static void ends_before_the_steps(void **state)
{
    (void)state;
    struct fixture *f = setup("libc musl\nfixture a ie 1\nfixture b ie 1\nload a\nload b\n"
                              "expect loads\n");
    f->r.end = CASE_ENDED_OTHER_LIBC;
    ASSERT_VERDICT(f, VERDICT_SKIP, "the case is about musl; this is glibc");
    f->r.end = CASE_ENDED_NO_BUDGET;
    strcpy(f->r.error, "the budget probe did not report");
    ASSERT_VERDICT(f, VERDICT_FAIL, "the budget probe did not report");
    f->r.end = CASE_ENDED_NO_STEPS;
    ASSERT_VERDICT(f, VERDICT_FAIL, "the probe took no steps");
    f->r.end = CASE_ENDED_TLS_UNMAPPABLE;
    ASSERT_VERDICT(f, VERDICT_ERROR, "x.case: the probe cannot map its static TLS area within "
                                     "its memory limit (4294967296 bytes");
    f->r.end = CASE_ENDED_NO_MODEL;
    strcpy(f->r.budget.why_not_modelled, "no model for musl");
    ASSERT_VERDICT(f, VERDICT_SKIP, "sizes use free, and there is no model here: no model");
    teardown(f);
}

static void a_refused_startup(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1 align=4096\npreload a\naudit 1\n"
                              "expect trip 0 static-tls-exhausted\n");
    f->r.end = CASE_ENDED_STARTUP_REFUSED;
    f->r.startup_failed = true;
    f->r.startup_kind = KIND_STATIC_TLS_EXHAUSTED;
    f->r.startup_error = (char *)"a.so: cannot allocate memory in static TLS block";
    ASSERT_VERDICT(f, VERDICT_FAIL, "ld.so refused to start the process (a.so: cannot "
                                    "allocate memory in static TLS block), but the model says "
                                    "it starts");
    f->r.budget.startup_failure = KIND_STATIC_TLS_EXHAUSTED;
    ASSERT_VERDICT(f, VERDICT_PASS, "refused to start the process with static-tls-exhausted, "
                                    "as expected");
    teardown(f);
}

static void another_release_by_the_model(void **state)
{
    (void)state;
    struct fixture *f = setup("fixture a ie 1\nfixture b ie 1\nload a\nload b\nexpect model\n");
    f->r.measured = NULL;
    f->r.modelled_for = (char *)"2.17";
    ASSERT_VERDICT(f, VERDICT_PASS, "modelled for glibc 2.17: every step loads");
    f->modelled[1].kind = KIND_STATIC_TLS_COUNT;
    f->r.predicted_trip = 2;
    ASSERT_VERDICT(f, VERDICT_PASS, "modelled for glibc 2.17: step 2 fails with "
                                    "static-tls-count-limit");
    f->r.prediction_complete = false;
    ASSERT_VERDICT(f, VERDICT_SKIP, "glibc 2.17: the model cannot predict every step");
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(steps_against_the_expectation),
        cmocka_unit_test(the_model_before_the_expectation),
        cmocka_unit_test(an_expectation_for_elsewhere_is_the_models),
        cmocka_unit_test(the_headroom_once_measured),
        cmocka_unit_test(a_missing_library_skips_and_says_where),
        cmocka_unit_test(ends_before_the_steps),
        cmocka_unit_test(a_refused_startup),
        cmocka_unit_test(another_release_by_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
