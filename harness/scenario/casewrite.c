#define _GNU_SOURCE /* open_memstream */
#include "casewrite.h"

#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "xalloc.h"

void case_writer_open(struct case_writer *w)
{
    memset(w, 0, sizeof *w);
    w->out = open_memstream(&w->text, &w->len);
    if (!w->out)
        die_errno("open_memstream");
}

char *case_writer_close(struct case_writer *w, char *err, size_t errlen)
{
    if (fclose(w->out) != 0)
        die_errno("write a case");
    char *text = w->text;
    if (w->bad) {
        snprintf(err, errlen, "the case language cannot hold the word \"%s\" (a newline, "
                              "\"${\", or a '\"' in a word that needs quotes)", w->bad);
        free(text);
        text = NULL;
    }
    free(w->bad);
    memset(w, 0, sizeof *w);
    return text;
}

static bool refuse(struct case_writer *w, const char *s)
{
    if (!w->bad)
        w->bad = xstrdup(s);
    return false;
}

/* A line break would end the line (comments are never expanded). */
static bool one_line(struct case_writer *w, const char *s)
{
    return !strpbrk(s, "\n\r") || refuse(w, s);
}

/* ... and ${NAME} is expanded in every word. */
static bool holdable(struct case_writer *w, const char *s)
{
    return (one_line(w, s) && !strstr(s, "${")) || refuse(w, s);
}

/* Blanks split words, and # or " at a word's start means a comment or a
   quoted word. */
static bool needs_quotes(const char *s)
{
    return !*s || strpbrk(s, " \t") || *s == '#' || *s == '"';
}

static void quoted(struct case_writer *w, const char *s)
{
    if (strchr(s, '"')) { /* a quoted word ends at the next quote */
        refuse(w, s);
        return;
    }
    fprintf(w->out, " \"%s\"", s);
}

/* " WORD", quoted only where it must be. */
static void word(struct case_writer *w, const char *s)
{
    if (!holdable(w, s))
        return;
    if (needs_quotes(s))
        quoted(w, s);
    else
        fprintf(w->out, " %s", s);
}

static void keyword_word(struct case_writer *w, const char *keyword, const char *s)
{
    fputs(keyword, w->out);
    word(w, s);
    fputc('\n', w->out);
}

void case_write_comment(struct case_writer *w, const char *text)
{
    if (one_line(w, text))
        fprintf(w->out, "# %s\n", text);
}

/* The parser joins the title's words with one space: each word between
   spaces is one word here, an empty one "" (two spaces in a row). */
void case_write_title(struct case_writer *w, const char *title)
{
    fputs("title", w->out);
    for (const char *s = title;;) {
        size_t len = strcspn(s, " ");
        char *one = xasprintf("%.*s", (int)len, s);
        word(w, one);
        free(one);
        if (!s[len])
            break;
        s += len + 1;
    }
    fputc('\n', w->out);
}

void case_write_libc(struct case_writer *w, const char *name, const char *op, const char *version)
{
    char *both = xasprintf("%s%s%s", name, op ? op : "", version ? version : "");
    keyword_word(w, "libc", both);
    free(both);
}

void case_write_arch(struct case_writer *w, const char *machine)
{
    keyword_word(w, "arch", machine);
}

void case_write_tunables(struct case_writer *w, const char *tunables)
{
    keyword_word(w, "tunables", tunables);
}

void case_write_audit(struct case_writer *w, long n)
{
    fprintf(w->out, "audit %ld\n", n);
}

void case_write_env(struct case_writer *w, const char *name_value)
{
    keyword_word(w, "env", name_value);
}

void case_write_timeout(struct case_writer *w, long seconds)
{
    fprintf(w->out, "timeout %ld\n", seconds);
}

void case_write_limits(struct case_writer *w, const struct probe_limits *l)
{
    if (!l->memory && !l->processes && !l->cpu_s)
        return;
    fputs("limits", w->out);
    if (l->memory)
        fprintf(w->out, " memory=%llu", l->memory);
    if (l->processes)
        fprintf(w->out, " processes=%ld", l->processes);
    if (l->cpu_s)
        fprintf(w->out, " cpu=%ld", l->cpu_s);
    fputc('\n', w->out);
}

