/* The smallest optional_static_tls: the tunables merge, the model's
   prediction from startup objects (synthetic budgets: no probe runs) and
   the measured search over runs (a predicate standing for the command). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "search.h"
#include "tunesearch.h"
#include "xalloc.h"

static void merge_replaces_and_keeps(void **state)
{
    (void)state;
    char *t = tunables_with(NULL, OPTIONAL_STATIC_TLS, 673);
    assert_string_equal(t, "glibc.rtld.optional_static_tls=673");
    free(t);
    t = tunables_with("", OPTIONAL_STATIC_TLS, 0);
    assert_string_equal(t, "glibc.rtld.optional_static_tls=0");
    free(t);
    /* Theirs for the same name replaced, the others kept in order. */
    t = tunables_with("glibc.rtld.optional_static_tls=600:glibc.malloc.check=0:"
                      "glibc.rtld.optional_static_tls",
                      OPTIONAL_STATIC_TLS, 700);
    assert_string_equal(t, "glibc.malloc.check=0:glibc.rtld.optional_static_tls=700");
    free(t);
    /* A name that only starts like ours is another tunable. */
    t = tunables_with("glibc.rtld.optional_static_tls_x=1", OPTIONAL_STATIC_TLS, 5);
    assert_string_equal(t, "glibc.rtld.optional_static_tls_x=1:glibc.rtld.optional_static_tls=5");
    free(t);
    t = tunables_merge("a=1:b=2:c=3", "c=9:a=8");
    assert_string_equal(t, "b=2:c=9:a=8");
    free(t);
}

/* A 2000-byte startup library under LD_AUDIT on 2.36: 673 places it, 672
   does not (measured on the host by harness.doctor-startup); searched up
   from the default, where it fails, and down from 4096, where it starts. */
static void model_smallest_both_ways(void **state)
{
    (void)state;
    struct budget b;
    budget_synthetic(&b, "2.36", "x86_64", 144, false, NULL, "/a.so", NULL, 0);
    struct start_objects s = {0};
    struct tls_block big = {2000, 16, 0};
    assert_true(start_objects_add(&s, &b, "1:1", "big.so", &big, TLS_IE, "needed"));
    assert_false(start_objects_add(&s, &b, "1:1", "big-again.so", &big, TLS_IE, "needed"));
    start_objects_place(&b, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.mods[0].path, "big.so");
    assert_string_equal(s.roles[0], "needed");
    assert_int_equal(b.startup_failure, KIND_STATIC_TLS_EXHAUSTED);

    struct tunable_model m = {&b, "glibc.malloc.check=0", 0};
    assert_int_equal(tunable_model_smallest(&m, 512), 673);
    assert_int_equal(tunable_model_smallest(&m, 4096), 673);
    assert_int_equal(tunable_model_smallest(&m, 0), 673);
    assert_int_equal(b.startup_failure, KIND_STATIC_TLS_EXHAUSTED); /* left as it runs */
    /* With headroom to keep after startup, more. */
    m.needed = 100;
    long long more = tunable_model_smallest(&m, 4096);
    assert_true(more > 673);
    assert_true(tunable_model_fails(more - 1, &m));
    assert_false(tunable_model_fails(more, &m));
    start_objects_free(&s);
    budget_free(&b);
}

/* A command that works from `edge` on, counting its runs. */
struct fake {
    long long edge;
    long long stop_at; /* a run here stops the search; -1 never */
    unsigned runs;
};

static enum tunable_run fake_run(long long n, int *exit_code, void *ctx)
{
    struct fake *f = ctx;
    f->runs++;
    if (n == f->stop_at) {
        *exit_code = -1;
        return TUNABLE_STOP;
    }
    *exit_code = n >= f->edge ? 0 : 127;
    return n >= f->edge ? TUNABLE_WORKS : TUNABLE_FAILS;
}

static struct tunable_search search(struct fake *f, long long fails, long long works,
                                    long long predicted)
{
    struct tunable_search s = {.run = fake_run, .ctx = f, .known_fails = fails,
                               .known_works = works, .predicted = predicted};
    tunable_search_run(&s);
    return s;
}

static void measured_search(void **state)
{
    (void)state;
    /* The prediction proved by two runs. */
    struct fake f = {673, -1, 0};
    struct tunable_search s = search(&f, 512, -1, 673);
    assert_int_equal(s.smallest, 673);
    assert_true(s.prediction_hit);
    assert_int_equal(f.runs, 2);
    assert_int_equal(s.exit_at, 0);
    assert_int_equal(s.exit_below, 127);
    /* At 0 nothing less is tried. */
    f = (struct fake){0, -1, 0};
    s = search(&f, -1, 512, 0);
    assert_int_equal(s.smallest, 0);
    assert_true(s.prediction_hit);
    assert_int_equal(f.runs, 1);
    assert_int_equal(s.exit_below, -1);
    /* Predictions that miss, either side, and none: the same figure, each
       value run once, and the one below shown failing. */
    const long long predictions[] = {600, 700, -1, 5000};
    const long long known_fails[] = {512, -1};
    const long long known_works[] = {-1, 4096};
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < 2; k++) {
            f = (struct fake){673, -1, 0};
            s = search(&f, known_fails[k], known_works[k], predictions[i]);
            assert_int_equal(s.smallest, 673);
            assert_false(s.prediction_hit);
            assert_int_equal(s.runs, f.runs);
            assert_true(s.runs <= s.nmemo);
            assert_int_equal(s.exit_at == 0 || s.exit_at == -1, true);
            assert_int_equal(s.exit_below, 127);
        }
    /* Nothing known: 0 is tried first. */
    f = (struct fake){0, -1, 0};
    s = search(&f, -1, -1, -1);
    assert_int_equal(s.smallest, 0);
    assert_int_equal(f.runs, 1);
    /* Never works: none up to SEARCH_MAX. */
    f = (struct fake){SEARCH_MAX * 2, -1, 0};
    s = search(&f, 512, -1, -1);
    assert_int_equal(s.smallest, -1);
    assert_false(s.stopped);
    /* A run that stops (a timeout): no figure, no run after it. */
    f = (struct fake){673, 1024, 0};
    s = search(&f, 512, -1, -1);
    assert_true(s.stopped);
    assert_int_equal(s.smallest, -1);
    assert_int_equal(f.runs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merge_replaces_and_keeps),
        cmocka_unit_test(model_smallest_both_ways),
        cmocka_unit_test(measured_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
