/* The environment's settings, read once: defaults, each variable, and the
   values statictls refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "settings.h"

static void defaults_without_variables(void **state)
{
    (void)state;
    char *env[] = {"HOME=/root", NULL};
    struct settings s;
    char err[256];
    assert_true(settings_read(&s, env, err, sizeof err));
    assert_false(s.keep);
    assert_false(s.coredumps);
    assert_true(s.timeout_factor == 1.0);
    assert_string_equal(s.tmpdir, "/tmp");
    assert_ptr_equal(s.user_env, env);
    assert_true(settings_read(&s, NULL, err, sizeof err)); /* no environment at all */
    assert_non_null(s.user_env);
    assert_null(s.user_env[0]);
}

static void each_variable_read(void **state)
{
    (void)state;
    char *env[] = {"STATICTLS_KEEP=1", "STATICTLS_COREDUMPS=yes", "STATICTLS_TIMEOUT_FACTOR=2.5",
                   "TMPDIR=/var/tmp", "STATICTLS_STRICT=1", NULL};
    struct settings s;
    char err[256];
    assert_true(settings_read(&s, env, err, sizeof err));
    assert_true(s.keep);
    assert_true(s.coredumps);
    assert_true(s.strict);
    assert_true(s.timeout_factor == 2.5);
    assert_string_equal(s.tmpdir, "/var/tmp");
    char *empty_tmpdir[] = {"TMPDIR=", NULL}; /* empty: the default */
    assert_true(settings_read(&s, empty_tmpdir, err, sizeof err));
    assert_string_equal(s.tmpdir, "/tmp");
    char *off[] = {"STATICTLS_KEEP=0", "STATICTLS_COREDUMPS=", "STATICTLS_STRICT=0",
                   NULL}; /* "0" and "": off */
    assert_true(settings_read(&s, off, err, sizeof err));
    assert_false(s.keep);
    assert_false(s.coredumps);
    assert_false(s.strict);
}

static void refused_values_say_why(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"STATICTLS_TIMEOUT_FACTOR=fast", "STATICTLS_TIMEOUT_FACTOR=\"fast\": expected a number"},
        {"STATICTLS_TIMEOUT_FACTOR=0", "expected a number from 0.01 to 1000000"},
        {"STATICTLS_TIMEOUT_FACTOR=-1", "expected a number from 0.01"},
        {"STATICTLS_TIMEOUT_FACTOR=0.001", "expected a number from 0.01"},
        {"STATICTLS_TIMEOUT_FACTOR=nan", "expected a number from 0.01"},
        {"STATICTLS_TIMEOUT_FACTOR=2000000", "to 1000000"},
        {"TMPDIR=/nonexistent-statictls-dir", "TMPDIR=\"/nonexistent-statictls-dir\": No such file"},
        {"TMPDIR=/etc/passwd", "not a directory"},
        {"TMPDIR=/tmp/a b", "TMPDIR=\"/tmp/a b\": a space or ':'"},
        {"TMPDIR=/tmp/a:b", "would split the LD_PRELOAD and LD_AUDIT lists"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *env[] = {(char *)bad[i][0], NULL};
        struct settings s;
        char err[256] = "";
        assert_false(settings_read(&s, env, err, sizeof err));
        assert_non_null(strstr(err, bad[i][1]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_without_variables),
        cmocka_unit_test(each_variable_read),
        cmocka_unit_test(refused_values_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
