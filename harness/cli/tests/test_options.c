/* The one option parser and the texts made from the rows: both spellings of
   a value, lists, repeats and defaults; every usage error exits 2 with its
   one wording; and the man page lists every option of every command. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands.h"
#include "usage.h"

static int no_run(const struct args *a)
{
    (void)a;
    return 0;
}

static const struct command demo = {
    "demo", no_run, "a command for the tests",
    (const struct option_row *const[]){
        &(const struct option_row){.name = "--align", .kind = OPTION_POWER_OF_TWO, .value = "A",
                                   .min = 1, .max = 4096, .fallback = "1", .help = "alignment"},
        &(const struct option_row){.name = "--threads", .kind = OPTION_NUMBER, .value = "N",
                                   .min = 0, .max = 10, .help = "threads"},
        &(const struct option_row){.name = "--model", .kind = OPTION_WORD, .value = "M",
                                   .words = "ie|gd|tlsdesc", .fallback = "ie", .help = "model"},
        &(const struct option_row){.name = "--after", .kind = OPTION_LIST, .value = "LIB",
                                   .help = "first"},
        &(const struct option_row){.name = "--define", .kind = OPTION_REPEATED,
                                   .value = "N=V", .help = "variables"},
        &(const struct option_row){.name = "--json", .kind = OPTION_FLAG, .help = "JSON"},
        NULL},
    BUILDS_ONE, OPERANDS_SOME, "CASE", NULL, false, NULL};

static void parse(const struct command *c, struct args *a, ...)
{
    char *argv[32] = {(char *)c->name};
    int argc = 1;
    va_list ap;
    va_start(ap, a);
    for (char *s; (s = va_arg(ap, char *));)
        argv[argc++] = s;
    va_end(ap);
    args_parse(c, argc, argv, a);
}

static void both_spellings(void **state)
{
    (void)state;
    struct args a;
    parse(&demo, &a, "--align=16", "--threads", "3", "x.case", "--model=gd", NULL);
    assert_int_equal(arg_number(&a, "--align"), 16);
    assert_int_equal(arg_number(&a, "--threads"), 3);
    assert_string_equal(arg_string(&a, "--model"), "gd");
    assert_false(arg_given(&a, "--json"));
    assert_int_equal(a.noperands, 1);
    assert_string_equal(a.operands[0], "x.case");
    args_free(&a);
}

static void defaults_lists_and_repeats(void **state)
{
    (void)state;
    struct args a;
    parse(&demo, &a, "--after", "a.so", "b.so", "--json", "--define", "X=1", "--define=Y=2",
          "--glibc", "2.31", "--", "--odd.case", NULL);
    assert_int_equal(arg_number(&a, "--align"), 1); /* the row's default */
    assert_string_equal(arg_string(&a, "--model"), "ie");
    assert_true(arg_given(&a, "--json"));
    const char *want[] = {"a.so", "b.so"};
    size_t n = 0;
    for (const struct option_use *u = NULL; (u = arg_next(&a, "--after", u)); n++)
        assert_string_equal(u->value, want[n]);
    assert_int_equal(n, 2);
    const struct option_use *d = arg_next(&a, "--define", NULL);
    assert_string_equal(d->value, "X=1");
    assert_string_equal(arg_next(&a, "--define", d)->value, "Y=2");
    assert_string_equal(arg_string(&a, "--glibc"), "2.31"); /* a shared libc row */
    assert_int_equal(a.noperands, 1); /* after --, never an option */
    assert_string_equal(a.operands[0], "--odd.case");
    args_free(&a);
}

