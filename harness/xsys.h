/* Wrappers that die with context: for the harness's own work, never for
   the measured dlopen (that one runs in the probe and its failure is data). */
#ifndef STATICTLS_XSYS_H
#define STATICTLS_XSYS_H

#include <stddef.h>

/* Exit codes of every statictls command. */
enum {
    EXIT_PASS = 0,      /* all loaded / case passed */
    EXIT_TRIPPED = 1,   /* a load failed / case failed */
    EXIT_USAGE = 2,     /* usage or input error */
    EXIT_INTERNAL = 3,  /* the harness itself failed */
    EXIT_SKIP = 77,     /* cannot run here */
};

_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An input error: prints "statictls: MESSAGE" and exits EXIT_USAGE. */
_Noreturn void die_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends one element to a growing array: *items has *count elements. */
#define XAPPEND(items, count)                                                   \
    (*(items) = xrealloc(*(items), (*(count) + 1) * sizeof **(items)),          \
     &(*(items))[(*(count))++])

/* Directory of the program's parts: the probe, the fixture templates, the
   injected helpers and one directory per libc build.  Beside the program in
   the build tree, at ../lib/statictls from an installed bin/. */
const char *self_dir(void);
/* Directory holding cases/ (the build tree, or an install's share/statictls). */
const char *data_dir(void);

/* Reads a whole file; NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);

/* Writes data to path atomically (temp file in the same directory, fsync,
   rename), so an interrupted run leaves the previous file in place. */
void write_file_atomic(const char *path, const char *data, size_t len);

/* mkdir -p */
void make_dirs(const char *path);

/* Removes a directory tree created by the harness; errors are ignored. */
void remove_tree(const char *path);

/* A new private directory $TMPDIR/NAME.XXXXXX (/tmp without TMPDIR). */
char *make_scratch_dir(const char *name);

#include <sys/types.h>
/* fork, pipe2(O_CLOEXEC) and waitpid that die with context; xwaitpid
   retries EINTR and returns waitpid's answer (0 for WNOHANG and running). */
pid_t xfork(void);
void xpipe(int fds[2]);
pid_t xwaitpid(pid_t pid, int *status, int options);

double now_seconds(void);

#include <stdio.h>
/* What writer(out, ctx) prints, in memory: results files are rendered
   whole before any is written. */
char *render_to_memory(void (*writer)(FILE *, const void *), const void *ctx, size_t *len);

/* Removes every "dir/" from s in place: generated fixtures live in a
   random scratch directory, which would make every result differ. */
void strip_dir_prefix(char *s, const char *dir);

#endif
