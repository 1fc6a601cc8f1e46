/* The lines doctor prints to paste: each is read back by a real `sh -c`
   as exactly the words it was made of, whatever bytes they hold, and runs
   nothing else (no PWNED file appears). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "shellquote.h"
#include "xalloc.h"
#include "xpath.h"

static void words_quoted_where_needed(void **state)
{
    (void)state;
    char *argv[] = {"/usr/bin/python3", "-c", "import torch, cv2", "it's", "", "a=b", NULL};
    char *line = shell_line(NULL, NULL, argv);
    assert_string_equal(line, "/usr/bin/python3 -c 'import torch, cv2' 'it'\\''s' '' a=b");
    free(line);
    /* The command's name is never an assignment, a reserved word or a job. */
    static const struct {
        const char *word;
        bool command;
        const char *quoted;
    } cases[] = {
        {"A=B", true, "'A=B'"},    {"A=B", false, "A=B"},   {"if", true, "'if'"},
        {"if", false, "if"},       {"%1", true, "'%1'"},    {"=ls", false, "'=ls'"},
        {"-x", true, "'-x'"},  {"-x", false, "-x"},        {"~", false, "'~'"},     {"a;b", false, "'a;b'"},
        {"$x", false, "'$x'"},     {"a\nb", false, "'a\nb'"}, {"'", false, "''\\'''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *w = shell_word(cases[i].word, cases[i].command);
        assert_string_equal(w, cases[i].quoted);
        free(w);
    }
    char *args[] = {"cmd", NULL};
    line = shell_line("LD_PRELOAD", "/x/evil;touch${IFS}PWNED;/lib.so", args);
    assert_string_equal(line, "LD_PRELOAD='/x/evil;touch${IFS}PWNED;/lib.so' cmd");
    free(line);
}

/* Words no shell may read as syntax: quotes, expansions, separators,
   globs, a newline, control bytes, a leading '-', '=' and '~'. */
static const char *const hostile[] = {
    "it's", "a b", "$HOME", "`touch PWNED`", "$(touch PWNED)", ";touch PWNED;",
    "evil;touch${IFS}PWNED;", "a\nb", "\n", "-n", "--", "-", "A=B", "=x", "%1", "~", "~root",
    "*", "?", "[a]", "{a,b}", "#c", "!", "\\", "\"", "'", "''", "\t", "&touch PWNED",
    "|touch PWNED", ">PWNED", "<x", "(", ")", "\x01\x1b[31m", "\xff\xfe", "if", "x=y;z", "",
};

/* Names of commands: any byte but '/' (a file name's). */
static const char *const names[] = {
    "A=B", "%1", "if", "-x", "it's", "a b", "$(touch PWNED)", ";touch PWNED;", "a\nb", "~x",
    "=x", "!", "{", "time", "x`touch PWNED`", "A=B;touch PWNED", "--",
};

struct sandbox {
    char *dir, *bin, *cwd;
};

/* A script called name in bin that prints its index, $STATICTLS_QUOTED and
   its arguments, each followed by a NUL. */
static void add_script(const struct sandbox *b, const char *name, size_t index)
{
    char *path = xasprintf("%s/%s", b->bin, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nprintf '%%s\\0' ran-%zu \"$STATICTLS_QUOTED\" \"$@\"\n", index);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    free(path);
}

/* What `sh -c line` prints, run in the sandbox's empty directory with its
   scripts first on PATH (no "--": a line must not start with '-'). */
static char *run_sh(const struct sandbox *b, const char *line, size_t *len)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *path = xasprintf("PATH=%s:/usr/bin:/bin", b->bin);
        if (dup2(fds[1], 1) < 0 || chdir(b->cwd) != 0 || putenv(path) != 0 ||
            unsetenv("STATICTLS_QUOTED") != 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char *out = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap)
            out = realloc(out, cap = 2 * cap + 8192);
        assert_non_null(out);
        ssize_t got = read(fds[0], out + n, 4096);
        assert_true(got >= 0);
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    *len = n;
    return out;
}

