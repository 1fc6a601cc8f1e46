/* Wrappers that die with context: for the harness's own work, never for
   the measured dlopen (that one runs in the probe and its failure is data). */
#ifndef STATICTLS_XSYS_H
#define STATICTLS_XSYS_H

#include <stdbool.h>
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

/* Reads a whole file, at most max bytes; NULL with errno set on failure:
   EISDIR for a directory, EFBIG past max.  A FIFO without a writer reads
   as empty instead of blocking.  read_file: at most READ_FILE_MAX. */
#define READ_FILE_MAX ((size_t)1 << 30)
char *read_file_max(const char *path, size_t max, size_t *len);
char *read_file(const char *path, size_t *len);

/* Writes data to path atomically: a new file under a random name in the
   same directory (mkstemp, so nothing planted there is followed), fsync,
   rename, fsync of the directory.  An interrupted run leaves the previous
   file in place and no temporary file. */
void write_file_atomic(const char *path, const char *data, size_t len);

/* Files that are only right together (a report's README.md and
   results.json): publish_dir writes them into a new directory beside dir,
   keeps dir's other files (hard links), and puts the new directory in
   dir's place in one rename, all synced.  A reader that opens dir sees the
   old set or the new one, never a mix, also when two runs publish at once. */
#include <stdio.h>
struct named_text {
    const char *name;
    const char *text;
    size_t len;
};
void publish_dir(const char *dir, const struct named_text *files, size_t n);
/* The same for files that writers render from ctx: all rendered first, so
   nothing touches dir until everything is known. */
struct rendered_file {
    const char *name;
    void (*writer)(FILE *, const void *);
};
void publish_rendered(const char *dir, const struct rendered_file *files, size_t n,
                      const void *ctx);

/* mkdir -p */
void make_dirs(const char *path);

/* Removes a directory tree created by the harness (and forgets it, see
   interrupt.h); errors are ignored. */
void remove_tree(const char *path);

/* A new private directory $TMPDIR/NAME.XXXXXX (/tmp without TMPDIR),
   removed by an interrupt or exit until remove_tree removes it.  A TMPDIR
   holding a space or ':' exits 2: ld.so's lists could not carry it. */
char *make_scratch_dir(const char *name);

/* path as one entry of ld.so's LD_PRELOAD or LD_AUDIT list, which split at
   ':' (LD_PRELOAD at spaces too) with no quoting: path itself, or where it
   holds either, a symlink to it named name in dir (a scratch directory,
   whose path has neither).  The caller frees it. */
char *loader_list_entry(const char *path, const char *dir, const char *name);

#include <sys/types.h>
/* fork, pipe2(O_CLOEXEC) and waitpid that die with context; xwaitpid
   retries EINTR and returns waitpid's answer (0 for WNOHANG and running). */
pid_t xfork(void);
void xpipe(int fds[2]);
pid_t xwaitpid(pid_t pid, int *status, int options);

double now_seconds(void);

/* What writer(out, ctx) prints, in memory: results files are rendered
   whole before any is written. */
char *render_to_memory(void (*writer)(FILE *, const void *), const void *ctx, size_t *len);

/* Removes every "dir/" from s in place: generated fixtures live in a
   random scratch directory, which would make every result differ. */
void strip_dir_prefix(char *s, const char *dir);

#endif
