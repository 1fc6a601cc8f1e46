#define _GNU_SOURCE
#include "xproc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "die.h"

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

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
