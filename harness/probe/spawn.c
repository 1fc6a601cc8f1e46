#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interrupt.h"
#include "die.h"
#include "xalloc.h"
#include "xproc.h"

/* Tasks (processes and threads) of this real user now: RLIMIT_NPROC
   counts them all, so a probe's allowance goes on top.  Root is never
   held to RLIMIT_NPROC; there the count is not needed.  Each status is
   read whole at once and searched: line by line with stdio took half as
   long again, before every start of probes. */
static long user_tasks(void)
{
    uid_t uid = getuid();
    DIR *d = uid == 0 ? NULL : opendir("/proc");
    long total = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[64], status[8192];
        snprintf(path, sizeof path, "%.20s/status", e->d_name);
        int fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            continue; /* gone since readdir */
        status[n] = '\0';
        const char *real = strstr(status, "\nUid:"), *threads = strstr(status, "\nThreads:");
        if (real && threads && strtoul(real + 5, NULL, 10) == (unsigned long)uid)
            total += strtol(threads + 9, NULL, 10);
    }
    if (d)
        closedir(d);
    return total;
}

static int set_limit(int resource, unsigned long long value)
{
    struct rlimit r;
    if (getrlimit(resource, &r) != 0)
        return -1;
    if (r.rlim_max != RLIM_INFINITY && value > r.rlim_max) /* lowering only */
        value = r.rlim_max;
    r.rlim_cur = r.rlim_max = (rlim_t)value;
    return setrlimit(resource, &r);
}

/* qemu-user reserves a 32-bit guest's whole address space (4 GiB) before
   it runs anything: under RLIMIT_AS that reservation comes on top of what
   the probe may use.  qemu-arm is the one 32-bit guest run here. */
static unsigned long long emulator_reservation(const char *loader)
{
    const char *base = loader ? strrchr(loader, '/') : NULL;
    base = base ? base + 1 : loader;
    return base && strcmp(base, "qemu-arm") == 0 ? 4ULL << 30 : 0;
}

/* In the child: the probe's resource limits (spawn.h), or _exit(126). */
static void apply_limits(const struct probe_env *env, long tasks)
{
    const struct probe_limits *l = &env->limits;
    struct rlimit no_core = {0, 0};
    long cpu = l->cpu_s ? l->cpu_s : (long)env->timeout_s + 2 /* rounded up, and a second */;
    unsigned long long memory = (l->memory ? l->memory : PROBE_DEFAULT_MEMORY) +
                                emulator_reservation(env->loader);
    if ((!env->coredumps && setrlimit(RLIMIT_CORE, &no_core) != 0) ||
        set_limit(RLIMIT_AS, memory) != 0 ||
        set_limit(RLIMIT_CPU, (unsigned long long)cpu) != 0 ||
        (getuid() != 0 &&
         set_limit(RLIMIT_NPROC, (unsigned long long)tasks +
                                     (l->processes ? l->processes : PROBE_DEFAULT_PROCESSES)) != 0))
        _exit(126);
}

/* The probe's command line and environment, for exec_child; the steps
   escaped (protocol.h).  Returns where in argv the steps start, for
   free_child_argv_envp, which frees what this allocates. */
static size_t child_argv_envp(const struct probe_env *env, char *fd, const char *mode,
                              char *const args[], size_t nargs, char ***argv_out, char ***envp_out)
{
    size_t n = 0;
    char **argv = xcalloc(nargs + 8, sizeof *argv);
    if (env->loader) {
        argv[n++] = (char *)env->loader;
        if (env->ldso)
            argv[n++] = (char *)env->ldso;
        if (env->library_path) {
            argv[n++] = "--library-path";
            argv[n++] = (char *)env->library_path;
        }
    }
    argv[n++] = (char *)env->probe;
    argv[n++] = fd;
    argv[n++] = (char *)mode;
    size_t first_step = n;
    for (size_t i = 0; i < nargs; i++)
        argv[n++] = record_escape(args[i]);

    size_t nvars = 0;
    while (env->vars && env->vars[nvars])
        nvars++;
    char **envp = xcalloc(nvars + 2, sizeof *envp);
    envp[0] = xasprintf("PATH=%s", env->path ? env->path : "/usr/bin:/bin");
    for (size_t i = 0; i < nvars; i++)
        envp[i + 1] = env->vars[i];
    *argv_out = argv;
    *envp_out = envp;
    return first_step;
}

