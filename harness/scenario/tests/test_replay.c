/* What replay refuses comes back as a value (the command prints it and
   exits 2): a --fix that does not parse, a trace object no fixture can
   stand for, more steps than a case holds; a trace with nothing to
   replay is no error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"
#include "synthetic_trace.h"
#include "xalloc.h"

static char text[1400];

static void fix_refused(const char *arg, const char *message)
{
    struct fix f;
    struct replay_error e;
    assert_false(replay_fix_parse(arg, &f, &e));
    assert_true(e.input);
    assert_null(e.file);
    assert_string_equal(replay_error_text(&e, text, sizeof text), message);
}

static void fixes_parse_or_say_why(void **state)
{
    (void)state;
    struct fix f;
    struct replay_error e;
    assert_true(replay_fix_parse("rebuild=libgomp:tlsdesc", &f, &e));
    assert_int_equal(f.kind, FIX_REBUILD);
    assert_string_equal(f.name, "libgomp");
    assert_int_equal(f.rebuilt_as, TLS_DESC);
    fix_free(&f);
    assert_true(replay_fix_parse("tunable=optional_static_tls=4096", &f, &e));
    assert_int_equal(f.kind, FIX_TUNABLE);
    assert_string_equal(f.tunable, "optional_static_tls=4096");
    fix_free(&f);
    fix_refused("nonsense", "--fix nonsense: expected preload=NAME, first=NAME, "
                            "tunable=NAME=VALUE or rebuild=NAME:tlsdesc|gd");
    fix_refused("rebuild=x:ie", "--fix rebuild=x:ie: expected preload=NAME, first=NAME, "
                                "tunable=NAME=VALUE or rebuild=NAME:tlsdesc|gd");
    fix_refused("first=", "--fix first=: name the object");
    fix_refused("tunable=a=b c", "--fix tunable=a=b c: a tunable has letters, digits and "
                                 "._-+=:, only");
}


static void check_refused(uint64_t align, uint64_t size, const char *message)
{
    struct trace t;
    synthetic_trace(&t, 2, align, size);
    struct replay_error e;
    assert_false(replay_check(&t, "t.trace", &e));
    assert_true(e.input);
    assert_string_equal(replay_error_text(&e, text, sizeof text), message);
    trace_free(&t);
}

static void objects_no_fixture_stands_for(void **state)
{
    (void)state;
    struct trace t;
    synthetic_trace(&t, 2, 64, 100);
    struct replay_error e;
    assert_true(replay_check(&t, "t.trace", &e));
    trace_free(&t);
    check_refused(3, 100, "t.trace:3: tls_align 3 is not a power of two");
    check_refused(8192, 100, "t.trace:3: tls_align 8192: a fixture is aligned to at most 4096");
    check_refused(8, 1ULL << 31, "t.trace:3: a TLS block of 2147483648 bytes: a fixture holds "
                                 "at most 1073741824");
}

static void more_steps_than_a_case_holds(void **state)
{
    (void)state;
    struct trace t;
    synthetic_trace(&t, CASE_MAX_STEPS + 1, 1, 1);
    struct replay r = {.trace = &t, .trace_path = "many.trace", .squeeze = -1};
    struct replay_result out;
    struct replay_error e;
    assert_false(replay_case(&r, NULL, &out, &e));
    assert_true(e.input);
    assert_string_equal(replay_error_text(&e, text, sizeof text),
                        "many.trace: 4001 steps to replay; a case holds at most 4000");
    trace_free(&t);
}

static void nothing_to_replay(void **state)
{
    (void)state;
    struct trace t;
    synthetic_trace(&t, 0, 1, 1);
    struct replay r = {.trace = &t, .trace_path = "true.trace", .squeeze = -1};
    struct replay_result out;
    struct replay_error e;
    assert_true(replay_case(&r, NULL, &out, &e)); /* nothing runs: no build needed */
    assert_true(out.nothing);
    char outcome[512];
    replay_outcome(&out, outcome, sizeof outcome);
    assert_string_equal(outcome, "nothing to replay: no object with TLS was dlopen'ed");
    replay_result_free(&out);
    trace_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixes_parse_or_say_why),
        cmocka_unit_test(objects_no_fixture_stands_for),
        cmocka_unit_test(more_steps_than_a_case_holds),
        cmocka_unit_test(nothing_to_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
