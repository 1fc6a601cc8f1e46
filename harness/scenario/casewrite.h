/* The case language's one writer; caseparse.c is its one reader.  What
   replay, fuzz and the shrinker write goes through here, line by line or
   a parsed case whole, in the form the parser reads back to the same case
   (tests/test_casewrite.c holds every keyword and every case in cases/ to
   that). */
#ifndef STATICTLS_CASEWRITE_H
#define STATICTLS_CASEWRITE_H

#include <stddef.h>
#include <stdio.h>

#include "caseparse.h"

/* A case text being written.  A word the language cannot hold (a
   newline, "${", which the parser would expand, a '"' in a word that
   needs quotes) makes case_writer_close fail, naming it. */
struct case_writer {
    FILE *out;
    char *text;
    size_t len;
    char *bad; /* the first word that could not be written */
};

void case_writer_open(struct case_writer *w);
/* The text written (the caller frees it), or NULL with err. */
char *case_writer_close(struct case_writer *w, char *err, size_t errlen);

/* One line each.  Words are quoted only where the parser needs it. */
void case_write_comment(struct case_writer *w, const char *text);
void case_write_title(struct case_writer *w, const char *title);
/* op and version NULL, or "<=" and "2.21" */
void case_write_libc(struct case_writer *w, const char *name, const char *op,
                     const char *version);
void case_write_arch(struct case_writer *w, const char *machine);
void case_write_tunables(struct case_writer *w, const char *tunables);
void case_write_audit(struct case_writer *w, long n);
void case_write_env(struct case_writer *w, const char *name_value);
void case_write_timeout(struct case_writer *w, long seconds);
/* The limits that are set (not 0); nothing when none is. */
void case_write_limits(struct case_writer *w, const struct probe_limits *l);
/* A fixture or lib line, with comment (or NULL) after it on the line.
   align=N is written where it is not 1 or align_given says so. */
void case_write_object(struct case_writer *w, const struct case_object *o, const char *comment);
void case_write_preload(struct case_writer *w, const char *name);
/* load, dlmopen or close NAME */
void case_write_step(struct case_writer *w, enum op_kind op, const char *name);
void case_write_threads(struct case_writer *w, long n);
void case_write_repeat(struct case_writer *w, long count);
void case_write_end(struct case_writer *w);
void case_write_expect_loads(struct case_writer *w);
void case_write_expect_model(struct case_writer *w);
/* message NULL: none; otherwise quoted, as text. */
void case_write_expect_trip(struct case_writer *w, int step, enum load_kind kind,
                            const char *message);
void case_write_expect_headroom(struct case_writer *w, long bytes);

/* The lines case_write writes for a case, in its order: title, libc,
   arch, tunables, audit, env, timeout, limits, objects, preloads, steps,
   expect.  A repeat block's line is its repeat and its end; each step of
   its body is a line of its own. */
enum case_line_kind {
    CASE_LINE_TITLE,
    CASE_LINE_LIBC,
    CASE_LINE_ARCH,
    CASE_LINE_TUNABLES,
    CASE_LINE_AUDIT,
    CASE_LINE_ENV,     /* index: into env */
    CASE_LINE_TIMEOUT, /* only where it is not the default */
    CASE_LINE_LIMITS,
    CASE_LINE_OBJECT,  /* index: into objects */
    CASE_LINE_PRELOAD, /* index: into preload */
    CASE_LINE_REPEAT,  /* index: into repeats */
    CASE_LINE_STEP,    /* index: into steps (a body's first copy) */
    CASE_LINE_EXPECT,
};

struct case_line {
    enum case_line_kind kind;
    size_t index;
};

/* c's lines; the caller frees them. */
struct case_line *case_lines(const struct case_def *c, size_t *n);
/* c as text (the caller frees it), or NULL with err for a word the
   language cannot hold. */
char *case_write(const struct case_def *c, char *err, size_t errlen);
/* The same without line skip of case_lines (without a repeat line, its
   body is there once). */
char *case_write_without(const struct case_def *c, size_t skip, char *err, size_t errlen);

#endif
