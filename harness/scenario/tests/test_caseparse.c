/* The case parser: good files expand as written, bad ones say file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "caseparse.h"
#include "xalloc.h"

static char err[1024];

static void parses_a_full_case(void **state)
{
    (void)state;
    struct case_def c;
    const char *text = "# comment\n"
                       "title Two loads\n"
                       "tunables glibc.rtld.optional_static_tls=0\n"
                       "libc glibc\n"
                       "arch x86_64\n"
                       "fixture a ie free-100 align=16   # trailing comment\n"
                       "fixture b tlsdesc 64\n"
                       "lib gomp libgomp.so.1\n"
                       "threads 2\n"
                       "load a\n"
                       "repeat 3\n"
                       "load b\n"
                       "close b\n"
                       "end\n"
                       "load gomp\n"
                       "expect trip 9 static-tls-exhausted \"libgomp.so.1: cannot\"\n";
    assert_true(case_parse("x.case", text, &c, err, sizeof err));
    assert_string_equal(c.title, "Two loads");
    assert_string_equal(c.tunables, "glibc.rtld.optional_static_tls=0");
    assert_string_equal(c.libc, "glibc");
    assert_string_equal(c.arch, "x86_64");
    assert_int_equal(c.nobjects, 3);
    assert_true(c.objects[0].size.relative_to_free);
    assert_int_equal(c.objects[0].size.value, -100);
    assert_int_equal(c.objects[0].align, 16);
    assert_int_equal(c.objects[1].kind, OBJ_FIXTURE);
    assert_int_equal(c.objects[1].access, TLS_DESC);
    assert_int_equal(c.nsteps, 1 + 1 + 3 * 2 + 1);
    assert_int_equal(c.steps[0].op, OP_THREADS);
    assert_int_equal(c.steps[2].instance, 1);
    assert_int_equal(c.steps[6].instance, 3); /* third copy of "load b" */
    assert_int_equal(c.steps[1].object, 0); /* names resolved at parse time */
    assert_int_equal(c.steps[0].object, CASE_NONE);
    assert_int_equal(c.steps[3].closes, 2); /* each close its own copy's load */
    assert_int_equal(c.steps[7].closes, 6);
    assert_int_equal(c.expect, EXPECT_TRIP);
    assert_int_equal(c.expect_step, 9);
    assert_int_equal(c.expect_kind, KIND_STATIC_TLS_EXHAUSTED);
    assert_string_equal(c.expect_message, "libgomp.so.1: cannot");
    case_free(&c);
}

static void rejects(const char *text, const char *message)
{
    struct case_def c;
    err[0] = '\0';
    assert_false(case_parse("bad.case", text, &c, err, sizeof err));
    if (!strstr(err, message))
        fail_msg("error \"%s\" lacks \"%s\"", err, message);
}

/* A value of length L, defined as NAME. */
static void define_long(struct case_vars *v, const char *name, size_t len)
{
    char *def = xmalloc(strlen(name) + len + 2);
    size_t n = (size_t)sprintf(def, "%s=", name);
    memset(def + n, 'b', len);
    def[n + len] = '\0';
    char why[512];
    assert_true(case_vars_define(v, def, why, sizeof why));
    free(def);
}

/* refs copies of ${B} in one word of line 2. */
static char *case_with_refs(size_t refs)
{
    char *text = xmalloc(refs * 4 + 128);
    char *p = text + sprintf(text, "title many references\nlib x ");
    for (size_t i = 0; i < refs; i++)
        p += sprintf(p, "${B}");
    strcpy(p, "\nload x\nexpect loads\n");
    return text;
}

/* ${NAME} expands in linear time, and a case's words hold at most
   CASE_VARS_MAX_EXPANDED bytes: 1,000 references to a 100 kB value in a
   4 KB case took a minute and 100 MB before, and are now refused at once,
   naming file and line. */
