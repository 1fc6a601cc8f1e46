/* A real command's stderr, read as it comes: glibc's static TLS message
   is found in it (one line) and only its end is kept, however much the
   command writes (docs/robustness.md). */
#ifndef STATICTLS_STDERRSCAN_H
#define STATICTLS_STDERRSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* The end of a command's stderr kept, to show; */
#define STDERR_TAIL_BYTES 4096
/* a line is scanned whole up to this long, a longer one by its last this
   many bytes (glibc's words end its message). */
#define STDERR_LINE_BYTES 65536

struct stderr_scan {
    char *line;          /* the line so far: at least its last STDERR_LINE_BYTES */
    size_t line_len;
    char *found[2];      /* the first line with each of glibc's two messages */
    char *tail;          /* at least the last STDERR_TAIL_BYTES of it all */
    size_t tail_len;
    unsigned long long total; /* bytes read */
};

void stderr_scan_init(struct stderr_scan *s);
/* The next n bytes of the stream. */
void stderr_scan_feed(struct stderr_scan *s, const char *data, size_t n);
/* The stream ended: a last line without '\n' is scanned too. */
void stderr_scan_finish(struct stderr_scan *s);
/* glibc's static TLS line ("cannot allocate memory" before "cannot load
   any more"), or NULL; the caller frees it. */
char *stderr_scan_message(struct stderr_scan *s);
/* The last STDERR_TAIL_BYTES (fewer if that is all there was), as a
   string; the caller frees it. */
char *stderr_scan_tail(const struct stderr_scan *s);
void stderr_scan_free(struct stderr_scan *s);

#endif