/* A line is pasted from what the terminal shows: no byte in it may move
   the cursor or start an escape sequence (a carriage return could print a
   quoted word over the command and show another). */
static void shown_as_is(const char *line)
{
    for (const unsigned char *p = (const unsigned char *)line; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            fail_msg("byte 0x%02x raw in the line to paste", *p);
}

static void expect_words(const struct sandbox *b, const char *line, size_t index,
                         const char *value, char *const args[])
{
    shown_as_is(line);
    char *want = xasprintf("ran-%zu", index);
    size_t wlen = strlen(want) + 1;
    want = realloc(want, wlen + strlen(value) + 1);
    memcpy(want + wlen, value, strlen(value) + 1);
    wlen += strlen(value) + 1;
    for (size_t i = 0; args[i]; i++) {
        want = realloc(want, wlen + strlen(args[i]) + 1);
        memcpy(want + wlen, args[i], strlen(args[i]) + 1);
        wlen += strlen(args[i]) + 1;
    }
    size_t len;
    char *got = run_sh(b, line, &len);
    if (len != wlen || memcmp(got, want, wlen) != 0)
        fail_msg("sh -c read back other words from: %s", line);
    free(got), free(want);
}

static void round_trip_through_sh(void **state)
{
    (void)state;
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    struct sandbox b = {.dir = make_scratch_dir(tmpdir, "statictls-quote")};
    b.bin = xasprintf("%s/bin", b.dir);
    b.cwd = xasprintf("%s/cwd", b.dir);
    assert_int_equal(mkdir(b.bin, 0700), 0);
    assert_int_equal(mkdir(b.cwd, 0700), 0);
    /* Every byte but NUL, as one word; every byte but NUL and '/' as a name. */
    char all[256], all_name[256];
    size_t k = 0;
    for (int c = 1; c < 256; c++) {
        all[c - 1] = (char)c;
        if (c != '/')
            all_name[k++] = (char)c;
    }
    all[255] = '\0';
    all_name[k] = '\0';
    size_t nnames = sizeof names / sizeof names[0];
    for (size_t i = 0; i < nnames; i++)
        add_script(&b, names[i], i);
    add_script(&b, all_name, nnames);
    size_t nhostile = sizeof hostile / sizeof hostile[0];
    char **args = xcalloc(nhostile + 2, sizeof *args);
    for (size_t i = 0; i < nhostile; i++)
        args[i] = (char *)hostile[i];
    args[nhostile] = all;
    /* Each name as the command, with every hostile word as an argument and
       each as the value of a variable set for the command. */
    for (size_t i = 0; i <= nnames; i++) {
        char *argv[nhostile + 3];
        argv[0] = (char *)(i < nnames ? names[i] : all_name);
        for (size_t j = 0; j <= nhostile; j++)
            argv[j + 1] = args[j];
        argv[nhostile + 2] = NULL;
        char *line = shell_line(NULL, NULL, argv);
        expect_words(&b, line, i, "", argv + 1);
        free(line);
        for (size_t j = 0; j <= nhostile; j++) {
            char *one[] = {argv[0], args[j], NULL};
            line = shell_line("STATICTLS_QUOTED", args[j], one);
            expect_words(&b, line, i, args[j], one + 1);
            free(line);
        }
    }
    /* Nothing ran but the scripts: the working directory is still empty. */
    char *pwned = xasprintf("%s/PWNED", b.cwd);
    assert_int_not_equal(access(pwned, F_OK), 0);
    assert_int_equal(rmdir(b.cwd), 0); /* fails with any file in it */
    free(pwned);
    free(args);
    remove_tree(b.dir);
    free(b.dir), free(b.bin), free(b.cwd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_quoted_where_needed),
        cmocka_unit_test(round_trip_through_sh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
