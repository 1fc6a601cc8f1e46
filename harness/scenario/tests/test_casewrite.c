/* The case writer writes what the parser reads: every keyword it emits,
   every case in cases/, and every case fuzz generates parse back to the
   same case; a generated case is written back byte for byte (the shrinker
   rests on that); a word the language cannot hold is refused. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caseparse.h"
#include "casewrite.h"
#include "fuzzgen.h"
#include "xalloc.h"
#include "xfile.h"

static char err[1024];

static bool same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Everything the parser fills but where it read it (path, lines). */
static void assert_same_case(const struct case_def *a, const struct case_def *b)
{
    assert_true(same_string(a->title, b->title));
    assert_true(same_string(a->tunables, b->tunables));
    assert_true(same_string(a->arch, b->arch));
    assert_true(same_string(a->libc, b->libc));
    assert_true(same_string(a->libc_version, b->libc_version));
    assert_string_equal(a->libc_op, b->libc_op);
    assert_int_equal(a->nenv, b->nenv);
    for (size_t i = 0; i < a->nenv; i++)
        assert_string_equal(a->env[i], b->env[i]);
    assert_int_equal(a->npreload, b->npreload);
    for (size_t i = 0; i < a->npreload; i++)
        assert_int_equal(a->preload[i], b->preload[i]);
    assert_int_equal(a->naudit, b->naudit);
    assert_int_equal(a->timeout, b->timeout);
    assert_memory_equal(&a->limits, &b->limits, sizeof a->limits);
    assert_int_equal(a->nobjects, b->nobjects);
    for (size_t i = 0; i < a->nobjects; i++) {
        const struct case_object *x = &a->objects[i], *y = &b->objects[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->access, y->access);
        assert_int_equal(x->size.relative_to_free, y->size.relative_to_free);
        assert_int_equal(x->size.value, y->size.value);
        assert_int_equal(x->align, y->align);
        assert_int_equal(x->align_given, y->align_given);
        assert_int_equal(x->unique, y->unique);
        assert_true(same_string(x->target, y->target));
    }
    assert_int_equal(a->nsteps, b->nsteps);
    for (size_t i = 0; i < a->nsteps; i++) {
        const struct case_step *x = &a->steps[i], *y = &b->steps[i];
        assert_int_equal(x->op, y->op);
        assert_int_equal(x->object, y->object);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->closes, y->closes);
        assert_int_equal(x->instance, y->instance);
    }
    assert_int_equal(a->nrepeats, b->nrepeats);
    for (size_t i = 0; i < a->nrepeats; i++) {
        assert_int_equal(a->repeats[i].first, b->repeats[i].first);
        assert_int_equal(a->repeats[i].len, b->repeats[i].len);
        assert_int_equal(a->repeats[i].count, b->repeats[i].count);
    }
    assert_int_equal(a->expect, b->expect);
    assert_int_equal(a->expect_step, b->expect_step);
    assert_int_equal(a->expect_kind, b->expect_kind);
    assert_true(same_string(a->expect_message, b->expect_message));
    assert_int_equal(a->expect_headroom, b->expect_headroom);
}

/* text parses; its case written parses to the same case, and writing that
   again gives the same text. */
static void assert_round_trip(const char *path, const char *text)
{
    struct case_def a, b;
    if (!case_parse(path, text, &a, err, sizeof err))
        fail_msg("%s does not parse: %s", path, err);
    char *written = case_write(&a, err, sizeof err);
    if (!written)
        fail_msg("%s cannot be written: %s", path, err);
    if (!case_parse("written.case", written, &b, err, sizeof err))
        fail_msg("%s as written does not parse: %s\n%s", path, err, written);
    assert_same_case(&a, &b);
    char *again = case_write(&b, err, sizeof err);
    assert_non_null(again);
    assert_string_equal(written, again);
    free(again);
    free(written);
    case_free(&b);
    case_free(&a);
}