/* What child_argv_envp allocated: the escaped steps, the record
   descriptor's number, PATH and the arrays. */
static void free_child_argv_envp(char **argv, char **envp, char *fd, size_t first_step)
{
    for (size_t i = first_step; argv[i]; i++)
        free(argv[i]);
    free(fd);
    free(argv);
    free(envp[0]);
    free(envp);
}

/* All a probe's child needs before exec, prepared by the parent: the child
   only makes system calls.  Under RLIMIT_AS a sanitized statictls could
   not allocate (its shadow memory counts), and what it does not touch is
   never copied. */
struct child_start {
    const struct probe_env *env;
    char **argv, **envp;
    int record_fd;  /* kept open across the exec */
    int stdin_fd;   /* the dialog's pipe, or -1 */
    int capture_fd; /* stdout and stderr */
    bool no_aslr;
    pid_t parent;
    long tasks;
};

static _Noreturn void exec_child(const struct child_start *c)
{
    /* Killed with statictls even when statictls gets SIGKILL. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != c->parent)
        _exit(126);
    if (fcntl(c->record_fd, F_SETFD, 0) != 0 || (c->stdin_fd >= 0 && dup2(c->stdin_fd, 0) < 0))
        _exit(126);
    apply_limits(c->env, c->tasks);
    /* qemu-user 10 (Debian 13) places the emulated brk so that glibc 2.31's
       early sbrk, which copies GLIBC_TUNABLES, fails or returns memory it
       then misparses, in about 1 of 20 runs (measured: 9 of 150; 0 of 150
       without address randomization).  Neither the layout nor the sizes of
       static TLS depend on it.  Where personality() is refused (Docker's
       default seccomp profile), the probe runs randomized and probe_run
       retries instead. */
    if (c->no_aslr)
        personality((unsigned long)personality(0xffffffff) | ADDR_NO_RANDOMIZE);
    if (dup2(c->capture_fd, 1) < 0 || dup2(c->capture_fd, 2) < 0)
        _exit(126);
    execve(c->argv[0], c->argv, c->envp);
    const char *parts[] = {"statictls: exec ", c->argv[0], ": ", strerror(errno), "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) /* no stdio: nothing allocates */
        if (write(2, parts[i], strlen(parts[i])) < 0)
            break;
    _exit(127);
}

static void add_record_lines(struct probe_result *out, char *buf, size_t *len)
{
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
        *nl = '\0';
        struct record r;
        if (record_parse(start, &r))
            *XAPPEND(&out->records, &out->nrecords) = r;
        start = nl + 1;
    }
    *len -= (size_t)(start - buf);
    memmove(buf, start, *len);
}

/* A child whose output is read until its end, then reaped. */
struct watched {
    pid_t pid;
    int fd; /* what it writes */
    double start, deadline;
    void (*take)(void *ctx, const char *data, size_t n);
    void *ctx;
    bool reading, killed;
    double ended; /* when its output ended, or its deadline came */
};

/* Reads each child's fd until its end or its deadline (then it is to be
   killed), all of them in one poll. */
