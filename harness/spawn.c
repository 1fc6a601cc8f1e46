#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsys.h"

static double timeout_factor(void)
{
    const char *f = getenv("STATICTLS_TIMEOUT_FACTOR");
    double v = f ? strtod(f, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

static _Noreturn void exec_child(const struct probe_env *env, int record_fd, FILE *capture,
                                 bool no_aslr, const char *mode, char *const args[], size_t nargs)
{
    /* Only async-signal-safe work from here would be ideal; the harness is
       single-threaded, so plain calls are safe before exec. */
    setpgid(0, 0);
    struct rlimit no_core = {0, 0};
    if (!getenv("STATICTLS_COREDUMPS"))
        setrlimit(RLIMIT_CORE, &no_core);
    /* qemu-user 10 (Debian 13) places the emulated brk so that glibc 2.31's
       early sbrk, which copies GLIBC_TUNABLES, fails or returns memory it
       then misparses, in about 1 of 20 runs (measured: 9 of 150; 0 of 150
       without address randomization).  Neither the layout nor the sizes of
       static TLS depend on it.  Where personality() is refused (Docker's
       default seccomp profile), the probe runs randomized and probe_run
       retries instead. */
    if (no_aslr)
        personality((unsigned long)personality(0xffffffff) | ADDR_NO_RANDOMIZE);
    int out = fileno(capture);
    if (dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(126);

    char *fd = xasprintf("%d", record_fd);
    size_t n = 0;
    char **argv = xcalloc(nargs + 8, sizeof *argv);
    if (env->loader) {
        argv[n++] = (char *)env->loader;
        if (env->library_path) {
            argv[n++] = "--library-path";
            argv[n++] = (char *)env->library_path;
        }
    }
    argv[n++] = (char *)env->probe;
    argv[n++] = fd;
    argv[n++] = (char *)mode;
    for (size_t i = 0; i < nargs; i++)
        argv[n++] = args[i];

    size_t nvars = 0;
    while (env->vars && env->vars[nvars])
        nvars++;
    char **envp = xcalloc(nvars + 2, sizeof *envp);
    const char *path = getenv("PATH");
    envp[0] = xasprintf("PATH=%s", path ? path : "/usr/bin:/bin");
    for (size_t i = 0; i < nvars; i++)
        envp[i + 1] = env->vars[i];

    execve(argv[0], argv, envp);
    fprintf(stderr, "statictls: exec %s: %s\n", argv[0], strerror(errno));
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

/* Waits for the child, killing its group at the deadline; true if it had to. */
static int reap(pid_t pid, double deadline, int *status)
{
    /* Its records are in: the child is exiting, mostly within microseconds,
       so the first waits are short (a probe costs about a millisecond). */
    for (long nap_ns = 10000;; nap_ns = nap_ns < 1000000 ? nap_ns * 2 : nap_ns) {
        if (xwaitpid(pid, status, WNOHANG) == pid)
            return 0;
        if (now_seconds() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            xwaitpid(pid, status, 0);
            return 1;
        }
        struct timespec nap = {0, nap_ns};
        nanosleep(&nap, NULL);
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

static void run_once(const struct probe_env *env, bool no_aslr, const char *mode,
                     char *const args[], size_t nargs, const struct probe_dialog *d,
                     struct probe_result *out);

void probe_run(const struct probe_env *env, const char *mode, char *const args[],
               size_t nargs, struct probe_result *out)
{
    probe_run_dialog(env, mode, args, nargs, NULL, out);
}

void probe_run_dialog(const struct probe_env *env, const char *mode, char *const args[],
                      size_t nargs, const struct probe_dialog *d, struct probe_result *out)
{
    bool qemu = env->loader && strstr(env->loader, "qemu-");
    bool no_aslr = qemu && can_disable_aslr();
    /* Randomized under qemu, about 1 run in 20 of glibc 2.31 dies in
       ld.so, before the probe writes anything: such a run is tried again. */
    for (int tries = qemu && !no_aslr ? 3 : 1;; tries--) {
        run_once(env, no_aslr, mode, args, nargs, d, out);
        bool died_early = out->nrecords == 0 && out->end != PROBE_TIMED_OUT &&
                          !(out->end == PROBE_EXITED && out->code == 0);
        if (!died_early || tries <= 1)
            return;
        probe_result_free(out);
    }
}

/* Writes the dialog's answer to the probe's stdin and closes it; the probe
   reads it all before it runs a step, so the write cannot deadlock. */
static void answer(const struct probe_dialog *d, const struct probe_result *so_far, int fd)
{
    size_t n = 0;
    char **lines = d->answer(so_far, d->ctx, &n);
    for (size_t i = 0; i < n; i++) {
        char *line = xasprintf("%s\n", lines[i]);
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
}

static void run_once(const struct probe_env *env, bool no_aslr, const char *mode,
                     char *const args[], size_t nargs, const struct probe_dialog *d,
                     struct probe_result *out)
{
    memset(out, 0, sizeof *out);
    double start = now_seconds();
    double deadline = start + env->timeout_s * timeout_factor();
    int fds[2], in[2] = {-1, -1};
    xpipe(fds);
    if (d)
        xpipe(in);
    FILE *capture = tmpfile();
    if (!capture)
        die_errno("tmpfile");
    pid_t pid = xfork();
    if (pid == 0) {
        int fd = dup(fds[1]); /* without O_CLOEXEC: the probe writes to it */
        if (fd < 0 || (d && dup2(in[0], 0) < 0))
            _exit(126);
        exec_child(env, fd, capture, no_aslr, mode, args, nargs);
    }
    setpgid(pid, pid); /* also in the parent, so a kill never misses the group */
    close(fds[1]);
    if (d)
        close(in[0]);

    char buf[65536];
    size_t len = 0;
    int killed = 0;
    for (;;) {
        int wait_ms = (int)((deadline - now_seconds()) * 1000);
        if (wait_ms <= 0) {
            killed = 1;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int ready = poll(&p, 1, wait_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            die_errno("poll");
        if (ready == 0)
            continue;
        ssize_t n = read(fds[0], buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        add_record_lines(out, buf, &len);
        if (in[1] >= 0 && probe_find(out, d->after)) {
            answer(d, out, in[1]);
            in[1] = -1;
        }
        if (len == sizeof buf - 1) /* a line longer than any record: drop it */
            len = 0;
    }
    close(fds[0]);
    if (in[1] >= 0)
        close(in[1]);
    int status = 0;
    if (killed) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    killed |= reap(pid, killed ? now_seconds() + 5 : deadline, &status);
    out->seconds = now_seconds() - start;
    if (killed) {
        out->end = PROBE_TIMED_OUT;
    } else if (WIFSIGNALED(status)) {
        out->end = PROBE_SIGNALED;
        out->code = WTERMSIG(status);
    } else {
        out->end = PROBE_EXITED;
        out->code = WEXITSTATUS(status);
    }

    long size = ftell(capture);
    if (size < 0)
        size = 0;
    out->output = xcalloc((size_t)size + 1, 1);
    rewind(capture);
    size_t got = fread(out->output, 1, (size_t)size, capture);
    out->output[got] = '\0';
    fclose(capture);
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