/* A case holding every keyword and form the writer emits. */
static void every_keyword_round_trips(void **state)
{
    (void)state;
    assert_round_trip("all.case",
                      "title Two  loads, \"#1\" of them\tand a tab\n"
                      "libc glibc>=2.22\n"
                      "arch x86_64\n"
                      "tunables glibc.rtld.optional_static_tls=0:glibc.rtld.nns=2\n"
                      "audit 2\n"
                      "env LD_BIND_NOW=1\n"
                      "env \"A=with space\"\n"
                      "timeout 30\n"
                      "limits memory=512M processes=64 cpu=20\n"
                      "fixture a ie free-100 align=16\n"
                      "fixture b tlsdesc 64\n"
                      "fixture c gd free\n"
                      "fixture d ie free+7 align=1\n"
                      "fixture u gd 32 align=8 unique\n"
                      "fixture v tlsdesc 8 unique\n"
                      "fixture boom crash\n"
                      "fixture stuck hang\n"
                      "lib gomp libgomp.so.1\n"
                      "lib spaced \"/opt/my libs/libx.so\"\n"
                      "preload b\n"
                      "preload gomp\n"
                      "threads 2\n"
                      "load a\n"
                      "repeat 3\n"
                      "load c\n"
                      "dlmopen d\n"
                      "close c\n"
                      "end\n"
                      "repeat 2\n"
                      "end\n"
                      "load boom\n"
                      "expect trip 9 static-tls-exhausted \"cannot allocate memory\"\n");
    assert_round_trip("loads.case", "fixture a ie 1\nload a\nexpect loads\n");
    assert_round_trip("model.case", "libc musl\nfixture a ie 1\nload a\nexpect model\n");
    assert_round_trip("headroom.case", "fixture a ie 1\nload a\nexpect headroom >= 4096\n");
    assert_round_trip("startup.case", "fixture a ie 1 align=4096\npreload a\naudit 1\n"
                                      "expect trip 0 static-tls-exhausted\n");
    assert_round_trip("quote.case", "fixture a ie 1\nload a\nexpect trip 1 other a\"b\n");
}

static void writes_each_line_as_given(void **state)
{
    (void)state;
    struct case_writer w;
    case_writer_open(&w);
    case_write_comment(&w, "Replay of x: ${HOME} is not expanded here");
    case_write_title(&w, "replay of x, fix preload=y");
    case_write_libc(&w, "glibc", "<=", "2.21");
    struct case_object o = {.name = "y", .kind = OBJ_FIXTURE, .access = TLS_GD,
                            .size = {false, 9777}, .align = 16, .align_given = true};
    case_write_object(&w, &o, "/lib/y.so");
    o = (struct case_object){.name = "squeeze", .kind = OBJ_FIXTURE, .access = TLS_IE,
                             .size = {true, -151}, .align = 1};
    case_write_object(&w, &o, NULL);
    case_write_step(&w, OP_LOAD, "squeeze");
    case_write_threads(&w, 3);
    case_write_step(&w, OP_CLOSE, "y");
    case_write_expect_trip(&w, 2, KIND_STATIC_TLS_COUNT, "y");
    char *text = case_writer_close(&w, err, sizeof err);
    assert_non_null(text);
    assert_string_equal(text, "# Replay of x: ${HOME} is not expanded here\n"
                              "title replay of x, fix preload=y\n"
                              "libc glibc<=2.21\n"
                              "fixture y gd 9777 align=16   # /lib/y.so\n"
                              "fixture squeeze ie free-151\n"
                              "load squeeze\n"
                              "threads 3\n"
                              "close y\n"
                              "expect trip 2 static-tls-count-limit \"y\"\n");
    free(text);
}

static void refuses(void (*write)(struct case_writer *w, const char *word), const char *word)
{
    struct case_writer w;
    case_writer_open(&w);
    write(&w, word);
    char *text = case_writer_close(&w, err, sizeof err);
    if (text)
        fail_msg("\"%s\" was written: %s", word, text);
    assert_non_null(strstr(err, "cannot hold"));
}