/* Runs the parse in a child: its exit status and what it said on stderr. */
static int parse_fails(char *out, size_t len, ...)
{
    char *argv[16] = {"demo"};
    int argc = 1;
    va_list ap;
    va_start(ap, len);
    for (char *s; (s = va_arg(ap, char *));)
        argv[argc++] = s;
    va_end(ap);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        struct args a;
        args_parse(&demo, argc, argv, &a);
        _exit(0);
    }
    close(fds[1]);
    size_t have = 0;
    for (ssize_t got; have + 1 < len && (got = read(fds[0], out + have, len - 1 - have)) > 0;)
        have += (size_t)got;
    out[have] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void usage_errors(void **state)
{
    (void)state;
    static const struct {
        const char *args[4];
        const char *said;
    } cases[] = {
        {{"--foo", "x"}, "statictls demo: unknown option --foo\n"},
        {{"--foo=1", "x"}, "statictls demo: unknown option --foo\n"},
        {{"x", "--threads"}, "statictls demo: --threads needs a value (N)\n"},
        {{"x", "--threads="}, "statictls demo: --threads needs a value (N)\n"},
        {{"x", "--threads", "11"}, "statictls demo: --threads: expected a number from 0 to 10, "
                                   "got \"11\"\n"},
        {{"x", "--threads", "2x"}, "expected a number from 0 to 10, got \"2x\""},
        {{"x", "--align=24"}, "--align: expected a power of two from 1 to 4096, got \"24\""},
        {{"x", "--model", "le"}, "--model: expected ie, gd or tlsdesc, got \"le\""},
        {{"x", "--json=yes"}, "--json takes no value"},
        {{"--json"}, "statictls demo: missing CASE...\n"},
        {{"x", "--glibc", "2.31", "--musl"}, ""}, /* the parser takes both: libc_choice_of refuses */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[1024];
        const char *const *v = cases[i].args;
        int code = parse_fails(out, sizeof out, v[0], v[1], v[2], v[3], NULL);
        if (!*cases[i].said) {
            assert_int_equal(code, 0);
            continue;
        }
        assert_int_equal(code, 2);
        if (!strstr(out, cases[i].said))
            fail_msg("%s: said \"%s\", not \"%s\"", v[0], out, cases[i].said);
        assert_non_null(strstr(out, "usage: statictls demo [OPTIONS] CASE...  (statictls help "
                                    "demo)\n"));
    }
}

/* The roff of an option name, as the man page spells it. */
static char *roff_name(const char *name)
{
    char *out = calloc(2 * strlen(name) + 1, 1), *p = out;
    for (; *name; name++) {
        if (*name == '-')
            *p++ = '\\';
        *p++ = *name;
    }
    return out;
}

static void man_lists_every_option(void **state)
{
    (void)state;
    size_t n;
    const struct command *cmds = commands_table(&n);
    char *man;
    size_t len;
    FILE *f = open_memstream(&man, &len);
    usage_print_man(f, cmds, n);
    fclose(f);
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        char *heading;
        assert_true(asprintf(&heading, ".SS %s\n", cmds[i].name) > 0);
        char *section = strstr(man, heading);
        if (!section)
            fail_msg("no section for %s", cmds[i].name);
        char *end = strstr(section + 1, ".SS ");
        if (!end)
            end = strstr(section, ".SH ");
        for (size_t k = 0; cmds[i].options && cmds[i].options[k]; k++, rows++) {
            char *tag, *name = roff_name(cmds[i].options[k]->name);
            assert_true(asprintf(&tag, ".TP\n\\fB%s\\fR", name) > 0);
            char *at = strstr(section, tag);
            if (!at || at > end)
                fail_msg("man: %s has no %s", cmds[i].name, cmds[i].options[k]->name);
            free(tag), free(name);
        }
        free(heading);
    }
    char *libc = strstr(man, ".SH LIBC BUILD OPTIONS\n");
    assert_non_null(libc);
    for (size_t k = 0; libc_option_rows[k]; k++) {
        char *name = roff_name(libc_option_rows[k]->name);
        assert_non_null(strstr(libc, name));
        free(name);
    }
    assert_true(rows > 30); /* every command's rows were looked at */
    free(man);
}

static void help_of_each_command(void **state)
{
    (void)state;
    size_t n;
    const struct command *cmds = commands_table(&n);
    for (size_t i = 0; i < n; i++) {
        char *text;
        size_t len;
        FILE *f = open_memstream(&text, &len);
        usage_print_command(f, &cmds[i]);
        fclose(f);
        char *usage;
        assert_true(asprintf(&usage, "usage: statictls %s", cmds[i].name) > 0);
        assert_memory_equal(text, usage, strlen(usage));
        for (size_t k = 0; cmds[i].options && cmds[i].options[k]; k++) {
            char *line;
            assert_true(asprintf(&line, "\n  %s", cmds[i].options[k]->name) > 0);
            if (!strstr(text, line))
                fail_msg("%s --help lacks %s", cmds[i].name, cmds[i].options[k]->name);
            free(line);
        }
        bool libc = strstr(text, "\n  --libc-tree DIR") != NULL;
        assert_int_equal(libc, cmds[i].builds != BUILDS_HOST);
        free(usage);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_spellings),
        cmocka_unit_test(defaults_lists_and_repeats),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(man_lists_every_option),
        cmocka_unit_test(help_of_each_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