static void expansion_is_capped(void **state)
{
    (void)state;
    struct case_vars v = {0};
    define_long(&v, "B", 100000);
    char *text = case_with_refs(1000);
    struct case_def c;
    err[0] = '\0';
    assert_false(case_parse_with("big.case", text, &v, &c, err, sizeof err));
    assert_non_null(strstr(err, "big.case:2: ${B} makes the case's words longer than 4194304 "
                                "bytes in all"));
    free(text);
    case_vars_free(&v);

    /* Just under the cap, in many references, expands whole. */
    v = (struct case_vars){0};
    define_long(&v, "B", 1000);
    text = case_with_refs(4000);
    assert_true(case_parse_with("big.case", text, &v, &c, err, sizeof err));
    assert_int_equal(strlen(c.objects[0].target), 4000 * 1000);
    case_free(&c);
    free(text);

    /* The cap counts the whole case: two lines of half of it each. */
    text = xasprintf("title ${B}\nlib x /%s\nload x\nexpect loads\n", "${B}");
    case_vars_free(&v);
    v = (struct case_vars){0};
    define_long(&v, "B", CASE_VARS_MAX_EXPANDED / 2);
    assert_false(case_parse_with("two.case", text, &v, &c, err, sizeof err));
    assert_non_null(strstr(err, "two.case:2: ${B} makes the case's words longer"));
    free(text);
    case_vars_free(&v);
}

static void malformed_inputs_name_file_and_line(void **state)
{
    (void)state;
    rejects("title x\nfixture a ie 10\nlod a\nexpect loads\n", "bad.case:3: unknown keyword \"lod\"");
    rejects("fixture a ie -5\nload a\nexpect loads\n", "bad.case:1: size");
    rejects("fixture a ie free*2\nload a\nexpect loads\n", "bad.case:1: size: expected free");
    rejects("fixture a ie 10 align=3\nload a\nexpect loads\n", "bad.case:1: align: 3 is not a power of two");
    rejects("fixture a ie 10 aling=4\nload a\nexpect loads\n", "bad.case:1: unknown option");
    rejects("fixture a ie 10 unique unique\nload a\nexpect loads\n", "unique given twice");
    rejects("fixture a ie 10 align=4 align=8\nload a\nexpect loads\n", "align given twice");
    rejects("fixture a crash unique\nload a\nexpect loads\n", "takes no size");
    rejects("fixture a xx 10\nload a\nexpect loads\n", "bad.case:1: unknown fixture model");
    rejects("fixture a crash 10\nload a\nexpect loads\n", "takes no size");
    rejects("fixture a ie\nload a\nexpect loads\n", "needs a SIZE");
    rejects("fixture a ie 1\nfixture a ie 2\nload a\nexpect loads\n", "bad.case:2: object \"a\" is defined twice");
    rejects("load a\nexpect loads\n", "bad.case:1: no object named \"a\"");
    rejects("fixture a ie 1\nload a\n", "no expect line");
    rejects("fixture a ie 1\nexpect loads\n", "no steps");
    rejects("fixture a ie 1\nload a\nexpect loads\nexpect model\n", "bad.case:4: expect given twice");
    rejects("timeout 5\ntimeout 6\n", "bad.case:2: timeout given twice");
    rejects("audit 1\nfixture a ie 1\naudit 2\n", "bad.case:3: audit given twice");
    rejects("fixture a ie 1\nload a\nclose a\nclose a\nexpect loads\n",
            "bad.case:4: close a: it is not loaded at this point");
    rejects("fixture a ie 1\nload a\nexpect trip 2 static-tls-exhausted\n", "the case has 1 steps");
    rejects("fixture a ie 1\nload a\nexpect trip 1 exploded\n", "unknown failure kind");
    rejects("fixture a ie 1\nrepeat 2\nrepeat 2\nload a\nend\nend\nexpect loads\n", "bad.case:3: repeat inside repeat");
    rejects("fixture a ie 1\nend\nexpect loads\n", "bad.case:2: end without repeat");
    rejects("fixture a ie 1\nrepeat 3\nload a\nexpect loads\n", "bad.case:2: repeat without end");
    rejects("fixture a ie 1\nrepeat 4000\nload a\nload a\nend\nexpect loads\n", "expands to more than");
    rejects("fixture a ie 1\nclose a\nexpect loads\n", "bad.case:2: close a: it is not loaded");
    rejects("fixture a ie free\npreload a\nload a\nexpect loads\n", "bad.case:2: a preloaded fixture needs a literal size");
    rejects("title \"unterminated\nfixture a ie 1\n", "bad.case:1: unterminated quote");
    rejects("threads 0\nexpect loads\n", "bad.case:1: threads");
    rejects("env NOEQUALS\n", "bad.case:1: env: expected NAME=VALUE");
    rejects("", "bad.case:1: empty case file");
    rejects("arch x86_64\narch aarch64\n", "bad.case:2: arch given twice");
    rejects("libc\n", "bad.case:1: expected: libc NAME");
    rejects("libc glibc=>2.22\n", "bad.case:1: libc: expected NAME or NAME<op>VERSION");
    rejects("libc glibc>=\n", "bad.case:1: libc: expected NAME or NAME<op>VERSION");
    rejects("libc >=2.22\n", "bad.case:1: libc: expected NAME or NAME<op>VERSION");
    /* names that would be paths, and caps */
    rejects("fixture a/b ie 1\nload a/b\nexpect loads\n", "bad.case:1: object name \"a/b\"");
    rejects("lib ../x ./x.so\nload ../x\nexpect loads\n", "bad.case:1: object name \"../x\"");
    rejects("lib sp \"/a b/x.so\"\npreload sp\nexpect loads\n",
            "bad.case:2: preload sp: LD_PRELOAD splits");
    rejects("fixture a ie 1\nthreads 1000\nthreads 1000\nload a\nexpect loads\n",
            "bad.case:3: the case starts 2000 threads by here");
    rejects("fixture a ie 1\nrepeat 3\nthreads 1000\nend\nload a\nexpect loads\n",
            "bad.case:3: the case starts 2000 threads");
    rejects("limits memory=1T\n", "bad.case:1: memory: \"1T\" is not a size");
    rejects("limits memory=100G\n", "bad.case:1: memory");
    rejects("limits processes=0\n", "bad.case:1: processes");
    rejects("limits cpu=5 swap=1\n", "bad.case:1: expected: limits");
    rejects("limits cpu=5\nlimits cpu=6\n", "bad.case:2: limits given twice");
}

