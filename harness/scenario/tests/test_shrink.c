/* The shrinker: lines go, first to last, while the case still parses and
   still fails; a repeat goes with its end and leaves its body; the libc
   line and the expectation stay; nothing goes from a case that fails only
   whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shrink.h"

static size_t loads_of(const struct case_def *c, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        n += c->steps[i].op == OP_LOAD && strcmp(c->objects[c->steps[i].object].name, name) == 0;
    return n;
}

/* "Fails" while object b is loaded after a thread started, and counts the
   trials. */
static bool b_after_threads(const struct case_def *c, void *ctx)
{
    ++*(unsigned *)ctx;
    bool threads = false;
    for (size_t i = 0; i < c->nsteps; i++) {
        const struct case_step *s = &c->steps[i];
        threads |= s->op == OP_THREADS;
        if (threads && s->op == OP_LOAD && strcmp(c->objects[s->object].name, "b") == 0)
            return true;
    }
    return false;
}

static void drops_every_line_it_can(void **state)
{
    (void)state;
    unsigned trials = 0;
    char *min = case_shrink("x.case",
                            "title three objects\n"
                            "libc glibc\n"
                            "tunables glibc.rtld.nns=2\n"
                            "fixture a ie 100\n"
                            "fixture b gd 8 align=16\n"
                            "fixture c tlsdesc free-10\n"
                            "load a\n"
                            "threads 2\n"
                            "repeat 2\n"
                            "load c\n"
                            "load b\n"
                            "end\n"
                            "close a\n"
                            "expect model\n",
                            b_after_threads, &trials);
    assert_string_equal(min, "libc glibc\n"
                             "fixture b gd 8 align=16\n"
                             "threads 2\n"
                             "load b\n"
                             "expect model\n");
    assert_true(trials > 5);
    free(min);
}

/* At least two loads of a: the block stays, its other lines go. */
static bool a_twice(const struct case_def *c, void *ctx)
{
    (void)ctx;
    return loads_of(c, "a") >= 2;
}

static void keeps_a_block_that_matters(void **state)
{
    (void)state;
    char *min = case_shrink("x.case",
                            "fixture a ie 1\nfixture b ie 1\n"
                            "repeat 2\nload a\nload b\nend\n"
                            "expect loads\n",
                            a_twice, NULL);
    assert_string_equal(min, "fixture a ie 1\nrepeat 2\nload a\nend\nexpect loads\n");
    free(min);
}

static bool never(const struct case_def *c, void *ctx)
{
    (void)c, (void)ctx;
    return false;
}

static void leaves_a_case_that_fails_only_whole(void **state)
{
    (void)state;
    const char *text = "# as given\ntitle t\nfixture a ie 1\nload a\nexpect loads\n";
    char *min = case_shrink("x.case", text, never, NULL);
    assert_string_equal(min, text);
    free(min);
    min = case_shrink("x.case", "no such keyword\n", never, NULL);
    assert_string_equal(min, "no such keyword\n");
    free(min);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drops_every_line_it_can),
        cmocka_unit_test(keeps_a_block_that_matters),
        cmocka_unit_test(leaves_a_case_that_fails_only_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
