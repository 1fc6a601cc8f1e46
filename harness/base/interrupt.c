#define _GNU_SOURCE
#include "interrupt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "xalloc.h"
#include "xproc.h"

#define MAX_PATHS 64

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
enum { NHANDLED = sizeof handled / sizeof handled[0] };

/* Written only with the handled signals blocked, read by the handler. */
static struct {
    pid_t owner; /* the statictls process; a forked child before exec is not */
    volatile pid_t children[INTERRUPT_MAX_CHILDREN]; /* 0: a free slot */
    volatile bool groups[INTERRUPT_MAX_CHILDREN];
    char *paths[MAX_PATHS];
    size_t npaths;
} reg;

void interrupt_hold(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&set, handled[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

void interrupt_release(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

/* ---- removing trees with async-signal-safe calls only -------------------- */

struct dirent64_raw { /* the kernel's getdents64 record */
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static void remove_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return;
    int fd = depth < 32 ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    if (fd < 0)
        return;
    /* Deleting while reading may skip entries: read again until empty. */
    for (int pass = 0; pass < 64; pass++) {
        char buf[4096];
        bool removed = false;
        long n;
        lseek(fd, 0, SEEK_SET);
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
                off += d->reclen;
                if (strcmp(d->name, ".") != 0 && strcmp(d->name, "..") != 0) {
                    remove_at(fd, d->name, depth + 1);
                    removed = true;
                }
            }
        if (!removed)
            break;
    }
    close(fd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

void remove_tree_now(const char *path)
{
    remove_at(AT_FDCWD, path, 0);
}

/* ---- the handler ---------------------------------------------------------- */

/* Passes sig to every watched child (its group, where it leads one), gives
   them half a second to end by themselves, then kills what is left. */
static void stop_children(int sig)
{
    bool reaped[INTERRUPT_MAX_CHILDREN] = {false};
    int left = 0;
    for (int i = 0; i < INTERRUPT_MAX_CHILDREN; i++)
        if (reg.children[i] > 0) {
            kill(reg.groups[i] ? -reg.children[i] : reg.children[i], sig);
            left++;
        }
    for (int tries = 0; tries < 50 && left > 0; tries++) {
        for (int i = 0; i < INTERRUPT_MAX_CHILDREN; i++)
            if (reg.children[i] > 0 && !reaped[i] && waitpid(reg.children[i], NULL, WNOHANG) != 0) {
                reaped[i] = true;
                left--;
            }
        struct timespec ms = {0, 10 * 1000 * 1000};
        if (left > 0)
            nanosleep(&ms, NULL);
    }
    for (int i = 0; i < INTERRUPT_MAX_CHILDREN; i++) {
        pid_t pid = reg.children[i];
        if (pid <= 0)
            continue;
        kill(reg.groups[i] ? -pid : pid, SIGKILL); /* what is left of its group, too */
        if (!reaped[i])
            waitpid(pid, NULL, 0);
        reg.children[i] = 0;
    }
}

static void remove_registered(void)
{
    for (size_t i = reg.npaths; i-- > 0;)
        remove_tree_now(reg.paths[i]);
    reg.npaths = 0; /* the strings are left: free() is not async-signal-safe */
}

static void on_signal(int sig)
{
    if (getpid() != reg.owner) /* a child between fork and exec */
        _exit(128 + sig);
    stop_children(sig);
    remove_registered();
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void at_exit(void)
{
    if (getpid() != reg.owner)
        return;
    sigset_t old;
    interrupt_hold(&old);
    stop_children(SIGKILL);
    remove_registered();
    interrupt_release(&old);
}

void interrupt_install(void)
{
    reg.owner = getpid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NHANDLED; i++) /* one cleanup at a time */
        sigaddset(&sa.sa_mask, handled[i]);
    for (int i = 0; i < NHANDLED; i++) {
        struct sigaction was;
        if (sigaction(handled[i], NULL, &was) != 0)
            die_errno("sigaction");
        if (was.sa_handler == SIG_IGN)
            continue;
        if (sigaction(handled[i], &sa, NULL) != 0)
            die_errno("sigaction");
    }
    if (atexit(at_exit) != 0)
        die("atexit failed");
}

pid_t fork_watched(bool group)
{
    sigset_t old;
    interrupt_hold(&old);
    int slot = 0;
    while (slot < INTERRUPT_MAX_CHILDREN && reg.children[slot] != 0)
        slot++;
    if (slot == INTERRUPT_MAX_CHILDREN)
        die("more than %d children at once", INTERRUPT_MAX_CHILDREN);
    pid_t pid = xfork();
    if (pid == 0) {
        for (int i = 0; i < NHANDLED; i++) {
            struct sigaction was;
            if (sigaction(handled[i], NULL, &was) == 0 && was.sa_handler != SIG_IGN)
                signal(handled[i], SIG_DFL);
        }
        if (group)
            setpgid(0, 0);
        interrupt_release(&old);
        return 0;
    }
    if (group)
        setpgid(pid, pid); /* also here, so a signal never misses the group */
    reg.children[slot] = pid;
    reg.groups[slot] = group;
    interrupt_release(&old);
    return pid;
}

void interrupt_child_done(pid_t pid)
{
    sigset_t old;
    interrupt_hold(&old);
    for (int i = 0; i < INTERRUPT_MAX_CHILDREN; i++)
        if (reg.children[i] == pid)
            reg.children[i] = 0;
    interrupt_release(&old);
}

void interrupt_add_path(const char *path)
{
    char *copy = xstrdup(path);
    sigset_t old;
    interrupt_hold(&old);
    if (reg.npaths == MAX_PATHS)
        die("more than %d scratch paths at once", MAX_PATHS);
    reg.paths[reg.npaths++] = copy;
    interrupt_release(&old);
}

void interrupt_forget_path(const char *path)
{
    char *gone = NULL;
    sigset_t old;
    interrupt_hold(&old);
    for (size_t i = reg.npaths; i-- > 0 && !gone;)
        if (strcmp(reg.paths[i], path) == 0) {
            gone = reg.paths[i];
            memmove(&reg.paths[i], &reg.paths[i + 1], (reg.npaths - i - 1) * sizeof *reg.paths);
            reg.npaths--;
        }
    interrupt_release(&old);
    free(gone);
}
