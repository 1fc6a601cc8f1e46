/* Real commands, run by `trace`, `headroom` and `doctor` with helpers
   injected (command_watch: their own environment, a timeout, stderr
   scanned for glibc's message as it comes), and bench's compiler and
   program (run_command). */
#ifndef STATICTLS_COMMAND_H
#define STATICTLS_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where a command's standard streams go: a file's path each, NULL to keep
   ours; out and err may name the same file. */
struct command_streams {
    const char *in, *out, *err;
};

/* Runs argv (argv[0] a name PATH finds, or a path) with the caller's
   environment plus NAME=VALUE variables, its streams where to says, with
   no timeout; returns the wait status, the child's pid in pid_out. */
int run_command(char *const argv[], char *const *extra, size_t nextra,
                const struct command_streams *to, pid_t *pid_out);
/* A real command to run and watch. */
struct command_spec {
    char *const *argv;  /* argv[0] a name PATH finds, or a path */
    char *const *extra; /* NAME=VALUE added to the caller's environment */
    size_t nextra;
    double timeout_s;   /* then it is killed with its process group */
    bool echo;          /* its stderr copied onto ours as it comes, and its
                           stdout sent there; without echo, its stdout goes
                           to /dev/null: never onto our stdout */
};

struct command_outcome {
    pid_t pid;
    int status;     /* the wait status (with timed_out: of the kill) */
    bool timed_out; /* it outlived timeout_s: killed, with its process group */
    char *message;  /* glibc's static TLS line in its stderr, or NULL */
    char *tail;     /* the end of its stderr (stderrscan.h's size) */
};

/* Runs spec's command in a process group of its own, stdin on /dev/null
   (it runs several times: no run may take the others' input), killed if
   statictls is; its stderr read through a pipe as it comes (never kept
   whole) until it exits; a process it leaves behind holding stderr is not
   waited for. */
void command_watch(const struct command_spec *spec, struct command_outcome *out);
void command_outcome_free(struct command_outcome *o);

/* The exit code a shell would show: 128 + the signal for a killed command. */
int command_exit_code(int status);
struct record;
/* The records an injected helper appended to path for process pid (child
   processes inherit the helper and write to the same file), in order, or
   those of every process where pid <= 0; the caller frees each with
   record_free and the array. */
struct record *command_records(const char *path, pid_t pid, size_t *n);

/* What bench's command wrote to a file; echo copies it onto our stderr. */
char *command_stderr(const char *errfile, bool echo);

#endif
