#define _GNU_SOURCE
#include "interrupt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A tree of any depth is removed with two descriptors and a fixed amount
   of stack, in time linear in its size: the top directory's entries are
   removed; one that is a directory still holding something is opened and
   emptied, its own full subdirectories moved up into the top directory
   under a fresh name (to be emptied in their turn), and then removed.
   Rounds over the top directory go on while one removes or moves
   something, and each entry is removed or moved once, so it ends; what
   cannot be removed (another file system mounted inside, a file the user
   may not delete) stays, after a round that changed nothing.  Nothing is
   followed: a symbolic link is unlinked, a directory opened O_NOFOLLOW,
   and a rename never leaves the file system. */

struct dirent64_raw { /* the kernel's getdents64 record */
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

enum removal { REMOVED, ABSENT, FULL_DIR, STUCK };

static bool is_dot(const char *name)
{
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* Removes name in dir if it is a file, a link or an empty directory. */
static enum removal remove_entry(int dir, const char *name)
{
    for (int tries = 0; tries < 2; tries++) {
        if (unlinkat(dir, name, 0) == 0)
            return REMOVED;
        if (errno == ENOENT)
            return ABSENT;
        if (errno == EISDIR || errno == EPERM) { /* a directory: EPERM is POSIX's word */
            if (unlinkat(dir, name, AT_REMOVEDIR) == 0)
                return REMOVED;
            if (errno == ENOTEMPTY || errno == EEXIST)
                return FULL_DIR;
            if (errno == ENOENT)
                return ABSENT;
        }
        /* A directory of the tree without write permission (made so by
           what was unpacked into it): the tree is ours to remove. */
        if (errno != EACCES || fchmod(dir, S_IRWXU) != 0)
            break;
    }
    return STUCK;
}

/* A fresh name for an entry moved into the top directory: ".rmN". */
static void serial_name(char *out, unsigned long serial)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + serial % 10);
    while ((serial /= 10) && n < (int)sizeof digits);
    out[0] = '.', out[1] = 'r', out[2] = 'm';
    int k = 3;
    while (n > 0)
        out[k++] = digits[--n];
    out[k] = '\0';
}

/* Moves the full directory name in dir up into top, under a fresh name. */
static enum removal move_up(int dir, const char *name, int top, unsigned long *serial)
{
    for (int tries = 0; tries < 64; tries++) {
        char fresh[32];
        serial_name(fresh, (*serial)++);
        if (renameat(dir, name, top, fresh) == 0)
            return REMOVED;
        if (errno == ENOENT)
            return ABSENT;
        if (errno == EACCES) { /* its ".." needs writing: make it writable */
            int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            bool changed = fd >= 0 && fchmod(fd, S_IRWXU) == 0;
            if (fd >= 0)
                close(fd);
            if (changed || fchmod(dir, S_IRWXU) == 0)
                continue;
        }
        if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EINVAL &&
            errno != EACCES)
            break; /* EXDEV, EBUSY: a mount point, left alone */
    }
    return STUCK;
}

/* One pass over the directory open as fd: files unlinked, empty
   directories removed, and a full directory emptied into top (where fd is
   top) or moved up into top (where fd is one of top's entries), so the
   work stays two levels deep however deep the tree.  Returns whether
   anything went. */
static bool sweep(int fd, int top, unsigned long *serial)
{
    bool changed = false;
    char buf[4096];
    long n;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return false;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < n;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
            off += d->reclen;
            if (is_dot(d->name))
                continue;
            enum removal r = remove_entry(fd, d->name);
            if (r == FULL_DIR && fd != top) {
                r = move_up(fd, d->name, top, serial);
            } else if (r == FULL_DIR) {
                int sub = openat(top, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0) {
                    changed |= sweep(sub, top, serial);
                    close(sub);
                    r = remove_entry(top, d->name);
                }
            }
            changed |= r == REMOVED;
        }
    return changed;
}

void remove_tree_now(const char *path)
{
    if (remove_entry(AT_FDCWD, path) != FULL_DIR)
        return; /* gone, or never there, or not ours to remove */
    int top = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (top < 0)
        return;
    unsigned long serial = 0;
    for (bool more = true; more;)
        more = sweep(top, top, &serial);
    close(top);
    unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
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
    interrupt_release(&old);
    /* Not held: removal takes as long as the trees are large, and a signal
       meanwhile removes the same paths itself (on_signal) and ends by it. */
    remove_registered();
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
