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
#include "visible.h"
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

/* Writes all of data; false with errno set on failure. */
static bool write_all(int fd, const char *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        off += (size_t)n;
    }
    return true;
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

static bool try_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    int err = errno;
    if (fd >= 0)
        close(fd);
    errno = err;
    return ok;
}

static void fsync_dir(const char *dir)
{
    if (!try_fsync_dir(dir))
        die_errno("fsync %s", dir);
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
   synced; registered for removal until the caller publishes it.  NULL
   with errno set, and nothing left, when any of it fails; what failed in
   *what ("create", "write", ...). */
static char *try_write_temp(const char *dir, const char *base, const char *data, size_t len,
                            const char **what)
{
    char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        *what = "create a temporary file in";
        int err = errno;
        free(tmp);
        errno = err;
        return NULL;
    }
    interrupt_add_path(tmp);
    *what = fchmod(fd, umasked(0644)) != 0 ? "chmod"
            : !write_all(fd, data, len)     ? "write"
            : fsync(fd) != 0                ? "flush"
                                            : NULL;
    int err = errno;
    if (close(fd) != 0 && !*what) {
        *what = "flush";
        err = errno;
    }
    if (!*what)
        return tmp;
    unlink(tmp);
    interrupt_forget_path(tmp);
    free(tmp);
    errno = err;
    return NULL;
}

static char *write_temp(const char *dir, const char *base, const char *data, size_t len)
{
    const char *what;
    char *tmp = try_write_temp(dir, base, data, len, &what);
    if (!tmp)
        die_errno("%s %s/.%s", what, dir, base);
    return tmp;
}

bool try_write_file_atomic(const char *path, const char *data, size_t len)
{
    const char *base, *what;
    char *dir = dir_part(path, &base);
    char *tmp = try_write_temp(dir, base, data, len, &what);
    bool ok = tmp && rename(tmp, path) == 0;
    int err = errno;
    if (tmp && !ok)
        unlink(tmp);
    if (ok && !try_fsync_dir(dir)) {
        ok = false;
        err = errno;
    }
    if (tmp)
        interrupt_forget_path(tmp);
    free(tmp);
    free(dir);
    errno = err;
    return ok;
}

void write_file_atomic(const char *path, const char *data, size_t len)
{
    if (!try_write_file_atomic(path, data, len))
        die_errno("write %s", path);
}

bool dir_write_check(const char *dir, char *err, size_t errlen)
{
    if (!try_make_dirs(dir)) {
        snprintf(err, errlen, "cannot create it: %s", strerror(errno));
        return false;
    }
    /* A block of data, not an empty file: an empty file needs no space,
       and would pass on a full disk. */
    static const char block[4096];
    char *check = xasprintf("%s/.statictls-write-check", dir);
    bool ok = try_write_file_atomic(check, block, sizeof block);
    if (!ok)
        snprintf(err, errlen, "cannot write a file of %zu bytes there: %s", sizeof block,
                 strerror(errno));
    else if (unlink(check) != 0)
        die_errno("remove %s", check);
    free(check);
    return ok;
}

static bool named(const char *name, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* dir, opened without following a link, once it is known to hold only
   regular files named in ours (what statictls writes there): its fd;
   -1 when it is absent (nothing to carry over); -2 with why in err for a
   symbolic link, anything but a directory, or a directory holding
   anything else, which publishing would lose or (through a link) pull
   apart. */
static int open_ours(const char *dir, const char *const *ours, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 && errno == ENOENT)
        return -1;
    if (fd < 0) {
        int why = errno;
        if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
            snprintf(err, errlen, "%s is a symbolic link; statictls writes a directory of its "
                     "own there and follows no link: remove the link, or name another "
                     "results directory", dir);
        else
            snprintf(err, errlen, "%s: %s", dir,
                     why == ENOTDIR ? "not a directory" : strerror(why));
        return -2;
    }
    int list = dup(fd);
    DIR *d = list < 0 ? NULL : fdopendir(list);
    if (!d)
        die_errno("opendir %s", dir);
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ok = named(e->d_name, ours) && fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
             S_ISREG(st.st_mode);
        if (!ok) {
            char *shown = visible(e->d_name);
            snprintf(err, errlen, "%s holds \"%s\", which statictls does not write there; it "
                     "replaces that directory whole: move \"%s\" elsewhere", dir, shown, shown);
            free(shown);
        }
    }
    closedir(d);
    if (!ok) {
        close(fd);
        return -2;
    }
    return fd;
}

bool results_dir_check(const char *dir, const char *const *ours, char *err, size_t errlen)
{
    int fd = open_ours(dir, ours, err, errlen);
    if (fd >= 0)
        close(fd);
    return fd != -2;
}

/* Links into fresh the files of ours that old (open as fd) holds and this
   run does not publish (a sweep's pair beside a report's): hard links of
   regular files, never following a link, so nothing is copied. */
static void carry_over(int fd, const char *dir, int fresh, const char *fresh_path,
                       const struct named_text *files, size_t n, const char *const *ours)
{
    for (size_t i = 0; ours[i]; i++) {
        bool published = false;
        for (size_t k = 0; k < n; k++)
            published |= strcmp(files[k].name, ours[i]) == 0;
        if (published)
            continue;
        if (linkat(fd, ours[i], fresh, ours[i], 0) != 0 && errno != ENOENT)
            die_errno("keep %s/%s in %s", dir, ours[i], fresh_path);
    }
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

bool publish_dir(const char *dir, const struct named_text *files, size_t n,
                 const char *const *ours, char *err, size_t errlen)
{
    const char *base;
    char *parent = dir_part(dir, &base);
    make_dirs(parent);
    /* One publisher at a time per parent: two reports into one directory
       each publish a whole pair, and neither loses the other's files. */
    int lock = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock < 0 || flock(lock, LOCK_EX) != 0)
        die_errno("lock %s", parent);
    int old_fd = open_ours(dir, ours, err, errlen);
    if (old_fd == -2) {
        close(lock);
        free(parent);
        return false;
    }
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
    if (old_fd >= 0) {
        int fresh_fd = open(fresh, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fresh_fd < 0)
            die_errno("open %s", fresh);
        carry_over(old_fd, dir, fresh_fd, fresh, files, n, ours);
        close(fresh_fd);
        close(old_fd);
    }
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
    return true;
}

bool publish_rendered(const char *dir, const struct rendered_file *files, size_t n,
                      const void *ctx, const char *const *ours, char *err, size_t errlen)
{
    struct named_text *texts = xcalloc(n, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        texts[i].name = files[i].name;
        texts[i].text = render_to_memory(files[i].writer, ctx, &texts[i].len);
    }
    bool ok = publish_dir(dir, texts, n, ours, err, errlen);
    for (size_t i = 0; i < n; i++)
        free((char *)texts[i].text);
    free(texts);
    return ok;
}

bool try_make_dirs(const char *path)
{
    char *p = xstrdup(path);
    bool ok = true;
    for (char *s = p + (*p != '\0'); ok; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            ok = mkdir(p, 0755) == 0 || errno == EEXIST;
            *s = c;
            if (!c)
                break;
        }
    }
    int err = errno;
    free(p);
    errno = err;
    return ok;
}

void make_dirs(const char *path)
{
    if (!try_make_dirs(path))
        die_errno("mkdir %s", path);
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
