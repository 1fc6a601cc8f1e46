/* replay's table and --model's basis, without running a probe: the rows
   come from the builds the caller passes (2.17 modelled first unless a
   build of it is here), every cell reaches the sink in order, a replay
   that cannot be made stops the table with an input error, and --model
   says which release's startup layout it knows and which build runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"
#include "replaytable.h"
#include "synthetic_trace.h"
#include "xalloc.h"

/* The table as the sink saw it: one line per row, "|" between cells. */
struct seen {
    char text[4096];
    size_t rows, cells, ends;
};

static void append(struct seen *s, const char *text)
{
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof s->text - used, "%s", text);
}

static void on_row(void *ctx, const struct replay_table_row *row)
{
    struct seen *s = ctx;
    s->rows++;
    append(s, row->release);
    append(s, row->modelled ? " modelled" : row->tree ? " tree" : "");
}

static void on_cell(void *ctx, const char *outcome)
{
    struct seen *s = ctx;
    s->cells++;
    append(s, strcmp(outcome, "nothing to replay: no object with TLS was dlopen'ed") == 0
                  ? "|nothing"
                  : "|?");
}

static void on_end(void *ctx)
{
    struct seen *s = ctx;
    s->ends++;
    append(s, "\n");
}

static struct libc_build fake_build(const char *name, const char *tree)
{
    return (struct libc_build){.name = xstrdup(name), .tree = tree ? xstrdup(tree) : NULL};
}

static void builds_of(struct libc_build_list *l, const char *const *names, const char *tree_of_last)
{
    memset(l, 0, sizeof *l);
    for (size_t i = 0; names[i]; i++)
        *XAPPEND(&l->items, &l->n) = fake_build(names[i], names[i + 1] ? NULL : tree_of_last);
}

static void builds_free(struct libc_build_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].name), free(l->items[i].tree);
    free(l->items);
}

static int table_of(struct trace *t, const struct libc_build_list *builds, struct seen *s,
                    struct replay_error *e)
{
    memset(s, 0, sizeof *s);
    struct replay r = {.trace = t, .trace_path = "t.trace", .squeeze = -1};
    struct replay_table_sink sink = {on_row, on_cell, on_end, s};
    return replay_table(&r, "lib0", builds, &sink, e);
}

static void rows_are_the_builds_here(void **state)
{
    (void)state;
    struct trace t;
    synthetic_trace(&t, 0, 8, 8);
    struct libc_build_list builds;
    builds_of(&builds, (const char *[]){"glibc-2.31", "tree-glibc-2.36", NULL}, "/src/glibc");
    struct seen s;
    struct replay_error e;
    assert_int_equal(table_of(&t, &builds, &s, &e), 0);
    assert_string_equal(s.text, "2.17 modelled|nothing|nothing|nothing|nothing|nothing\n"
                                "2.31|nothing|nothing|nothing|nothing|nothing\n"
                                "2.36 tree|nothing|nothing|nothing|nothing|nothing\n");
    assert_int_equal(s.cells, 3 * REPLAY_TABLE_COLUMNS);
    builds_free(&builds);

    /* A build of 2.17 here: measured, so no modelled row. */
    builds_of(&builds, (const char *[]){"glibc-2.31", "tree-glibc-2.17", NULL}, "/src/glibc-2.17");
    assert_int_equal(table_of(&t, &builds, &s, &e), 0);
    assert_string_equal(s.text, "2.31|nothing|nothing|nothing|nothing|nothing\n"
                                "2.17 tree|nothing|nothing|nothing|nothing|nothing\n");
    builds_free(&builds);
    trace_free(&t);
}

/* A replay that cannot be made ends the table in its first cell, with the
   row begun and not ended, and the error the command prints. */
static void a_replay_that_cannot_be_made_stops_it(void **state)
{
    (void)state;
    struct trace t;
    synthetic_trace(&t, CASE_MAX_STEPS + 1, 8, 8);
    struct libc_build_list builds;
    builds_of(&builds, (const char *[]){"glibc-2.31", NULL}, NULL);
    struct seen s;
    struct replay_error e;
    assert_int_equal(table_of(&t, &builds, &s, &e), -1);
    assert_true(e.input);
    assert_int_equal(s.rows, 1);
    assert_int_equal(s.cells, 0);
    assert_int_equal(s.ends, 0);
    char text[1400];
    assert_string_equal(replay_error_text(&e, text, sizeof text),
                        "t.trace: 4001 steps to replay; a case holds at most 4000");
    builds_free(&builds);
    trace_free(&t);
}

/* --model glibc-2.17 knows 2.17's own libc block (104 bytes, measured on an
   upstream build) and not 2.36's; a build of the release here is named. */
static void model_basis(void **state)
{
    (void)state;
    struct libc_build_list builds;
    builds_of(&builds, (const char *[]){"glibc-2.31", "glibc-2.36", "tree-glibc-2.17", NULL},
              "/src/glibc-2.17");
    struct replay_model_basis b;
    replay_model_basis("2.17", "x86_64", &builds, &b);
    assert_int_equal(b.libc_tls_size, 104);
    assert_ptr_equal(b.here, &builds.items[2]);
    assert_string_equal(b.here->tree, "/src/glibc-2.17");
    replay_model_basis("2.36", "x86_64", &builds, &b);
    assert_int_equal(b.libc_tls_size, 0);
    assert_ptr_equal(b.here, &builds.items[1]);
    replay_model_basis("2.3", "x86_64", &builds, &b); /* no prefix match: 2.3 is not 2.31 */
    assert_null(b.here);
    builds_free(&builds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_the_builds_here),
        cmocka_unit_test(a_replay_that_cannot_be_made_stops_it),
        cmocka_unit_test(model_basis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
