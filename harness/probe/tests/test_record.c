/* The probe's record lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "record.h"

static void parses_and_rejects(void **state)
{
    (void)state;
    struct record r;
    long v;
    assert_true(record_parse("step\tstep=3\tok=0\terr=x.so: cannot = here", &r));
    assert_string_equal(r.kind, "step");
    assert_true(record_get_long(&r, "step", &v));
    assert_int_equal(v, 3);
    assert_string_equal(record_get(&r, "err"), "x.so: cannot = here");
    assert_null(record_get(&r, "missing"));
    assert_false(record_get_long(&r, "err", &v));
    record_free(&r);
    assert_false(record_parse("", &r));
    assert_false(record_parse("kind=value", &r));
    assert_false(record_parse("step\tnoequals", &r));
    assert_false(record_parse("step\t=value", &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(parses_and_rejects)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