/* libc glibc>=2.22: which releases the expectation is for. */
static void libc_release_constraints(void **state)
{
    (void)state;
    const struct {
        const char *line, *version;
        bool holds;
    } rows[] = {
        {"libc glibc", "2.17", true},          {"libc glibc>=2.22", "2.21", false},
        {"libc glibc>=2.22", "2.22", true},    {"libc glibc>=2.22", "2.36", true},
        {"libc glibc<=2.21", "2.17", true},    {"libc glibc<=2.21", "2.31", false},
        {"libc glibc>=2.32", "2.9", false},    {"libc glibc=2.31", "2.31", true},
        {"libc glibc<2.34", "2.33", true},     {"libc glibc>2.34", "2.34", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *text = xasprintf("%s\nfixture a ie 1\nload a\nexpect loads\n", rows[i].line);
        struct case_def c;
        assert_true(case_parse("c.case", text, &c, err, sizeof err));
        assert_string_equal(c.libc, "glibc");
        if (case_libc_release_holds(&c, rows[i].version) != rows[i].holds)
            fail_msg("%s on %s: expected %d", rows[i].line, rows[i].version, rows[i].holds);
        case_free(&c);
        free(text);
    }
}

/* Windows line ends, and the limits a case may raise. */
static void crlf_and_limits(void **state)
{
    (void)state;
    struct case_def c;
    const char *text = "title CRLF\r\n"
                       "limits memory=8G processes=3000 cpu=30\r\n"
                       "fixture a ie 8\r\n"
                       "threads 1024\r\nthreads 1024\r\n"
                       "load a\r\n"
                       "expect loads\r\n";
    assert_true(case_parse("crlf.case", text, &c, err, sizeof err));
    assert_string_equal(c.title, "CRLF");
    assert_int_equal(c.objects[0].size.value, 8);
    assert_int_equal(c.limits.memory, 8ULL << 30);
    assert_int_equal(c.limits.processes, 3000);
    assert_int_equal(c.limits.cpu_s, 30);
    assert_int_equal(c.nsteps, 3);
    case_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_full_case),
        cmocka_unit_test(malformed_inputs_name_file_and_line),
        cmocka_unit_test(expansion_is_capped),
        cmocka_unit_test(libc_release_constraints),
        cmocka_unit_test(crlf_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
