/* Removing scratch trees: any depth and width, in time linear in the size
   (the old removal retried 64 times per level past 32 levels, so a tree
   40 deep never ended, with SIGTERM and SIGINT held off), never following
   a link, and from the signal handler and the exit hook alike. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "interrupt.h"
#include "xalloc.h"

static char *scratch(void)
{
    char *dir = xstrdup("/tmp/statictls-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void make_file_at(int dir, const char *name)
{
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
}

/* A chain depth directories deep under dir/name, a file at each level;
   made through descriptors, so no path is ever longer than a name. */
static void make_chain(const char *dir, const char *name, int depth)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    const char *next = name;
    for (int i = 0; i < depth; i++) {
        assert_int_equal(mkdirat(fd, next, 0755), 0);
        int sub = openat(fd, next, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(sub >= 0);
        close(fd);
        fd = sub;
        make_file_at(fd, "f");
        next = "d";
    }
    close(fd);
}

/* A tree deep and wide, with what a scratch tree may hold: links to
   outside it and in a loop, directories without write permission, names
   like those the removal gives what it moves. */
static void make_hostile_tree(const char *root, const char *outside)
{
    make_chain(root, "deep", 3000);
    char *wide = xasprintf("%s/wide", root);
    assert_int_equal(mkdir(wide, 0755), 0);
    int fd = open(wide, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < 2000; i++) { /* many getdents64 buffers */
        char name[64];
        snprintf(name, sizeof name, "a-rather-long-file-name-to-fill-buffers-%d", i);
        make_file_at(fd, name);
    }
    for (int i = 0; i < 50; i++) {
        char name[16];
        snprintf(name, sizeof name, "sub%d", i);
        assert_int_equal(mkdirat(fd, name, 0755), 0);
        int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (int k = 0; k < 20; k++) {
            snprintf(name, sizeof name, "f%d", k);
            make_file_at(sub, name);
        }
        close(sub);
    }
    close(fd);
    for (int i = 0; i < 3; i++) { /* the names removal gives what it moves up */
        char *taken = xasprintf("%s/.rm%d", root, i);
        make_chain(root, taken + strlen(root) + 1, 3);
        free(taken);
    }
    char *link_out = xasprintf("%s/wide/sub0/out", root), *loop = xasprintf("%s/wide/loop", root);
    assert_int_equal(symlink(outside, link_out), 0);
    assert_int_equal(symlink(loop, loop), 0);
    char *locked = xasprintf("%s/locked", root), *inner = xasprintf("%s/locked/d", root);
    make_chain(root, "locked", 5);
    assert_int_equal(chmod(inner, 0555), 0);
    assert_int_equal(chmod(locked, 0555), 0);
    free(wide), free(link_out), free(loop), free(locked), free(inner);
}

static void deep_and_wide_trees_go(void **state)
{
    (void)state;
    char *parent = scratch(), *outside = scratch();
    char *kept = xasprintf("%s/kept", outside);
    int fd = open(outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    make_file_at(fd, "kept");
    close(fd);
    char *root = xasprintf("%s/tree", parent);
    assert_int_equal(mkdir(root, 0755), 0);
    make_hostile_tree(root, outside);

    remove_tree_now(root);

    assert_false(exists(root));
    assert_true(exists(kept)); /* the link to it was removed, not followed */
    DIR *d = opendir(parent);
    size_t left = 0;
    for (struct dirent *e; (e = readdir(d));)
        left += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(left, 0); /* nothing moved out of the tree */
    remove_tree_now(outside);
    remove_tree_now(parent);
    assert_false(exists(outside));
    free(parent), free(outside), free(kept), free(root);
}

/* A file, a link (removed, its target kept), an empty directory and a
   path that is not there. */
static void single_entries_go(void **state)
{
    (void)state;
    char *dir = scratch();
    char *file = xasprintf("%s/file", dir), *link = xasprintf("%s/link", dir);
    char *empty = xasprintf("%s/empty", dir), *none = xasprintf("%s/none", dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    make_file_at(fd, "file");
    close(fd);
    assert_int_equal(symlink(dir, link), 0);
    assert_int_equal(mkdir(empty, 0755), 0);
    remove_tree_now(link);
    assert_false(exists(link));
    assert_true(exists(file));
    remove_tree_now(file);
    remove_tree_now(empty);
    remove_tree_now(none);
    assert_false(exists(file));
    assert_false(exists(empty));
    remove_tree_now(dir);
    assert_false(exists(dir));
    free(dir), free(file), free(link), free(empty), free(none);
}

/* The registry's two ways out: a signal (the handler removes the tree and
   the process ends by that signal) and exit (the exit hook removes it). */
static void registered_trees_go_on_signal_and_exit(void **state)
{
    (void)state;
    for (int how = 0; how < 2; how++) {
        char *parent = scratch();
        char *root = xasprintf("%s/scratch", parent);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            interrupt_install();
            if (mkdir(root, 0700) != 0)
                _exit(10);
            interrupt_add_path(root);
            make_chain(root, "deep", 200);
            if (how == 0)
                raise(SIGTERM);
            exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (how == 0)
            assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        else
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_false(exists(root));
        remove_tree_now(parent);
        free(parent), free(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deep_and_wide_trees_go),
        cmocka_unit_test(single_entries_go),
        cmocka_unit_test(registered_trees_go_on_signal_and_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