static void read_all(struct watched *const w[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        w[i]->reading = true;
    for (;;) {
        struct pollfd p[PROBE_MAX_AT_ONCE];
        struct watched *of[PROBE_MAX_AT_ONCE];
        size_t np = 0;
        double now = now_seconds(), wait = 1.0; /* in slices: a scaled timeout may
                                                   be far beyond an int of ms */
        for (size_t i = 0; i < n; i++) {
            if (w[i]->reading && w[i]->deadline <= now) {
                w[i]->reading = false;
                w[i]->killed = true;
                w[i]->ended = now;
            }
            if (!w[i]->reading)
                continue;
            if (w[i]->deadline - now < wait)
                wait = w[i]->deadline - now;
            of[np] = w[i];
            p[np++] = (struct pollfd){w[i]->fd, POLLIN, 0};
        }
        if (np == 0)
            return;
        int ready = poll(p, (nfds_t)np, (int)(wait * 1000) + 1);
        if (ready < 0 && errno != EINTR)
            die_errno("poll");
        for (size_t j = 0; ready > 0 && j < np; j++) {
            if (!p[j].revents)
                continue;
            char buf[16384];
            ssize_t got = read(p[j].fd, buf, sizeof buf);
            if (got > 0)
                of[j]->take(of[j]->ctx, buf, (size_t)got);
            else if (got == 0 || errno != EINTR) {
                of[j]->reading = false;
                of[j]->ended = now_seconds();
            }
        }
    }
}

/* Whether pid ended before the deadline (then *status is its status):
   poll on a pidfd wakes the moment it exits (Linux 5.3); where there is
   none, naps that start short and grow, since the child whose records are
   in is exiting and mostly gone within microseconds. */
static bool ended_by(pid_t pid, double deadline, int *status)
{
    int fd = -1;
#ifdef SYS_pidfd_open
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    for (long nap_ns = 10000;; nap_ns = nap_ns < 1000000 ? nap_ns * 2 : nap_ns) {
        if (xwaitpid(pid, status, WNOHANG) == pid)
            break;
        double left = deadline - now_seconds();
        if (left <= 0) {
            if (fd >= 0)
                close(fd);
            return false;
        }
        if (fd >= 0) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1) < 0 && errno != EINTR)
                die_errno("poll pidfd");
        } else {
            struct timespec nap = {0, nap_ns};
            nanosleep(&nap, NULL);
        }
    }
    if (fd >= 0)
        close(fd);
    return true;
}

/* Waits for the child (its group killed if killed is set or the deadline
   passes); returns whether it had to be killed. */
static bool reap(pid_t pid, double deadline, bool killed, int *status)
{
    if (killed || !ended_by(pid, deadline, status)) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        xwaitpid(pid, status, 0);
        killed = true;
    }
    interrupt_child_done(pid);
    return killed;
}

/* Writes the dialog's answer to the probe's stdin, one escaped step a line
   (protocol.h), and closes it; the probe
   reads it all before it runs a step, so the write cannot deadlock.  A
   probe that died first would make the write raise SIGPIPE and end
   statictls: it is held off and discarded, the probe's end says why. */
