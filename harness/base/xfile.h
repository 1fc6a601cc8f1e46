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

/* Files that are only right together (a report's README.md and
   results.json): publish_dir writes them into a new directory beside dir,
   keeps dir's other files (hard links), and puts the new directory in
   dir's place in one rename, all synced.  A reader that opens dir sees the
   old set or the new one, never a mix, also when two runs publish at once. */
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

/* What writer(out, ctx) prints, in memory: results files are rendered
   whole before any is written. */
char *render_to_memory(void (*writer)(FILE *, const void *), const void *ctx, size_t *len);

#endif
