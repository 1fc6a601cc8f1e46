/* LD_PRELOAD helper of `statictls headroom`, injected into a real command.
   Its constructor measures, inside the command's own process, how much
   static TLS is free (bisection with dlopen/dlclose of a template whose
   PT_TLS size it patches: a failed or closed last block gives its space
   back), then, when asked, dlopens a filler that leaves exactly
   STATICTLS_SQUEEZE_LEAVE bytes (or one of exactly STATICTLS_SQUEEZE_FILL
   bytes: the same filler whatever a fix does to the free bytes), and
   dlopens the objects of STATICTLS_SQUEEZE_FIRST (':'-separated) before
   the command loads anything: `doctor`'s "load it first" fix.  A preloaded
   object sits in the initial block and takes no surplus itself.  At exit it lists the objects with
   TLS that were loaded after it, which the harness turns into a census.
   Each program says first which it is (a "process" record: a wrapper's
   exec starts the next program in the same process, and the harness keeps
   each program's records apart).
   Before the process execs another program it says so, and whether the
   new program keeps the helper in LD_PRELOAD: a launcher (env -i, env -u
   LD_PRELOAD) that drops it would otherwise leave a measurement of the
   launcher that looks like one of the command.

   Environment: STATICTLS_SQUEEZE_TEMPLATE (an IE template, 64-bit ELF),
   STATICTLS_SQUEEZE_DIR (scratch), STATICTLS_SQUEEZE_REPORT (appended
   records), STATICTLS_SQUEEZE_LEAVE, STATICTLS_SQUEEZE_FILL and
   STATICTLS_SQUEEZE_FIRST (optional). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol.h"

static int report = -1;
static const char *dir;
static unsigned char *image;
static size_t image_size;
static Elf64_Phdr *tls_phdr;
static unsigned serial;

static void say(const char *line)
{
    if (report >= 0 && write(report, line, strlen(line)) < 0)
        report = -1;
}

static int load_template(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr))
        return 0;
    image_size = (size_t)st.st_size;
    image = malloc(image_size);
    int ok = image && read(fd, image, image_size) == (ssize_t)image_size;
    close(fd);
    if (!ok || memcmp(image, ELFMAG, SELFMAG) != 0 || image[EI_CLASS] != ELFCLASS64)
        return 0;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    if (eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > image_size)
        return 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(image + eh->e_phoff) + i;
        if (ph->p_type == PT_TLS)
            tls_phdr = ph;
    }
    return tls_phdr != NULL;
}

/* dlopen of a copy with an n-byte, 1-aligned IE block; NULL if it fails. */
static void *open_block(size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/squeeze-%d-%u.so", dir, (int)getpid(), ++serial);
    tls_phdr->p_memsz = n;
    tls_phdr->p_filesz = 0;
    tls_phdr->p_align = 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    int ok = write(fd, image, image_size) == (ssize_t)image_size;
    close(fd);
    void *h = ok ? dlopen(path, RTLD_NOW) : NULL;
    unlink(path);
    return h;
}

static int fits(size_t n)
{
    void *h = open_block(n);
    if (h)
        dlclose(h); /* the last block placed: its space comes back */
    return h != NULL;
}

static int list_tls(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *kind = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_TLS || !info->dlpi_tls_modid)
            continue;
        char path[8200], line[8448];
        proto_escape(path, sizeof path, info->dlpi_name[0] ? info->dlpi_name : PROTO_MAIN_NAME);
        snprintf(line, sizeof line, "%s\tpid=%d\tmodid=%zu\tpath=%s\n", kind, (int)getpid(),
                 info->dlpi_tls_modid, path);
        say(line);
    }
    return 0;
}