static void answer(const struct probe_dialog *d, const struct probe_result *so_far, int fd)
{
    sigset_t pipe_signal, old;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_signal, &old);
    size_t n = 0;
    char **lines = d->answer(so_far, d->ctx, &n);
    for (size_t i = 0; i < n; i++) {
        char *escaped = record_escape(lines[i]);
        char *line = xasprintf("%s\n", escaped);
        free(escaped);
        for (size_t off = 0, len = strlen(line); off < len;) {
            ssize_t w = write(fd, line + off, len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                break; /* the probe is gone: its end says why */
            off += (size_t)w;
        }
        free(line);
        free(lines[i]);
    }
    free(lines);
    close(fd);
    struct timespec now = {0, 0};
    while (sigtimedwait(&pipe_signal, NULL, &now) > 0)
        ;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

struct record_reader {
    struct probe_result *out;
    const struct probe_dialog *d; /* or NULL */
    int in;                       /* the probe's stdin until answered, else -1 */
    char buf[65536];
    size_t len;
};

static void take_records(void *ctx, const char *data, size_t n)
{
    struct record_reader *rr = ctx;
    while (n > 0) {
        size_t room = sizeof rr->buf - 1 - rr->len, k = n < room ? n : room;
        memcpy(rr->buf + rr->len, data, k);
        rr->len += k, data += k, n -= k;
        add_record_lines(rr->out, rr->buf, &rr->len);
        if (rr->in >= 0 && probe_find(rr->out, rr->d->after)) {
            answer(rr->d, rr->out, rr->in);
            rr->in = -1;
        }
        if (rr->len == sizeof rr->buf - 1) /* a line longer than any record: drop it */
            rr->len = 0;
    }
}

/* Whether this process may turn address randomization off for its
   children: tried here, then undone. */
static bool can_disable_aslr(void)
{
    int persona = personality(0xffffffff);
    if (persona < 0 || personality((unsigned long)persona | ADDR_NO_RANDOMIZE) < 0)
        return false;
    personality((unsigned long)persona);
    return true;
}

/* Where a probe's stdout and stderr go: a file in memory where the kernel
   makes one (Linux 3.17), since a file on disk costs an inode (measured on
   ext4: 70 us against 3), else a temporary file.  Its own descriptor
   closes at exec, so that a probe started beside this one never holds it;
   the child's stdout and stderr stay open. */
static FILE *capture_file(void)
{
    int fd = -1;
#ifdef SYS_memfd_create
    fd = (int)syscall(SYS_memfd_create, "statictls-probe-output", 0);
#endif
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : tmpfile();
    if (!f || fcntl(fileno(f), F_SETFD, FD_CLOEXEC) != 0)
        die_errno("a file for the probe's output");
    return f;
}

/* One probe under way. */
struct running {
    struct watched w;
    struct record_reader rr;
    FILE *capture; /* its stdout and stderr */
};

static void start(const struct probe_env *env, bool no_aslr, const char *mode,
                  char *const args[], size_t nargs, const struct probe_dialog *d, long tasks,
                  struct probe_result *out, struct running *r)
{
    memset(out, 0, sizeof *out);
    int fds[2], in[2] = {-1, -1};
    xpipe(fds);
    if (d)
        xpipe(in);
    r->capture = capture_file();
    char *fd = xasprintf("%d", fds[1]);
    struct child_start c = {.env = env, .record_fd = fds[1], .stdin_fd = d ? in[0] : -1,
                            .capture_fd = fileno(r->capture), .no_aslr = no_aslr,
                            .parent = getpid(), .tasks = tasks};
    size_t first_step = child_argv_envp(env, fd, mode, args, nargs, &c.argv, &c.envp);
    r->w.start = now_seconds();
    r->w.deadline = r->w.start + env->timeout_s;
    pid_t pid = fork_watched(true);
    if (pid == 0)
        exec_child(&c);
    free_child_argv_envp(c.argv, c.envp, fd, first_step);
    close(fds[1]);
    if (d)
        close(in[0]);
    r->w.pid = pid;
    r->w.fd = fds[0];
    r->w.take = take_records;
    r->w.ctx = &r->rr;
    r->rr.out = out;
    r->rr.d = d;
    r->rr.in = in[1];
}

/* After read_all: reaps the probe, and says how it ended and what it wrote. */
static void finish(struct running *r, struct probe_result *out)
{
    if (r->rr.in >= 0)
        close(r->rr.in);
    close(r->w.fd);
    int status = 0;
    bool killed = reap(r->w.pid, r->w.killed ? 0 : r->w.deadline, r->w.killed, &status);
    out->seconds = r->w.ended - r->w.start;
    if (killed) {
        out->end = PROBE_TIMED_OUT;
    } else if (WIFSIGNALED(status)) {
        out->end = PROBE_SIGNALED;
        out->code = WTERMSIG(status);
    } else {
        out->end = PROBE_EXITED;
        out->code = WEXITSTATUS(status);
    }

    long size = ftell(r->capture);
    if (size < 0)
        size = 0;
    out->output = xcalloc((size_t)size + 1, 1);
    rewind(r->capture);
    size_t got = fread(out->output, 1, (size_t)size, r->capture);
    out->output[got] = '\0';
    fclose(r->capture);
}

/* n probes at once (d NULL: none asks), each a fresh process of its own. */
static void run_together(const struct probe_env *env, bool no_aslr, const char *mode,
                         char *const args[], size_t nargs, const struct probe_dialog *d,
                         struct probe_result out[], size_t n)
{
    if (n > PROBE_MAX_AT_ONCE)
        die("%zu probes at once, at most %d", n, PROBE_MAX_AT_ONCE);
    long tasks = user_tasks(); /* the probes' own tasks fit in their allowance */
    struct running *r = xcalloc(n, sizeof *r);
    struct watched *w[PROBE_MAX_AT_ONCE] = {NULL};
    for (size_t i = 0; i < n; i++) {
        start(env, no_aslr, mode, args, nargs, d ? &d[i] : NULL, tasks, &out[i], &r[i]);
        w[i] = &r[i].w;
    }
    read_all(w, n);
    for (size_t i = 0; i < n; i++)
        finish(&r[i], &out[i]);
    free(r);
}

void probe_run(const struct probe_env *env, const char *mode, char *const args[],
               size_t nargs, struct probe_result *out)
{
    probe_run_dialogs(env, mode, args, nargs, NULL, out, 1);
}

void probe_run_dialog(const struct probe_env *env, const char *mode, char *const args[],
                      size_t nargs, const struct probe_dialog *d, struct probe_result *out)
{
    probe_run_dialogs(env, mode, args, nargs, d, out, 1);
}

void probe_run_dialogs(const struct probe_env *env, const char *mode, char *const args[],
                       size_t nargs, const struct probe_dialog d[], struct probe_result out[],
                       size_t n)
{
    bool qemu = env->loader && strstr(env->loader, "qemu-");
    bool no_aslr = qemu && can_disable_aslr();
    run_together(env, no_aslr, mode, args, nargs, d, out, n);
    /* Randomized under qemu, about 1 run in 20 of glibc 2.31 dies in
       ld.so, before the probe writes anything: such a run is tried again,
       twice at most.  It never asked, so its dialog starts afresh. */
    for (size_t i = 0; i < n; i++)
        for (int tries = qemu && !no_aslr ? 2 : 0; tries > 0; tries--) {
            bool died_early = out[i].nrecords == 0 && out[i].end != PROBE_TIMED_OUT &&
                              !(out[i].end == PROBE_EXITED && out[i].code == 0);
            if (!died_early)
                break;
            probe_result_free(&out[i]);
            run_together(env, no_aslr, mode, args, nargs, d ? &d[i] : NULL, &out[i], 1);
        }
}

struct text_reader {
    char *text;
    size_t len;
};

static void take_text(void *ctx, const char *data, size_t n)
{
    struct text_reader *t = ctx;
    if (t->len + n > (1u << 20))
        n = (1u << 20) - t->len;
    t->text = xrealloc(t->text, t->len + n + 1);
    memcpy(t->text + t->len, data, n);
    t->len += n;
    t->text[t->len] = '\0';
}

char *program_output(char *const argv[], double timeout_s, bool with_stderr, int *status)
{
    int fds[2];
    xpipe(fds);
    pid_t pid = fork_watched(true);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 ||
            dup2(with_stderr ? fds[1] : null, 2) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    struct text_reader t = {xstrdup(""), 0};
    double now = now_seconds();
    struct watched w = {.pid = pid, .fd = fds[0], .start = now, .deadline = now + timeout_s,
                        .take = take_text, .ctx = &t};
    struct watched *one[] = {&w};
    read_all(one, 1);
    close(fds[0]);
    int st = 0;
    bool killed = reap(pid, w.killed ? 0 : w.deadline, w.killed, &st);
    *status = killed ? -1 : st;
    return t.text;
}

void probe_result_free(struct probe_result *r)
{
    for (size_t i = 0; i < r->nrecords; i++)
        record_free(&r->records[i]);
    free(r->records);
    free(r->output);
    memset(r, 0, sizeof *r);
}

const struct record *probe_find(const struct probe_result *r, const char *kind)
{
    for (size_t i = 0; i < r->nrecords; i++)
        if (strcmp(r->records[i].kind, kind) == 0)
            return &r->records[i];
    return NULL;
}

/* sigabbrev_np is glibc 2.32+ only; the harness also builds on older libcs. */
static const char *signal_name(int sig)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},
                 {SIGILL, "SIGILL"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
                 {SIGTERM, "SIGTERM"}, {SIGTRAP, "SIGTRAP"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    return "another signal";
}

const char *probe_end_text(const struct probe_result *r, char *buf, size_t len)
{
    switch (r->end) {
    case PROBE_EXITED:
        snprintf(buf, len, "exit %d", r->code);
        break;
    case PROBE_SIGNALED:
        snprintf(buf, len, "signal %s", signal_name(r->code));
        break;
    case PROBE_TIMED_OUT:
        snprintf(buf, len, "timeout");
        break;
    }
    return buf;
}
