/* Runs probes, each in a fresh child process with a timeout, one or a few
   at once. */
#ifndef STATICTLS_SPAWN_H
#define STATICTLS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#include "interrupt.h"
#include "record.h"

/* Probes that do not say otherwise get this long (STATICTLS_TIMEOUT_FACTOR scales it). */
#define PROBE_TIMEOUT_S 10.0

/* What one probe may use, so that no case can exhaust the machine; a case
   raises them with its `limits` line (cases/README.md).  0: the default. */
struct probe_limits {
    unsigned long long memory; /* RLIMIT_AS, bytes */
    long processes;            /* threads and processes the probe may start */
    long cpu_s;                /* RLIMIT_CPU; default: the timeout, rounded up */
};
#define PROBE_DEFAULT_MEMORY (4ULL << 30)
#define PROBE_DEFAULT_PROCESSES 1024

struct probe_env {
    const char *probe;        /* the statictls-probe of the libc build */
    const char *loader;       /* run the probe through this ld.so (or emulator), or NULL */
    const char *ldso;         /* with an emulator as loader: the ld.so it runs, or NULL */
    const char *library_path; /* with the loader: its ld.so's --library-path */
    char **vars;              /* NAME=VALUE for the child, NULL-terminated */
    double timeout_s;         /* already scaled by STATICTLS_TIMEOUT_FACTOR */
    bool coredumps;           /* STATICTLS_COREDUMPS: the probe may dump core */
    const char *path;         /* the probe's PATH (the user's), or NULL */
    struct probe_limits limits;
};

enum probe_end { PROBE_EXITED, PROBE_SIGNALED, PROBE_TIMED_OUT };

struct probe_result {
    enum probe_end end;
    int code; /* exit status, or the signal number */
    struct record *records;
    size_t nrecords;
    char *output; /* the child's stdout and stderr */
    double seconds;
};

/* Runs "statictls-probe FD MODE ARGS..." and collects its records.  The
   child gets its own process group (a timeout or a signal to statictls
   kills the whole group, see interrupt.h), no core dumps, env->limits,
   SIGKILL when statictls dies, and only the variables in env->vars plus
   PATH.  The result is always a record of how the child ended; only a
   failure of the harness itself (fork, pipe) dies. */
void probe_run(const struct probe_env *env, const char *mode, char *const args[],
               size_t nargs, struct probe_result *out);
void probe_result_free(struct probe_result *r);

/* Runs argv (argv[0] a path, no shell: nothing in a path is ever run as a
   command) in its own process group with a timeout, stdin on /dev/null,
   stderr on /dev/null or (with_stderr) with stdout; returns what it wrote
   (at most 1 MiB) and its wait status in status (-1: timed out). */
char *program_output(char *const argv[], double timeout_s, bool with_stderr, int *status);

/* A probe that asks (mode PROTO_MODE_BUDGET_STEPS): once the record kind
   `after` has come, answer(records so far, ctx) gives the step arguments
   the harness sends on the probe's stdin, n of them.  One process then
   reports its budget and runs steps made for that budget. */
struct probe_dialog {
    const char *after;
    char **(*answer)(const struct probe_result *so_far, void *ctx, size_t *n);
    void *ctx;
};
void probe_run_dialog(const struct probe_env *env, const char *mode, char *const args[],
                      size_t nargs, const struct probe_dialog *d, struct probe_result *out);

/* n dialogs at once (at most PROBE_MAX_AT_ONCE), each in a probe process
   of its own as probe_run_dialog runs one: out[i] is d[i]'s (d NULL: none
   asks).  They are read in one loop, so an answer comes while the other
   probes run; each has its own timeout. */
#define PROBE_MAX_AT_ONCE INTERRUPT_MAX_CHILDREN
void probe_run_dialogs(const struct probe_env *env, const char *mode, char *const args[],
                       size_t nargs, const struct probe_dialog d[], struct probe_result out[],
                       size_t n);

/* The first record of this kind, or NULL. */
const struct record *probe_find(const struct probe_result *r, const char *kind);

/* "exit 3", "signal SIGSEGV", "timeout": how the child ended. */
const char *probe_end_text(const struct probe_result *r, char *buf, size_t len);

#endif