static void size(struct case_writer *w, const struct size_expr *s)
{
    if (!s->relative_to_free)
        fprintf(w->out, " %lld", s->value);
    else if (s->value)
        fprintf(w->out, " free%+lld", s->value);
    else
        fputs(" free", w->out);
}

void case_write_object(struct case_writer *w, const struct case_object *o, const char *comment)
{
    fputs(o->kind == OBJ_LIB ? "lib" : "fixture", w->out);
    word(w, o->name);
    switch (o->kind) {
    case OBJ_LIB:
        word(w, o->target);
        break;
    case OBJ_CRASH:
    case OBJ_HANG:
        fputs(o->kind == OBJ_CRASH ? " crash" : " hang", w->out);
        break;
    case OBJ_FIXTURE:
        fprintf(w->out, " %s", tls_access_name(o->access));
        size(w, &o->size);
        if (o->align != 1 || o->align_given)
            fprintf(w->out, " align=%llu", (unsigned long long)o->align);
        if (o->unique)
            fputs(" unique", w->out);
        break;
    }
    if (comment && one_line(w, comment))
        fprintf(w->out, "   # %s", comment);
    fputc('\n', w->out);
}

void case_write_preload(struct case_writer *w, const char *name)
{
    keyword_word(w, "preload", name);
}

void case_write_step(struct case_writer *w, enum op_kind op, const char *name)
{
    keyword_word(w, plan_op_name(op), name);
}

void case_write_threads(struct case_writer *w, long n)
{
    fprintf(w->out, "%s %ld\n", plan_op_name(OP_THREADS), n);
}

void case_write_repeat(struct case_writer *w, long count)
{
    fprintf(w->out, "repeat %ld\n", count);
}

void case_write_end(struct case_writer *w)
{
    fputs("end\n", w->out);
}

void case_write_expect_loads(struct case_writer *w)
{
    fputs("expect loads\n", w->out);
}

void case_write_expect_model(struct case_writer *w)
{
    fputs("expect model\n", w->out);
}

void case_write_expect_trip(struct case_writer *w, int step, enum load_kind kind,
                            const char *message)
{
    fprintf(w->out, "expect trip %d %s", step, load_kind_name(kind));
    if (message && strchr(message, '"'))
        word(w, message); /* it cannot be quoted */
    else if (message && holdable(w, message))
        quoted(w, message); /* text: quoted even where it is one word */
    fputc('\n', w->out);
}

void case_write_expect_headroom(struct case_writer *w, long bytes)
{
    fprintf(w->out, "expect headroom >= %ld\n", bytes);
}

struct case_line *case_lines(const struct case_def *c, size_t *n)
{
    struct case_line *lines = NULL;
    *n = 0;
#define LINE(k, i) (*XAPPEND(&lines, n) = (struct case_line){(k), (i)})
    if (c->title)
        LINE(CASE_LINE_TITLE, 0);
    if (c->libc)
        LINE(CASE_LINE_LIBC, 0);
    if (c->arch)
        LINE(CASE_LINE_ARCH, 0);
    if (c->tunables)
        LINE(CASE_LINE_TUNABLES, 0);
    if (c->naudit)
        LINE(CASE_LINE_AUDIT, 0);
    for (size_t i = 0; i < c->nenv; i++)
        LINE(CASE_LINE_ENV, i);
    if (c->timeout != (long)PROBE_TIMEOUT_S)
        LINE(CASE_LINE_TIMEOUT, 0);
    if (c->limits.memory || c->limits.processes || c->limits.cpu_s)
        LINE(CASE_LINE_LIMITS, 0);
    for (size_t i = 0; i < c->nobjects; i++)
        LINE(CASE_LINE_OBJECT, i);
    for (size_t i = 0; i < c->npreload; i++)
        LINE(CASE_LINE_PRELOAD, i);
    /* A block's other copies are no lines: it is written once. */
    size_t b = 0;
    for (size_t i = 0; i <= c->nsteps;) {
        if (b < c->nrepeats && c->repeats[b].first == i) {
            const struct case_repeat *r = &c->repeats[b];
            LINE(CASE_LINE_REPEAT, b++);
            for (size_t k = 0; k < r->len; k++)
                LINE(CASE_LINE_STEP, i + k);
            i += r->len * (size_t)r->count;
        } else if (i < c->nsteps) {
            LINE(CASE_LINE_STEP, i++);
        } else {
            break;
        }
    }
    LINE(CASE_LINE_EXPECT, 0);
#undef LINE
    return lines;
}

