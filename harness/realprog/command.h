/* Real commands, run by `trace` and `headroom` with helpers injected:
   not probes (no timeout, their own environment), but their stderr is
   kept so glibc's message can be found in it. */
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
   environment plus NAME=VALUE variables, its streams where to says; returns
   the wait status, the child's pid in pid_out. */
int run_command(char *const argv[], char *const *extra, size_t nextra,
                const struct command_streams *to, pid_t *pid_out);
/* The exit code a shell would show: 128 + the signal for a killed command. */
int command_exit_code(int status);
/* glibc's own static TLS message (the whole line) in text, or NULL. */
char *static_tls_message(const char *text);
struct record;
/* The records an injected helper appended to path for process pid (child
   processes inherit the helper and write to the same file), in order; the
   caller frees each with record_free and the array. */
struct record *command_records(const char *path, pid_t pid, size_t *n);

/* What the command wrote to stderr; echo copies it onto ours. */
char *command_stderr(const char *errfile, bool echo);

#endif
