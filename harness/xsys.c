#define _GNU_SOURCE
#include "xsys.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interrupt.h"

static _Noreturn void vdie(int code, int err, const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs("statictls: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (err)
        fprintf(stderr, ": %s", strerror(err));
    fputc('\n', stderr);
    exit(code);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie(EXIT_INTERNAL, 0, fmt, ap);
}

void die_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vdie(EXIT_INTERNAL, err, fmt, ap);
}

void die_input(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie(EXIT_USAGE, 0, fmt, ap);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_errno("malloc(%zu)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_errno("calloc(%zu, %zu)", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die_errno("realloc(%zu)", n);
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die_errno("strdup");
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        die_errno("asprintf");
    return s;
}

/* The directory of this executable, resolved through symlinks. */
static const char *exe_dir(void)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n < 0)
            die_errno("readlink /proc/self/exe");
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    return dir;
}

/* The directory holding name: the program's own (the build tree) or
   from_bin from it (an install); dies when neither does. */
static char *find_beside(const char *name, const char *from_bin)
{
    char *dirs[] = {xstrdup(exe_dir()), xasprintf("%s/%s", exe_dir(), from_bin)};
    for (size_t i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s", dirs[i], name);
        bool here = access(path, F_OK) == 0;
        free(path);
        if (here) {
            free(dirs[1 - i]);
            return dirs[i];
        }
    }
    die("%s is neither in %s nor in %s: an incomplete build or install", name, dirs[0], dirs[1]);
}

/* The build tree keeps the parts beside the program; an install keeps them
   at STATICTLS_PARTS_FROM_BIN from bin/ (cmake/StatictlsInstallDirs.cmake).
   Both are found from the program's own place, so a copied install works. */
const char *self_dir(void)
{
    static char *dir;
    if (!dir)
        dir = find_beside("statictls-probe", STATICTLS_PARTS_FROM_BIN);
    return dir;
}

const char *data_dir(void)
{
    static char *dir;
    if (!dir)
        dir = find_beside("cases", STATICTLS_DATA_FROM_BIN);
    return dir;
}

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

void remove_tree(const char *path)
{
    remove_tree_now(path);
    interrupt_forget_path(path);
}

char *loader_list_entry(const char *path, const char *dir, const char *name)
{
    if (!strpbrk(path, " :\t\n"))
        return xstrdup(path);
    char *link = xasprintf("%s/%s", dir, name);
    if (symlink(path, link) != 0 && errno != EEXIST)
        die_errno("symlink %s", link);
    return link;
}

char *make_scratch_dir(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    /* Generated libraries go into LD_PRELOAD and LD_AUDIT lists, which ld.so
       splits at ':' (and LD_PRELOAD at spaces too): no quoting exists. */
    if (strpbrk(tmp, " :\t\n"))
        die_input("TMPDIR=\"%s\": a space or ':' in it would split the LD_PRELOAD and "
                  "LD_AUDIT lists the probes get; set TMPDIR to a directory without them", tmp);
    char *dir = xasprintf("%s/%s.XXXXXX", tmp, name);
    if (!mkdtemp(dir))
        die_errno("mkdtemp %s", dir);
    interrupt_add_path(dir);
    return dir;
}

pid_t xfork(void)
{
    fflush(NULL); /* the child must not write our buffered output again */
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    return pid;
}

void xpipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        die_errno("pipe");
}

pid_t xwaitpid(pid_t pid, int *status, int options)
{
    for (;;) {
        pid_t got = waitpid(pid, status, options);
        if (got >= 0)
            return got;
        if (errno != EINTR)
            die_errno("waitpid %ld", (long)pid);
    }
}

void strip_dir_prefix(char *s, const char *dir)
{
    size_t n = strlen(dir);
    for (char *p = s; n && p && (p = strstr(p, dir));) {
        if (p[n] == '/')
            memmove(p, p + n + 1, strlen(p + n + 1) + 1);
        else
            p += n;
    }
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