static void env_line(struct case_writer *w, const char *word)
{
    case_write_env(w, word);
}

static void comment_line(struct case_writer *w, const char *word)
{
    case_write_comment(w, word);
}

static void refuses_what_the_language_cannot_hold(void **state)
{
    (void)state;
    refuses(env_line, "A=${HOME}");     /* the parser would expand it */
    refuses(env_line, "A=two\nlines");  /* a line break ends the line */
    refuses(env_line, "A=\"quoted and spaced\""); /* needs quotes, holds one */
    refuses(comment_line, "two\nlines");
}

/* Every case in cases/ round-trips. */
static void every_case_file_round_trips(void **state)
{
    (void)state;
    DIR *d = opendir(TEST_CASES);
    assert_non_null(d);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".case") != 0)
            continue;
        char *path = xasprintf("%s/%s", TEST_CASES, e->d_name);
        size_t size;
        char *text = read_file_max(path, CASE_MAX_BYTES, &size);
        assert_non_null(text);
        assert_round_trip(path, text);
        free(text);
        free(path);
        n++;
    }
    closedir(d);
    assert_true(n >= 40);
}

/* A generated case written back is the same text: line i of what the
   writer writes is line i of what fuzz generated. */
static void generated_cases_are_written_back_byte_for_byte(void **state)
{
    (void)state;
    const char *libs[] = {"libgomp.so.1", "libc.so.6", NULL};
    for (unsigned seed = 0; seed < 20; seed++) {
        struct rng r;
        rng_seed(&r, seed);
        for (int k = 0; k < 100; k++) {
            char *text = fuzz_case(&r, seed % 2 ? libs : NULL);
            struct case_def c;
            if (!case_parse("fuzz.case", text, &c, err, sizeof err))
                fail_msg("%s\n%s", err, text);
            char *written = case_write(&c, err, sizeof err);
            assert_non_null(written);
            assert_string_equal(written, text);
            free(written);
            case_free(&c);
            free(text);
        }
    }
}

/* Without a line: a repeat goes with its end and leaves its body once. */
static void writes_without_a_line(void **state)
{
    (void)state;
    struct case_def c;
    assert_true(case_parse("x.case", "title t\nlibc glibc\nfixture a ie 1\nthreads 1\n"
                                     "repeat 3\nload a\nclose a\nend\nexpect model\n",
                           &c, err, sizeof err));
    size_t n;
    struct case_line *lines = case_lines(&c, &n);
    /* title libc object threads repeat load close expect */
    assert_int_equal(n, 8);
    assert_int_equal(lines[4].kind, CASE_LINE_REPEAT);
    assert_int_equal(lines[5].kind, CASE_LINE_STEP);
    assert_int_equal(lines[6].index, 2); /* the body's first copy */
    assert_int_equal(lines[7].kind, CASE_LINE_EXPECT);
    free(lines);
    char *text = case_write_without(&c, 4, err, sizeof err);
    assert_string_equal(text, "title t\nlibc glibc\nfixture a ie 1\nthreads 1\nload a\nclose a\n"
                              "expect model\n");
    free(text);
    text = case_write_without(&c, 6, err, sizeof err);
    assert_string_equal(text, "title t\nlibc glibc\nfixture a ie 1\nthreads 1\nrepeat 3\n"
                              "load a\nend\nexpect model\n");
    free(text);
    text = case_write_without(&c, 0, err, sizeof err);
    assert_non_null(text);
    assert_null(strstr(text, "title"));
    free(text);
    case_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_keyword_round_trips),
        cmocka_unit_test(writes_each_line_as_given),
        cmocka_unit_test(refuses_what_the_language_cannot_hold),
        cmocka_unit_test(every_case_file_round_trips),
        cmocka_unit_test(generated_cases_are_written_back_byte_for_byte),
        cmocka_unit_test(writes_without_a_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
