/* A command as doctor reads it: env's word list (its variables, -u, -i),
   the program's environment, and the command changed by a fix, in env's
   list where env sets that variable, before the command otherwise. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>

#include "launcher.h"
#include "xalloc.h"
#include "xpath.h"
#include "tunesearch.h"

static char *user_env[] = {"PATH=/usr/bin:/bin", "LD_AUDIT=/a.so",
                           "GLIBC_TUNABLES=glibc.malloc.check=0", NULL};

static void drops_the_helper(void **state)
{
    (void)state;
    char *cases[][6] = {{"env", "-i", "X=1", "true", NULL},
                        {"env", "-", "true", NULL},
                        {"/usr/bin/env", "--ignore-environment", "true", NULL},
                        {"env", "-u", "LD_PRELOAD", "true", NULL},
                        {"env", "-uLD_PRELOAD", "true", NULL},
                        {"env", "-vu", "LD_PRELOAD", "true", NULL},
                        {"env", "--unset=LD_PRELOAD", "true", NULL},
                        {"env", "--unset", "LD_PRELOAD", "true", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct launch l;
        char why[1024];
        assert_false(launch_read(cases[i], user_env, &l, why, sizeof why));
        assert_non_null(strstr(why, "nothing measured"));
    }
}

static void reads_env_words(void **state)
{
    (void)state;
    char *argv[] = {"env", "-u", "LD_AUDIT", "LD_PRELOAD=/p.so", "A=1", "true", "x", NULL};
    struct launch l;
    char why[1024];
    assert_true(launch_read(argv, user_env, &l, why, sizeof why));
    assert_true(l.env_form);
    assert_int_equal(l.assign_at, 3);
    assert_int_equal(l.prog_at, 5);
    assert_null(launch_getenv(&l, "LD_AUDIT"));
    assert_string_equal(launch_getenv(&l, "LD_PRELOAD"), "/p.so");
    assert_non_null(strstr(l.program, "/true"));
    launch_free(&l);

    char *opaque[] = {"env", "-C", "/", "true", NULL};
    assert_true(launch_read(opaque, user_env, &l, why, sizeof why));
    assert_false(l.env_form);
    assert_string_equal(l.opaque_option, "-C");
    launch_free(&l);
}

static void missing_programs_named(void **state)
{
    (void)state;
    char *cases[][4] = {{"/no/such/prog", NULL},
                        {"env", "A=1", "/no/such/prog", NULL},
                        {"no-such-program-here", NULL},
                        {"/", NULL}};
    const char *said[] = {"cannot run /no/such/prog: No such file", "cannot run /no/such/prog",
                          "cannot run no-such-program-here: not found in PATH",
                          "cannot run /: not a regular file"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct launch l;
        char why[1024];
        assert_false(launch_read(cases[i], user_env, &l, why, sizeof why));
        assert_non_null(strstr(why, said[i]));
    }
}

static void changed_lines(void **state)
{
    (void)state;
    struct launch l;
    char why[1024];
    /* Plain: the tunable before the command, the auditor dropped by env -u. */
    char *plain[] = {"true", "a b", NULL};
    assert_true(launch_read(plain, user_env, &l, why, sizeof why));
    char *t = tunables_with(launch_getenv(&l, "GLIBC_TUNABLES"), "glibc.rtld.optional_static_tls", 673);
    assert_string_equal(t, "glibc.malloc.check=0:glibc.rtld.optional_static_tls=673");
    struct launch_command c;
    launch_change(&l, &(struct launch_change){.set_name = "GLIBC_TUNABLES", .set_value = t}, &c);
    char *line = launch_change_line(&c);
    assert_string_equal(line, "GLIBC_TUNABLES=glibc.malloc.check=0:"
                              "glibc.rtld.optional_static_tls=673 true 'a b'");
    free(line), free(t);
    launch_command_free(&c);
    launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
    line = launch_change_line(&c);
    assert_string_equal(line, "env -u LD_AUDIT true 'a b'");
    free(line);
    launch_command_free(&c);
    launch_free(&l);

    /* env's list sets the tunables: the fix goes there, theirs replaced. */
    char *listed[] = {"env", "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=600",
                      "LD_AUDIT=/b.so", "true", NULL};
    assert_true(launch_read(listed, user_env, &l, why, sizeof why));
    t = tunables_with(launch_getenv(&l, "GLIBC_TUNABLES"), "glibc.rtld.optional_static_tls", 700);
    assert_string_equal(t, "glibc.rtld.optional_static_tls=700");
    launch_change(&l, &(struct launch_change){.set_name = "GLIBC_TUNABLES", .set_value = t}, &c);
    line = launch_change_line(&c);
    assert_string_equal(line, "env LD_AUDIT=/b.so "
                              "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=700 true");
    free(line), free(t);
    launch_command_free(&c);
    /* Without the auditor env sets: its word gone; the user's own unset too. */
    launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
    line = launch_change_line(&c);
    assert_string_equal(line, "env -u LD_AUDIT "
                              "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=600 true");
    free(line);
    launch_command_free(&c);
    launch_free(&l);

    char *dashes[] = {"env", "--", "A=1", "true", NULL};
    assert_true(launch_read(dashes, user_env, &l, why, sizeof why));
    launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
    line = launch_change_line(&c);
    assert_string_equal(line, "env -u LD_AUDIT -- A=1 true");
    free(line);
    launch_command_free(&c);
    launch_free(&l);

    char *only[] = {"env", "LD_AUDIT=/b.so", "true", NULL};
    char *no_audit[] = {"PATH=/usr/bin:/bin", NULL};
    assert_true(launch_read(only, no_audit, &l, why, sizeof why));
    launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
    line = launch_change_line(&c);
    assert_string_equal(line, "true");
    free(line);
    launch_command_free(&c);
    launch_free(&l);
}