/* dlopens each object of list in order; a failure is the command's. */
static void load_first(const char *list)
{
    char line[4352];
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ":");
        char path[4096];
        snprintf(path, sizeof path, "%.*s", (int)(n < sizeof path ? n : sizeof path - 1), p);
        p += n + (p[n] == ':');
        if (!*path)
            continue;
        void *h = dlopen(path, RTLD_NOW);
        snprintf(line, sizeof line, "first\tpid=%d\tok=%d\tpath=%.4000s\n", (int)getpid(), h != NULL,
                 path);
        say(line);
        if (!h) {
            fprintf(stderr, "statictls-squeeze: %s\n", dlerror());
            _exit(1);
        }
    }
}

/* ---- execs: said before they happen ------------------------------------- */

typedef int exec_fn(const char *, char *const[], char *const[]);
typedef int fexec_fn(int, char *const[], char *const[]);
typedef int execat_fn(int, const char *, char *const[], char *const[], int);
/* glibc's own, resolved by the constructor (never in a vfork child). */
static exec_fn *real_execve, *real_execvpe;
static fexec_fn *real_fexecve;
static execat_fn *real_execveat;

static void resolve_execs(void)
{
    real_execve = (exec_fn *)dlsym(RTLD_NEXT, "execve");
    real_execvpe = (exec_fn *)dlsym(RTLD_NEXT, "execvpe");
    real_fexecve = (fexec_fn *)dlsym(RTLD_NEXT, "fexecve");
    real_execveat = (execat_fn *)dlsym(RTLD_NEXT, "execveat"); /* glibc 2.34+ */
}

/* The new program keeps the helper: LD_PRELOAD still names it and the
   report is still asked for. */
static int keeps_helper(char *const envp[])
{
    int preload = 0, asked = 0;
    for (size_t i = 0; envp && envp[i]; i++) {
        preload |= strncmp(envp[i], "LD_PRELOAD=", 11) == 0 &&
                   strstr(envp[i], "statictls-squeeze.so") != NULL;
        asked |= strncmp(envp[i], "STATICTLS_SQUEEZE_REPORT=", 25) == 0;
    }
    return preload && asked;
}

/* The new program has an LD_PRELOAD of its own (set, not empty). */
static int has_preload(char *const envp[])
{
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0 && envp[i][11])
            return 1;
    return 0;
}

static void say_exec(const char *path, char *const envp[])
{
    if (report < 0)
        return;
    /* Small: this may run in a vfork child, on its parent's stack.  The
       paths only name the programs in a message: cut short if long. */
    char self[1024], from[2048], to[2048], line[4224];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    proto_escape(from, sizeof from, self);
    proto_escape(to, sizeof to, path ? path : "");
    snprintf(line, sizeof line, "exec\tpid=%d\tkeeps=%d\tpreload=%d\tself=%s\tpath=%s\n",
             (int)getpid(), keeps_helper(envp), has_preload(envp), from, to);
    say(line);
}

/* The exec returned: the same program goes on. */
static int exec_failed(int result)
{
    int saved = errno;
    char line[64];
    snprintf(line, sizeof line, "execfail\tpid=%d\n", (int)getpid());
    say(line);
    errno = saved;
    return result;
}

static int no_exec(void)
{
    errno = ENOSYS;
    return -1;
}

/* Both kinds of exec the public functions come down to (called directly,
   never through the symbols this module puts before libc's). */
static int exec_path(const char *path, char *const argv[], char *const envp[])
{
    if (!real_execve)
        resolve_execs(); /* called before the constructor ran */
    say_exec(path, envp);
    return exec_failed(real_execve ? real_execve(path, argv, envp) : no_exec());
}

static int exec_search(const char *file, char *const argv[], char *const envp[])
{
    if (!real_execvpe)
        resolve_execs();
    say_exec(file, envp);
    return exec_failed(real_execvpe ? real_execvpe(file, argv, envp) : no_exec());
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    return exec_path(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
    return exec_path(path, argv, environ);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    return exec_search(file, argv, envp);
}

int execvp(const char *file, char *const argv[])
{
    return exec_search(file, argv, environ);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
    char link[64], fdpath[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, fdpath, sizeof fdpath - 1);
    if (n <= 0)
        snprintf(fdpath, sizeof fdpath, "%s", link);
    else
        fdpath[n] = '\0';
    if (!real_fexecve)
        resolve_execs();
    say_exec(fdpath, envp);
    return exec_failed(real_fexecve ? real_fexecve(fd, argv, envp) : no_exec());
}

int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
    if (!real_execveat)
        resolve_execs();
    say_exec(path, envp);
    return exec_failed(real_execveat ? real_execveat(dirfd, path, argv, envp, flags) : no_exec());
}

