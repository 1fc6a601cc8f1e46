/* Processes and time for the harness's own work. */
#ifndef STATICTLS_XPROC_H
#define STATICTLS_XPROC_H

#include <sys/types.h>

/* fork, pipe2(O_CLOEXEC) and waitpid that die with context; xwaitpid
   retries EINTR and returns waitpid's answer (0 for WNOHANG and running). */
pid_t xfork(void);
void xpipe(int fds[2]);
pid_t xwaitpid(pid_t pid, int *status, int options);

/* CLOCK_MONOTONIC, in seconds. */
double now_seconds(void);

#endif
