/* Files for the harness's own work: read whole, written atomically, and
   results directories published as one unit. */
#ifndef STATICTLS_XFILE_H
#define STATICTLS_XFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
/* The same, for a caller that goes on: false with errno set on failure
   (no space left, say), and nothing left behind, no temporary file. */
bool try_write_file_atomic(const char *path, const char *data, size_t len);

/* Whether files can be written into dir (made with its parents where
   absent): a file of one block is written, synced and removed, so that a
   full disk is found too.  False with what is wrong in err. */
bool dir_write_check(const char *dir, char *err, size_t errlen);

/* Files that are only right together (a report's README.md and
   results.json): publish_dir writes them into a new directory beside dir,
   carries over the files of dir named in ours (what statictls writes
   there, NULL-terminated: a sweep's pair beside a report's) as hard links,
   and puts the new directory in dir's place in one rename, all synced.  A
   reader that opens dir sees the old set or the new one, never a mix, also
   when two runs publish at once.  A symbolic link at dir is never followed,
   and nothing but ours is ever dropped: where dir is a link, no directory,
   or holds anything else (results_dir_check says the same beforehand),
   publish_dir changes nothing and returns false with why in err. */
struct named_text {
    const char *name;
    const char *text;
    size_t len;
};
bool publish_dir(const char *dir, const struct named_text *files, size_t n,
                 const char *const *ours, char *err, size_t errlen);
/* The same for files that writers render from ctx: all rendered first, so
   nothing touches dir until everything is known. */
struct rendered_file {
    const char *name;
    void (*writer)(FILE *, const void *);
};
bool publish_rendered(const char *dir, const struct rendered_file *files, size_t n,
                      const void *ctx, const char *const *ours, char *err, size_t errlen);
/* Whether publish_dir could publish at dir (absent, or a directory holding
   only ours); false with why in err. */
bool results_dir_check(const char *dir, const char *const *ours, char *err, size_t errlen);

/* mkdir -p; try_make_dirs returns false with errno set instead of dying. */
void make_dirs(const char *path);
bool try_make_dirs(const char *path);

/* What writer(out, ctx) prints, in memory: results files are rendered
   whole before any is written. */
char *render_to_memory(void (*writer)(FILE *, const void *), const void *ctx, size_t *len);

#endif
