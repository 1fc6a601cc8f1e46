#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interrupt.h"
#include "record.h"
#include "stderrscan.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xproc.h"

/* In the child: fd onto target (a new file for writing unless reading),
   or _exit(126). */
static void redirect(const char *path, int target, bool reading)
{
    int fd = reading ? open(path, O_RDONLY) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, target) < 0 || (fd != target && close(fd) != 0))
        _exit(126);
}

int run_command(char *const argv[], char *const *extra, size_t nextra,
                const struct command_streams *to, pid_t *pid_out)
{
    pid_t pid = fork_watched(false); /* in our group: Ctrl-C reaches it too */
    if (pid == 0) {
        for (size_t i = 0; i < nextra; i++)
            if (putenv(extra[i]) != 0)
                _exit(126);
        if (to->in)
            redirect(to->in, 0, true);
        if (to->out)
            redirect(to->out, 1, false);
        if (to->err && to->out && strcmp(to->err, to->out) == 0) {
            if (dup2(1, 2) < 0)
                _exit(126);
        } else if (to->err) {
            redirect(to->err, 2, false);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "statictls: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    *pid_out = pid;
    int status;
    xwaitpid(pid, &status, 0);
    interrupt_child_done(pid);
    return status;
}

/* The child of command_watch: never returns. */
static _Noreturn void exec_watched(const struct command_spec *spec, int err_fd, pid_t parent)
{
    /* Killed with statictls even when statictls gets SIGKILL. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(126);
    for (size_t i = 0; i < spec->nextra; i++)
        if (putenv(spec->extra[i]) != 0)
            _exit(126);
    redirect("/dev/null", 0, true);
    /* Its stdout is never statictls's report (a --json document): it goes
       where its stderr is shown, onto our stderr, else to /dev/null. */
    if (!spec->echo)
        redirect("/dev/null", 1, false);
    else if (dup2(2, 1) < 0)
        _exit(126);
    if (dup2(err_fd, 2) < 0)
        _exit(126);
    execvp(spec->argv[0], spec->argv);
    fprintf(stderr, "statictls: cannot run %s: %s\n", spec->argv[0], strerror(errno));
    _exit(127);
}

/* Reads what is in the pipe now, up to 1 MiB (a command that writes
   without end must not keep us from its deadline); false at its end. */
static bool take_stderr(int fd, const struct command_spec *spec, struct stderr_scan *scan)
{
    for (size_t taken = 0; taken < (1 << 20);) {
        char buf[16384];
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            return true;
        if (got <= 0)
            return false;
        if (spec->echo && fwrite(buf, 1, (size_t)got, stderr) != (size_t)got)
            die_errno("write stderr");
        stderr_scan_feed(scan, buf, (size_t)got);
        taken += (size_t)got;
    }
    return true;
}

/* Kills pid's process group and pid, and reaps it. */
static void kill_group(pid_t pid, int *status)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    xwaitpid(pid, status, 0);
}

void command_watch(const struct command_spec *spec, struct command_outcome *out)
{
    memset(out, 0, sizeof *out);
    int fds[2];
    xpipe(fds);
    pid_t parent = getpid();
    pid_t pid = fork_watched(true); /* a group of its own: a timeout kills it whole */
    if (pid == 0)
        exec_watched(spec, fds[1], parent);
    close(fds[1]);
    if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0)
        die_errno("fcntl");
    int pidfd = -1; /* readable the moment the command exits (Linux 5.3) */
#ifdef SYS_pidfd_open
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    struct stderr_scan scan;
    stderr_scan_init(&scan);
    double deadline = now_seconds() + spec->timeout_s;
    bool reading = true, ended = false;
    while (!ended) {
        double left = deadline - now_seconds();
        if (left <= 0) {
            kill_group(pid, &out->status);
            out->timed_out = true;
            break;
        }
        /* In slices: a scaled timeout may be far beyond an int of ms; with
           no pidfd, the exit is seen within a slice. */
        double slice = pidfd >= 0 ? (left < 1.0 ? left : 1.0) : (left < 0.05 ? left : 0.05);
        struct pollfd p[2];
        nfds_t np = 0;
        if (reading)
            p[np++] = (struct pollfd){fds[0], POLLIN, 0};
        if (pidfd >= 0)
            p[np++] = (struct pollfd){pidfd, POLLIN, 0};
        if (poll(p, np, (int)(slice * 1000) + 1) < 0 && errno != EINTR)
            die_errno("poll");
        if (reading && p[0].revents)
            reading = take_stderr(fds[0], spec, &scan);
        ended = xwaitpid(pid, &out->status, WNOHANG) == pid;
    }
    interrupt_child_done(pid);
    if (reading) /* what it wrote before it ended: in the pipe by now */
        take_stderr(fds[0], spec, &scan);
    if (pidfd >= 0)
        close(pidfd);
    close(fds[0]);
    stderr_scan_finish(&scan);
    out->pid = pid;
    out->message = stderr_scan_message(&scan);
    out->tail = stderr_scan_tail(&scan);
    stderr_scan_free(&scan);
}

void command_outcome_free(struct command_outcome *o)
{
    free(o->message), free(o->tail);
    memset(o, 0, sizeof *o);
}

int command_exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *command_stderr(const char *errfile, bool echo)
{
    size_t len = 0;
    char *text = read_file(errfile, &len);
    if (echo && text && len && fwrite(text, 1, len, stderr) != len)
        die_errno("write stderr");
    return text;
}


struct record *command_records(const char *path, pid_t pid, size_t *n)
{
    size_t len;
    char *text = read_file(path, &len);
    char *want = xasprintf("%d", (int)pid);
    struct record *out = NULL;
    *n = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        struct record r;
        if (!record_parse(line, &r))
            continue;
        const char *p = record_get(&r, "pid");
        if (pid <= 0 || (p && strcmp(p, want) == 0))
            *XAPPEND(&out, n) = r;
        else
            record_free(&r);
    }
    free(want);
    free(text);
    return out;
}