/* A program whose name starts with '-' (env runs it after a variable):
   the changed command still runs it, never hands it to env as an option
   ("-" alone is env's -i, and env then runs nothing). A word "=x" is one
   of env's variables, as env reads it. */
static void dash_programs_stay_programs(void **state)
{
    (void)state;
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = make_scratch_dir(tmpdir, "statictls-launcher");
    char *prog = xasprintf("%s/-", dir);
    FILE *f = fopen(prog, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(prog, 0755), 0);
    char *path = xasprintf("PATH=%s:/usr/bin:/bin", dir);
    char *theirs[] = {path, "LD_AUDIT=/a.so", NULL};
    char *none[] = {path, NULL};
    struct launch l;
    struct launch_command c;
    char why[1024];
    char *argv[] = {"env", "LD_AUDIT=/b.so", "-", "a", NULL};
    static const struct {
        bool user_audit;
        const char *line;
    } cases[] = {{true, "env -u LD_AUDIT -- - a"}, {false, "'-' a"}};
    for (size_t i = 0; i < 2; i++) {
        assert_true(launch_read(argv, cases[i].user_audit ? theirs : none, &l, why, sizeof why));
        launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
        char *line = launch_change_line(&c);
        assert_string_equal(line, cases[i].line);
        free(line);
        launch_command_free(&c);
        launch_free(&l);
    }
    char *keep[] = {"env", "A=1", "-", NULL};
    assert_true(launch_read(keep, theirs, &l, why, sizeof why));
    launch_change(&l, &(struct launch_change){.drop = "LD_AUDIT"}, &c);
    char *line = launch_change_line(&c);
    assert_string_equal(line, "env -u LD_AUDIT -- A=1 -");
    free(line);
    launch_command_free(&c);
    launch_free(&l);

    char *empty_name[] = {"env", "=x", "true", NULL};
    assert_true(launch_read(empty_name, none, &l, why, sizeof why));
    assert_string_equal(l.argv[l.prog_at], "true");
    launch_free(&l);
    remove_tree(dir);
    free(dir), free(prog), free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drops_the_helper),
        cmocka_unit_test(reads_env_words),
        cmocka_unit_test(missing_programs_named),
        cmocka_unit_test(changed_lines),
        cmocka_unit_test(dash_programs_stay_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
