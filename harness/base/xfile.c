#define _GNU_SOURCE
#include "xfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "die.h"
#include "interrupt.h"
#include "xalloc.h"
#include "xpath.h"

char *read_file_max(const char *path, size_t max, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not hang; reads then
       block again, so a pipe (bash's <(...)) still works. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    int flags = err ? -1 : fcntl(fd, F_GETFL);
    if (!err && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0))
        err = errno;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    while (!err) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            err = got < 0 ? errno : 0;
            break;
        }
        n += (size_t)got;
        if (n > max)
            err = EFBIG;
        else if (n == cap)
            buf = xrealloc(buf, (cap *= 2) + 1);
    }
    close(fd);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *read_file(const char *path, size_t *len)
{
    return read_file_max(path, READ_FILE_MAX, len);
}

static void write_all(int fd, const char *data, size_t len, const char *what)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("write %s", what);
        }
        off += (size_t)n;
    }
}

/* The directory part of path ("." for none), and the rest. */
static char *dir_part(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        return xstrdup(".");
    return slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        die_errno("fsync %s", dir);
    close(fd);
}

/* What a new file's mode is under the caller's umask. */
static mode_t umasked(mode_t mode)
{
    mode_t mask = umask(0);
    umask(mask);
    return mode & ~mask;
}

/* A new file in dir under a random name (mkstemp: O_EXCL, so nothing
   planted there, a symlink included, is ever opened), holding data,
   synced; registered for removal until the caller publishes it. */
static char *write_temp(const char *dir, const char *base, const char *data, size_t len)
{
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        die_errno("create a temporary file in %s", dir);
    interrupt_add_path(tmp);
    if (fchmod(fd, umasked(0644)) != 0)
        die_errno("chmod %s", tmp);
    write_all(fd, data, len, tmp);
    if (fsync(fd) != 0 || close(fd) != 0)
        die_errno("flush %s", tmp);
    return tmp;
}

void write_file_atomic(const char *path, const char *data, size_t len)
{
    const char *base;
    char *dir = dir_part(path, &base);
    char *tmp = write_temp(dir, base, data, len);
    if (rename(tmp, path) != 0)
        die_errno("rename %s to %s", tmp, path);
    interrupt_forget_path(tmp);
    fsync_dir(dir);
    free(tmp);
    free(dir);
}

static bool is_published(const char *name, const struct named_text *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i].name, name) == 0)
            return true;
    return false;
}

/* Copies into fresh what dir holds besides the files being published (a
   sweep's files beside a report's): hard links, so nothing is copied. */
static void carry_over(const char *dir, const char *fresh, const struct named_text *files,
                       size_t n)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return;
        die_errno("opendir %s", dir);
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            is_published(e->d_name, files, n))
            continue;
        char *from = xasprintf("%s/%s", dir, e->d_name), *to = xasprintf("%s/%s", fresh, e->d_name);
        if (link(from, to) != 0 && rename(from, to) != 0) /* a directory moves over */
            die_errno("keep %s", from);
        free(from), free(to);
    }
    closedir(d);
}

/* Puts fresh where dir is in one step: RENAME_EXCHANGE where the kernel and
   file system have it, else two renames (dir is then briefly absent, never
   half new).  Returns where the old directory went, or NULL for none. */
static char *swap_in(const char *fresh, const char *dir, const char *parent, const char *base)
{
#if defined(SYS_renameat2)
    if (syscall(SYS_renameat2, AT_FDCWD, fresh, AT_FDCWD, dir, 2 /* RENAME_EXCHANGE */) == 0)
        return xstrdup(fresh);
#endif
    if (rename(fresh, dir) == 0)
        return NULL;
    if (errno != ENOTEMPTY && errno != EEXIST)
        die_errno("rename %s to %s", fresh, dir);
    char *old = xasprintf("%s/.%s.old.XXXXXX", parent, base);
    if (!mkdtemp(old))
        die_errno("mkdtemp %s", old);
    if (rename(dir, old) != 0 || rename(fresh, dir) != 0)
        die_errno("rename %s to %s", fresh, dir);
    return old;
}

void publish_dir(const char *dir, const struct named_text *files, size_t n)
{
    const char *base;
    char *parent = dir_part(dir, &base);
    make_dirs(parent);
    /* One publisher at a time per parent: two reports into one directory
       each publish a whole pair, and neither loses the other's files. */
    int lock = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock < 0 || flock(lock, LOCK_EX) != 0)
        die_errno("lock %s", parent);
    char *fresh = xasprintf("%s/.%s.new.XXXXXX", parent, base);
    if (!mkdtemp(fresh))
        die_errno("mkdtemp %s", fresh);
    interrupt_add_path(fresh);
    if (chmod(fresh, umasked(0755)) != 0)
        die_errno("chmod %s", fresh);
    for (size_t i = 0; i < n; i++) {
        char *tmp = write_temp(fresh, files[i].name, files[i].text, files[i].len);
        char *path = xasprintf("%s/%s", fresh, files[i].name);
        if (rename(tmp, path) != 0)
            die_errno("rename %s to %s", tmp, path);
        interrupt_forget_path(tmp);
        free(tmp), free(path);
    }
    carry_over(dir, fresh, files, n);
    fsync_dir(fresh);
    sigset_t held; /* a signal now would remove the new files or the old */
    interrupt_hold(&held);
    char *old = swap_in(fresh, dir, parent, base);
    interrupt_forget_path(fresh);
    if (old)
        interrupt_add_path(old);
    interrupt_release(&held);
    if (fsync(lock) != 0)
        die_errno("fsync %s", parent);
    close(lock); /* unlocks */
    if (old) {
        remove_tree(old);
        free(old);
    }
    free(fresh);
    free(parent);
}

void publish_rendered(const char *dir, const struct rendered_file *files, size_t n,
                      const void *ctx)
{
    struct named_text *texts = xcalloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        texts[i].name = files[i].name;
        texts[i].text = render_to_memory(files[i].writer, ctx, &texts[i].len);
    }
    publish_dir(dir, texts, n);
    for (size_t i = 0; i < n; i++)
        free((char *)texts[i].text);
    free(texts);
}

void make_dirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                die_errno("mkdir %s", p);
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
}

char *render_to_memory(void (*writer)(FILE *, const void *), const void *ctx, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        die_errno("open_memstream");
    writer(f, ctx);
    if (fclose(f) != 0)
        die_errno("render results");
    return buf;
}
