#define _GNU_SOURCE
#include "xsys.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = xrealloc(buf, (cap *= 2) + 1);
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
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

void write_file_atomic(const char *path, const char *data, size_t len)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        die_errno("create %s", tmp);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("write %s", tmp);
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0)
        die_errno("flush %s", tmp);
    if (rename(tmp, path) != 0)
        die_errno("rename %s to %s", tmp, path);
    free(tmp);
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

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *make_scratch_dir(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    if (!mkdtemp(dir))
        die_errno("mkdtemp %s", dir);
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
