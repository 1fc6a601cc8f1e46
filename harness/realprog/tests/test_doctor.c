/* doctor's pieces that need no command: the diagnosis of a trace under a
   given model, and what makes its exit 0 (the pasteable line:
   test_shellquote.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doctor.h"
#include "doctor_run.h"
#include "xalloc.h"

/* A fresh x86_64 process as glibc VERSION would lay it out, libc's
   144-byte block at startup. */
static void budget_for(const char *version, struct budget *b)
{
    memset(b, 0, sizeof *b);
    struct glibc_rules r;
    char why[256];
    assert_true(glibc_rules_for(version, "x86_64", false, &r, why, sizeof why));
    struct tunables t;
    tunables_parse(&r, NULL, NULL, &t);
    size_t surplus = model_surplus(&r, &t, why, sizeof why);
    model_start(&b->model, &r, surplus, t.optional, 144, 144, 64);
    b->model.modid_used[1] = true;
}

/* The trace of 14 dynamic-TLS modules, threads, then libgomp (id 16). */
static int read_trace(void **state)
{
    static struct trace t;
    char err[512];
    if (!trace_read(TEST_DATA "/threads-after-14.trace", &t, err, sizeof err))
        return -1;
    *state = &t;
    return 0;
}

static int free_trace(void **state)
{
    trace_free(*state);
    return 0;
}

/* glibc <= 2.21's count rule: an IE module with id 16 once threads run. */
static void count_rule_at_id_16(void **state)
{
    const struct trace *t = *state;
    struct budget b;
    budget_for("2.17", &b);
    struct diagnosis dx;
    diagnose(&b, t, 1000, "dlopen: cannot load any more object with static TLS", &dx);
    assert_null(dx.tripped); /* the message names no object */
    assert_int_not_equal(dx.trip, 0);
    const struct held_object *o = &dx.objects[dx.trip - 1];
    assert_string_equal(placement_rule(o->how), "count");
    assert_string_equal(o->path, "/opt/a/libgomp.so.1");
    assert_int_equal(dx.free_at_trip, 1000);
    diagnosis_free(&dx);
    /* 2.36 has no count rule: everything fits in 1000 bytes. */
    budget_for("2.36", &b);
    diagnose(&b, t, 1000, NULL, &dx);
    assert_int_equal(dx.trip, 0);
    diagnosis_free(&dx);
}

/* The size rule, the object named by glibc, the padding counted. */
static void size_rule_names_object(void **state)
{
    const struct trace *t = *state;
    struct budget b;
    budget_for("2.36", &b);
    struct diagnosis dx;
    diagnose(&b, t, 100,
             "ImportError: /opt/a/libgomp.so.1: cannot allocate memory in static TLS block", &dx);
    assert_string_equal(dx.tripped, "/opt/a/libgomp.so.1");
    assert_int_not_equal(dx.trip, 0);
    assert_string_equal(placement_rule(dx.objects[dx.trip - 1].how), "size");
    assert_int_equal(dx.free_at_trip, 100);
    assert_true(dx.objects[0].startup); /* libc, in the initial block */
    diagnosis_free(&dx);
    /* With 150 free, the 136-byte block aligned 16 takes 150: 14 of padding. */
    diagnose(&b, t, 150, NULL, &dx);
    assert_int_equal(dx.trip, 0);
    assert_int_equal(dx.objects[dx.nobjects - 1].use, 150);
    diagnosis_free(&dx);
}

static void add(struct doctor_result *r, enum fix_kind kind, bool on_command, bool works)
{
    *XAPPEND(&r->fixes, &r->nfixes) =
        (struct doctor_fix){kind, xstrdup("libgomp.so.1"), xstrdup("line"), on_command, works,
                            xstrdup("evidence")};
}

/* Only a fix verified on the command itself makes doctor succeed: a rebuild
   validated by replay alone does not, nor one that was tried and failed. */
static void fixed_only_by_a_fix_verified_on_the_command(void **state)
{
    (void)state;
    struct doctor_result r = {.found = DOCTOR_FAILS};
    assert_false(doctor_fixed(&r));
    add(&r, FIX_REBUILD, false, true);
    add(&r, FIX_PRELOAD, true, false);
    assert_false(doctor_fixed(&r));
    add(&r, FIX_TUNABLE, true, true);
    assert_true(doctor_fixed(&r));
    r.found = DOCTOR_NOT_STATIC_TLS; /* nothing was searched for it */
    assert_false(doctor_fixed(&r));
    doctor_result_free(&r);
    assert_null(r.fixes);
    assert_int_equal(r.nfixes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(count_rule_at_id_16, read_trace, free_trace),
        cmocka_unit_test_setup_teardown(size_rule_names_object, read_trace, free_trace),
        cmocka_unit_test(fixed_only_by_a_fix_verified_on_the_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