/* execl, execlp, execle: their arguments as an argv (and execle's envp
   after the NULL), for the functions above. */
static char **list_args(const char *arg, va_list ap, char ***envp)
{
    va_list count;
    va_copy(count, ap);
    size_t n = 1;
    while (arg && va_arg(count, char *))
        n++;
    va_end(count);
    char **argv = malloc((n + 1) * sizeof *argv);
    if (!argv)
        return NULL;
    argv[0] = (char *)arg;
    for (size_t i = 1; arg && i <= n; i++)
        argv[i] = va_arg(ap, char *); /* argv[n] is the NULL */
    if (!arg)
        argv[1] = NULL;
    if (envp)
        *envp = va_arg(ap, char **);
    return argv;
}

static int exec_list(int how, const char *path, const char *arg, va_list ap)
{
    char **envp = environ;
    char **argv = list_args(arg, ap, how == 'e' ? &envp : NULL);
    if (!argv) {
        errno = ENOMEM;
        return -1;
    }
    int r = how == 'p' ? exec_search(path, argv, envp) : exec_path(path, argv, envp);
    int saved = errno;
    free(argv);
    errno = saved;
    return r;
}

int execl(const char *path, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int r = exec_list('l', path, arg, ap);
    va_end(ap);
    return r;
}

int execlp(const char *file, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int r = exec_list('p', file, arg, ap);
    va_end(ap);
    return r;
}

int execle(const char *path, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    int r = exec_list('e', path, arg, ap);
    va_end(ap);
    return r;
}

/* The program this process now runs, before anything it says of it: a
   wrapper's exec starts the next program in the same process. */
static void say_process(void)
{
    char program[4097] = "";
    ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    program[n > 0 ? n : 0] = '\0';
    char escaped[8200], line[8448];
    proto_escape(escaped, sizeof escaped, program);
    snprintf(line, sizeof line, "process\tpid=%d\tprogram=%s\n", (int)getpid(), escaped);
    say(line);
}

static void __attribute__((constructor)) squeeze(void)
{
    const char *template = getenv("STATICTLS_SQUEEZE_TEMPLATE");
    const char *out = getenv("STATICTLS_SQUEEZE_REPORT");
    dir = getenv("STATICTLS_SQUEEZE_DIR");
    resolve_execs();
    if (!template || !out || !dir)
        return;
    report = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    say_process();
    if (!load_template(template)) {
        say("squeeze\terror=cannot read the template\n");
        return;
    }
    dl_iterate_phdr(list_tls, "startup");
    size_t lo = 0, hi = 1024;
    while (fits(hi) && hi < ((size_t)1 << 30)) {
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (fits(mid))
            lo = mid;
        else
            hi = mid;
    }
    char line[4352];
    const char *leave = getenv("STATICTLS_SQUEEZE_LEAVE");
    const char *fill = getenv("STATICTLS_SQUEEZE_FILL");
    size_t want = leave ? strtoull(leave, NULL, 10) : lo;
    size_t filler = fill ? strtoull(fill, NULL, 10) : want < lo ? lo - want : 0;
    int filled = !filler || open_block(filler) != NULL;
    snprintf(line, sizeof line, "squeeze\tpid=%d\tfree=%zu\tleave=%zu\tok=%d\n", (int)getpid(),
             lo, filled && filler < lo ? lo - filler : 0, filled);
    say(line);
    load_first(getenv("STATICTLS_SQUEEZE_FIRST"));
}

static void __attribute__((destructor)) census(void)
{
    if (report >= 0)
        dl_iterate_phdr(list_tls, "final");
}
