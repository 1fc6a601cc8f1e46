/* The writers of results and the file reader:
   a planted symlink is never followed, a results directory changes as one
   unit, and odd files read as what they are. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

static char *scratch(void)
{
    char *dir = xstrdup("/tmp/statictls-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *slurp_at(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n < 0 ? NULL : xasprintf("%.*s", (int)n, buf);
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The old writer opened PATH.tmp.PID, following a symlink planted there. */
static void planted_symlink_is_not_followed(void **state)
{
    (void)state;
    char *dir = scratch();
    char *victim = xasprintf("%s/victim", dir), *out = xasprintf("%s/out.json", dir);
    char *planted = xasprintf("%s.tmp.%ld", out, (long)getpid());
    int fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "secret", 6), 6);
    close(fd);
    assert_int_equal(symlink(victim, planted), 0);

    write_file_atomic(out, "new", 3);

    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    char *v = slurp_at(dfd, "victim"), *o = slurp_at(dfd, "out.json");
    assert_string_equal(v, "secret");
    assert_string_equal(o, "new");
    struct stat st;
    assert_int_equal(lstat(planted, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(entries(dir), 3); /* victim, planted link, out.json: no temp file left */
    close(dfd);
    free(v), free(o);
    remove_tree(dir);
    free(dir), free(victim), free(out), free(planted);
}

static const char *const ours[] = {"README.md", "results.json", "sweep.md", NULL};

static void publish_pair(const char *dir, const char *run)
{
    const struct named_text files[] = {{"README.md", run, strlen(run)},
                                       {"results.json", run, strlen(run)}};
    char err[512];
    assert_true(publish_dir(dir, files, 2, ours, err, sizeof err));
}

/* Publishing at a symbolic link follows nothing: the old writer opened
   the link's target, hard-linked its files into the results and moved its
   subdirectories out of it.  The link, its target and everything under it
   stay as they were, and nothing new is left beside them. */
static void publishing_follows_no_link(void **state)
{
    (void)state;
    char *parent = scratch(), *elsewhere = scratch();
    char *dir = xasprintf("%s/glibc-x", parent), *sub = xasprintf("%s/keep", elsewhere);
    char *file = xasprintf("%s/README.md", elsewhere), *inner = xasprintf("%s/inner", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file_atomic(file, "theirs", 6);
    write_file_atomic(inner, "deep", 4);
    assert_int_equal(symlink(elsewhere, dir), 0);

    const struct named_text files[] = {{"README.md", "run", 3}, {"results.json", "run", 3}};
    char err[512] = "";
    assert_false(publish_dir(dir, files, 2, ours, err, sizeof err));
    assert_non_null(strstr(err, "is a symbolic link"));
    assert_non_null(strstr(err, dir));
    assert_false(results_dir_check(dir, ours, err, sizeof err));

    struct stat st;
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(entries(parent), 1);   /* the link, and no new directory */
    assert_int_equal(entries(elsewhere), 2); /* README.md and keep/ */
    assert_int_equal(entries(sub), 1);
    int dfd = open(elsewhere, O_RDONLY | O_DIRECTORY);
    char *theirs = slurp_at(dfd, "README.md");
    assert_string_equal(theirs, "theirs");
    assert_int_equal(fstatat(dfd, "README.md", &st, 0), 0);
    assert_int_equal(st.st_nlink, 1); /* never hard-linked into any results */
    close(dfd);
    free(theirs);
    remove_tree(parent);
    remove_tree(elsewhere);
    free(parent), free(elsewhere), free(dir), free(sub), free(file), free(inner);
}

/* Only what statictls writes is carried over: a directory that holds
   anything else (a subdirectory, a file of another name, a link named
   like a results file) is refused, untouched, rather than lost. */
static void publishing_refuses_what_it_did_not_write(void **state)
{
    (void)state;
    const char *foreign[] = {"notes", "sub", "sweep.md"};
    for (size_t k = 0; k < 3; k++) {
        char *parent = scratch();
        char *dir = xasprintf("%s/glibc-x", parent);
        publish_pair(dir, "run 0");
        char *what = xasprintf("%s/%s", dir, foreign[k]);
        if (k == 0)
            write_file_atomic(what, "mine", 4);
        else if (k == 1)
            assert_int_equal(mkdir(what, 0755), 0);
        else
            assert_int_equal(symlink("/etc/passwd", what), 0);
        const struct named_text files[] = {{"README.md", "run 1", 5}};
        char err[512] = "";
        assert_false(publish_dir(dir, files, 1, ours, err, sizeof err));
        assert_non_null(strstr(err, foreign[k]));
        assert_non_null(strstr(err, "which statictls does not write there"));
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        char *readme = slurp_at(dfd, "README.md");
        assert_string_equal(readme, "run 0"); /* nothing changed */
        close(dfd);
        assert_int_equal(entries(dir), 3);
        assert_int_equal(entries(parent), 1);
        free(readme);
        remove_tree(parent);
        free(parent), free(dir), free(what);
    }
}

/* A reader that opens the directory once sees one run's pair: both files,
   the same run.  Only a directory already replaced (being removed) may
   lack one; a reader then opens the directory again. */
static bool consistent(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return errno == ENOENT; /* between the two renames of the fallback */
    char *a = slurp_at(fd, "README.md"), *b = slurp_at(fd, "results.json");
    struct stat held, now;
    bool replaced = fstat(fd, &held) != 0 || stat(dir, &now) != 0 || held.st_ino != now.st_ino;
    bool ok = (a && b && strcmp(a, b) == 0) || ((!a || !b) && replaced);
    free(a), free(b);
    close(fd);
    return ok;
}

static void results_directory_is_one_unit(void **state)
{
    (void)state;
    char *parent = scratch();
    char *dir = xasprintf("%s/glibc-x", parent);
    publish_pair(dir, "run 0");
    /* What another command keeps there stays. */
    char *sweep = xasprintf("%s/sweep.md", dir);
    write_file_atomic(sweep, "sweep", 5);
    publish_pair(dir, "run 1");
    assert_true(consistent(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    char *s = slurp_at(dfd, "sweep.md"), *r = slurp_at(dfd, "README.md");
    assert_string_equal(s, "sweep");
    assert_string_equal(r, "run 1");
    close(dfd);
    free(s), free(r);
    assert_int_equal(entries(parent), 1); /* no temporary directory left beside it */

    /* Two writers publish while this one reads: never a mixed pair. */
    pid_t writers[2];
    for (int w = 0; w < 2; w++) {
        writers[w] = fork();
        assert_true(writers[w] >= 0);
        if (writers[w] == 0) {
            for (int i = 0; i < 25; i++) {
                char run[32];
                snprintf(run, sizeof run, "writer %d run %d", w, i);
                publish_pair(dir, run);
            }
            _exit(0);
        }
    }
    unsigned mixed = 0, reads = 0;
    for (int done = 0; done < 2;) {
        mixed += !consistent(dir);
        reads++;
        int status;
        pid_t got = waitpid(-1, &status, WNOHANG);
        if (got > 0) {
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            done++;
        }
    }
    assert_true(reads > 0);
    assert_int_equal(mixed, 0);
    assert_true(consistent(dir));
    assert_int_equal(entries(parent), 1);
    assert_int_equal(entries(dir), 3);
    remove_tree(parent);
    free(parent), free(dir), free(sweep);
}

static void odd_files_read_as_what_they_are(void **state)
{
    (void)state;
    char *dir = scratch();
    size_t len;
    errno = 0;
    assert_null(read_file(dir, &len));
    assert_int_equal(errno, EISDIR); /* not "Input/output error" */

    char *fifo = xasprintf("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    char *text = read_file(fifo, &len); /* no writer: empty, not a hang */
    assert_non_null(text);
    assert_int_equal(len, 0);
    free(text);

    char *big = xasprintf("%s/big", dir);
    write_file_atomic(big, "0123456789", 10);
    errno = 0;
    assert_null(read_file_max(big, 9, &len));
    assert_int_equal(errno, EFBIG);
    text = read_file_max(big, 10, &len);
    assert_non_null(text);
    assert_int_equal(len, 10);
    free(text);
    remove_tree(dir);
    free(dir), free(fifo), free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_symlink_is_not_followed),
        cmocka_unit_test(results_directory_is_one_unit),
        cmocka_unit_test(publishing_follows_no_link),
        cmocka_unit_test(publishing_refuses_what_it_did_not_write),
        cmocka_unit_test(odd_files_read_as_what_they_are),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