static void write_expect(struct case_writer *w, const struct case_def *c)
{
    switch (c->expect) {
    case EXPECT_LOADS:
        case_write_expect_loads(w);
        break;
    case EXPECT_MODEL:
        case_write_expect_model(w);
        break;
    case EXPECT_TRIP:
        case_write_expect_trip(w, c->expect_step, c->expect_kind, c->expect_message);
        break;
    case EXPECT_HEADROOM:
        case_write_expect_headroom(w, c->expect_headroom);
        break;
    }
}

static void write_step(struct case_writer *w, const struct case_def *c, size_t i)
{
    const struct case_step *s = &c->steps[i];
    if (s->op == OP_THREADS)
        case_write_threads(w, s->count);
    else
        case_write_step(w, s->op, c->objects[s->object].name);
}

/* Line l of lines, with the body of a block when l is one (the lines
   after it but skip, then its end); the next line to write. */
static size_t write_line(struct case_writer *w, const struct case_def *c,
                         const struct case_line *lines, size_t l, size_t skip)
{
    const struct case_line *line = &lines[l];
    switch (line->kind) {
    case CASE_LINE_TITLE:
        case_write_title(w, c->title);
        break;
    case CASE_LINE_LIBC:
        case_write_libc(w, c->libc, c->libc_version ? c->libc_op : NULL, c->libc_version);
        break;
    case CASE_LINE_ARCH:
        case_write_arch(w, c->arch);
        break;
    case CASE_LINE_TUNABLES:
        case_write_tunables(w, c->tunables);
        break;
    case CASE_LINE_AUDIT:
        case_write_audit(w, c->naudit);
        break;
    case CASE_LINE_ENV:
        case_write_env(w, c->env[line->index]);
        break;
    case CASE_LINE_TIMEOUT:
        case_write_timeout(w, c->timeout);
        break;
    case CASE_LINE_LIMITS:
        case_write_limits(w, &c->limits);
        break;
    case CASE_LINE_OBJECT:
        case_write_object(w, &c->objects[line->index], NULL);
        break;
    case CASE_LINE_PRELOAD:
        case_write_preload(w, c->objects[c->preload[line->index]].name);
        break;
    case CASE_LINE_REPEAT: {
        size_t body = c->repeats[line->index].len;
        case_write_repeat(w, c->repeats[line->index].count);
        for (size_t k = l + 1; k <= l + body; k++)
            if (k != skip)
                write_step(w, c, lines[k].index);
        case_write_end(w);
        return l + 1 + body;
    }
    case CASE_LINE_STEP:
        write_step(w, c, line->index);
        break;
    case CASE_LINE_EXPECT:
        write_expect(w, c);
        break;
    }
    return l + 1;
}

char *case_write_without(const struct case_def *c, size_t skip, char *err, size_t errlen)
{
    size_t n;
    struct case_line *lines = case_lines(c, &n);
    struct case_writer w;
    case_writer_open(&w);
    /* Without its repeat line a block's body is there once: its steps are
       lines of their own. */
    for (size_t l = 0; l < n; l++)
        if (l != skip)
            l = write_line(&w, c, lines, l, skip) - 1;
    free(lines);
    return case_writer_close(&w, err, errlen);
}

char *case_write(const struct case_def *c, char *err, size_t errlen)
{
    return case_write_without(c, CASE_NONE, err, errlen);
}
