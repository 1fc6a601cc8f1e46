#include "caseparse.h"

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsys.h"

#define MAX_WORDS 16

struct parser {
    const char *path;
    int line;
    char *err;
    size_t errlen;
    struct case_def *c;
    bool in_repeat, have_expect;
    long repeat_count;
    size_t repeat_start;
    int repeat_line;
};

static bool fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static const char *const kind_names[] = {
    [OBJ_IE] = "ie", [OBJ_GD] = "gd", [OBJ_TLSDESC] = "tlsdesc",
    [OBJ_CRASH] = "crash", [OBJ_HANG] = "hang", [OBJ_LIB] = "lib",
};

const char *object_kind_name(enum object_kind k)
{
    return kind_names[k];
}

/* Splits a line into words; a word may be "double quoted". */
static int split(struct parser *p, char *line, char **words)
{
    int n = 0;
    for (char *s = line;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            return n;
        if (n == MAX_WORDS) {
            fail(p, "more than %d words", MAX_WORDS);
            return -1;
        }
        if (*s == '"') {
            char *end = strchr(s + 1, '"');
            if (!end) {
                fail(p, "unterminated quote");
                return -1;
            }
            *end = '\0';
            words[n++] = s + 1;
            s = end + 1;
            continue;
        }
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = '\0';
    }
}

static bool parse_long(struct parser *p, const char *what, const char *s, long min, long max,
                       long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < min || v > max)
        return fail(p, "%s: \"%s\" is not a number from %ld to %ld", what, s, min, max);
    *out = v;
    return true;
}

static bool parse_size(struct parser *p, const char *s, struct size_expr *out)
{
    long v = 0;
    out->relative_to_free = strncmp(s, "free", 4) == 0;
    if (out->relative_to_free) {
        s += 4;
        if (!*s) {
            out->value = 0;
            return true;
        }
        if (*s != '+' && *s != '-')
            return fail(p, "size: expected free, free+N or free-N");
        if (!parse_long(p, "size", s + 1, 0, 1L << 30, &v))
            return false;
        out->value = *s == '-' ? -v : v;
        return true;
    }
    if (!parse_long(p, "size", s, 0, 1L << 30, &v))
        return false;
    out->value = v;
    return true;
}

static bool need_args(struct parser *p, int nwords, int min, int max, const char *usage)
{
    if (nwords - 1 < min || nwords - 1 > max)
        return fail(p, "expected: %s", usage);
    return true;
}

static bool parse_object(struct parser *p, char **w, int n, bool is_lib)
{
    if (is_lib ? !need_args(p, n, 2, 2, "lib NAME PATH-OR-SONAME")
               : !need_args(p, n, 2, 4, "fixture NAME ie|gd|tlsdesc SIZE [align=N] | fixture NAME crash|hang"))
        return false;
    if (case_object_find(p->c, w[1]))
        return fail(p, "object \"%s\" is defined twice", w[1]);
    struct case_object o = {.line = p->line, .align = 1};
    if (is_lib) {
        o.kind = OBJ_LIB;
        /* ./x and ../x name files beside the case, wherever it runs from */
        if (strncmp(w[2], "./", 2) == 0 || strncmp(w[2], "../", 3) == 0) {
            const char *slash = strrchr(p->path, '/');
            char *dir = slash ? xasprintf("%.*s", (int)(slash - p->path), p->path) : xstrdup(".");
            char *abs = realpath(dir, NULL);
            o.target = xasprintf("%s/%s", abs ? abs : dir, w[2] + (w[2][1] == '/' ? 2 : 0));
            free(abs);
            free(dir);
        } else {
            o.target = xstrdup(w[2]);
        }
    } else {
        int k = -1;
        for (int i = OBJ_IE; i < OBJ_LIB; i++)
            if (strcmp(w[2], kind_names[i]) == 0)
                k = i;
        if (k < 0)
            return fail(p, "unknown fixture model \"%s\" (ie, gd, tlsdesc, crash, hang)", w[2]);
        o.kind = (enum object_kind)k;
        bool sized = k == OBJ_IE || k == OBJ_GD || k == OBJ_TLSDESC;
        if (sized && n < 4)
            return fail(p, "fixture %s: a %s fixture needs a SIZE", w[1], w[2]);
        if (!sized && n > 3)
            return fail(p, "fixture %s: a %s fixture takes no size", w[1], w[2]);
        if (sized && !parse_size(p, w[3], &o.size))
            return false;
        if (n == 5) {
            long a;
            if (strncmp(w[4], "align=", 6) != 0)
                return fail(p, "unknown option \"%s\" (align=N)", w[4]);
            if (!parse_long(p, "align", w[4] + 6, 1, 4096, &a))
                return false;
            if (a & (a - 1))
                return fail(p, "align: %ld is not a power of two", a);
            o.align = (uint64_t)a;
        }
    }
    o.name = xstrdup(w[1]);
    *XAPPEND(&p->c->objects, &p->c->nobjects) = o;
    return true;
}

static bool add_step(struct parser *p, enum op_kind op, const char *object, long count)
{
    if (object && !case_object_find(p->c, object))
        return fail(p, "no object named \"%s\" (define it with fixture or lib first)", object);
    if (p->c->nsteps >= CASE_MAX_STEPS)
        return fail(p, "more than %d steps", CASE_MAX_STEPS);
    struct case_step s = {.op = op, .line = p->line, .count = count,
                          .object = object ? xstrdup(object) : NULL};
    *XAPPEND(&p->c->steps, &p->c->nsteps) = s;
    return true;
}

/* Copies the block's steps repeat_count - 1 more times; each copy of a
   load gets its own instance (a fresh library file). */
static bool close_repeat(struct parser *p)
{
    struct case_def *c = p->c;
    size_t start = p->repeat_start, len = c->nsteps - start;
    if (len * (size_t)p->repeat_count + start > CASE_MAX_STEPS)
        return fail(p, "repeat from line %d expands to more than %d steps", p->repeat_line,
                    CASE_MAX_STEPS);
    for (size_t i = start; i < start + len; i++)
        c->steps[i].instance = 1;
    for (long k = 2; k <= p->repeat_count; k++)
        for (size_t i = start; i < start + len; i++) {
            struct case_step s = c->steps[i];
            s.object = s.object ? xstrdup(s.object) : NULL;
            s.instance = (int)k;
            *XAPPEND(&c->steps, &c->nsteps) = s;
        }
    p->in_repeat = false;
    return true;
}

static bool parse_expect(struct parser *p, char **w, int n)
{
    if (p->have_expect)
        return fail(p, "a case has one expect line");
    p->have_expect = true;
    struct case_def *c = p->c;
    if (n == 2 && strcmp(w[1], "loads") == 0) {
        c->expect = EXPECT_LOADS;
        return true;
    }
    if (n == 2 && strcmp(w[1], "model") == 0) {
        c->expect = EXPECT_MODEL;
        return true;
    }
    if (n >= 4 && n <= 5 && strcmp(w[1], "trip") == 0) {
        long step;
        if (!parse_long(p, "trip step", w[2], 1, CASE_MAX_STEPS, &step))
            return false;
        int kind = load_kind_from_name(w[3]);
        if (kind < 0 || kind == KIND_LOADED)
            return fail(p, "unknown failure kind \"%s\"", w[3]);
        c->expect = EXPECT_TRIP;
        c->expect_step = (int)step;
        c->expect_kind = (enum load_kind)kind;
        c->expect_message = n == 5 ? xstrdup(w[4]) : NULL;
        return true;
    }
    return fail(p, "expected: expect loads | expect model | expect trip STEP KIND [\"message\"]");
}

static bool parse_line(struct parser *p, char **w, int n)
{
    struct case_def *c = p->c;
    const char *k = w[0];
    long v;
    if (strcmp(k, "title") == 0) {
        if (n < 2 || c->title)
            return fail(p, c->title ? "title given twice" : "expected: title TEXT");
        size_t len = 0;
        for (int i = 1; i < n; i++)
            len += strlen(w[i]) + 1;
        c->title = xcalloc(len + 1, 1);
        for (int i = 1; i < n; i++) {
            strcat(c->title, w[i]);
            if (i + 1 < n)
                strcat(c->title, " ");
        }
        return true;
    }
    if (strcmp(k, "arch") == 0 || strcmp(k, "libc") == 0) {
        char **slot = k[0] == 'a' ? &c->arch : &c->libc;
        if (*slot)
            return fail(p, k[0] == 'a' ? "arch given twice" : "libc given twice");
        if (!need_args(p, n, 1, 1, k[0] == 'a' ? "arch MACHINE" : "libc NAME"))
            return false;
        *slot = xstrdup(w[1]);
        return true;
    }
    if (strcmp(k, "tunables") == 0) {
        if (c->tunables)
            return fail(p, "tunables given twice");
        if (!need_args(p, n, 1, 1, "tunables NAME=VALUE[:NAME=VALUE...]"))
            return false;
        c->tunables = xstrdup(w[1]);
        return true;
    }
    if (strcmp(k, "env") == 0) {
        if (!need_args(p, n, 1, 1, "env NAME=VALUE"))
            return false;
        if (!strchr(w[1], '=') || w[1][0] == '=')
            return fail(p, "env: expected NAME=VALUE");
        *XAPPEND(&c->env, &c->nenv) = xstrdup(w[1]);
        return true;
    }
    if (strcmp(k, "preload") == 0) {
        if (!need_args(p, n, 1, 1, "preload NAME"))
            return false;
        const struct case_object *o = case_object_find(c, w[1]);
        if (!o)
            return fail(p, "no object named \"%s\"", w[1]);
        if (o->size.relative_to_free)
            return fail(p, "a preloaded fixture needs a literal size: free is measured with it");
        *XAPPEND(&c->preload, &c->npreload) = xstrdup(w[1]);
        return true;
    }
    if (strcmp(k, "audit") == 0) {
        if (!need_args(p, n, 1, 1, "audit N") || !parse_long(p, "audit", w[1], 0, 8, &v))
            return false;
        c->naudit = (unsigned)v;
        return true;
    }
    if (strcmp(k, "timeout") == 0) {
        if (!need_args(p, n, 1, 1, "timeout SECONDS") ||
            !parse_long(p, "timeout", w[1], 1, 3600, &v))
            return false;
        c->timeout = (double)v;
        return true;
    }
    if (strcmp(k, "fixture") == 0 || strcmp(k, "lib") == 0)
        return parse_object(p, w, n, k[0] == 'l');
    if (strcmp(k, "load") == 0 || strcmp(k, "close") == 0 || strcmp(k, "dlmopen") == 0) {
        if (!need_args(p, n, 1, 1, "load|close|dlmopen NAME"))
            return false;
        enum op_kind op = k[0] == 'l' ? OP_LOAD : k[0] == 'c' ? OP_CLOSE : OP_MOPEN;
        return add_step(p, op, w[1], 0);
    }
    if (strcmp(k, "threads") == 0) {
        if (!need_args(p, n, 1, 1, "threads N") || !parse_long(p, "threads", w[1], 1, 1024, &v))
            return false;
        return add_step(p, OP_THREADS, NULL, v);
    }
    if (strcmp(k, "repeat") == 0) {
        if (p->in_repeat)
            return fail(p, "repeat inside repeat (from line %d) is not supported", p->repeat_line);
        if (!need_args(p, n, 1, 1, "repeat COUNT") ||
            !parse_long(p, "repeat", w[1], 1, CASE_MAX_STEPS, &p->repeat_count))
            return false;
        p->in_repeat = true;
        p->repeat_start = c->nsteps;
        p->repeat_line = p->line;
        return true;
    }
    if (strcmp(k, "end") == 0) {
        if (!p->in_repeat)
            return fail(p, "end without repeat");
        return need_args(p, n, 0, 0, "end") && close_repeat(p);
    }
    if (strcmp(k, "expect") == 0)
        return parse_expect(p, w, n);
    return fail(p, "unknown keyword \"%s\"", k);
}

/* A close names the object's most recent open load (checked here so a case
   that closes what it never opened is a parse error, not a run failure). */
static bool check_closes(struct parser *p)
{
    struct case_def *c = p->c;
    for (size_t i = 0; i < c->nsteps; i++) {
        if (c->steps[i].op != OP_CLOSE)
            continue;
        long open = 0;
        for (size_t j = 0; j < i; j++)
            if (c->steps[j].object && strcmp(c->steps[j].object, c->steps[i].object) == 0)
                open += c->steps[j].op == OP_CLOSE ? -1 : 1;
        if (open <= 0) {
            p->line = c->steps[i].line;
            return fail(p, "close %s: it is not loaded at this point", c->steps[i].object);
        }
    }
    return true;
}

bool case_parse(const char *path, const char *text, struct case_def *out, char *err,
                size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->path = xstrdup(path);
    out->timeout = 10;
    struct parser p = {.path = path, .err = err, .errlen = errlen, .c = out};
    bool ok = true;
    for (const char *s = text; ok && *s;) {
        p.line++;
        size_t len = strcspn(s, "\n");
        char *line = xmalloc(len + 1);
        memcpy(line, s, len);
        line[len] = '\0';
        s += len + (s[len] == '\n');
        char *words[MAX_WORDS];
        int n = strlen(line) != len ? (fail(&p, "NUL byte in line"), -1) : split(&p, line, words);
        ok = n >= 0 && (n == 0 || parse_line(&p, words, n));
        free(line);
    }
    if (ok && p.in_repeat) {
        p.line = p.repeat_line;
        ok = fail(&p, "repeat without end");
    }
    if (ok && !p.have_expect)
        ok = fail(&p, "no expect line (expect loads | expect model | expect trip STEP KIND)");
    if (ok && out->nsteps == 0)
        ok = fail(&p, "no steps (load, close, dlmopen, threads)");
    if (ok && out->expect == EXPECT_TRIP && (size_t)out->expect_step > out->nsteps)
        ok = fail(&p, "expect trip %d: the case has %zu steps", out->expect_step, out->nsteps);
    if (ok)
        ok = check_closes(&p);
    if (!ok)
        case_free(out);
    return ok;
}

void case_free(struct case_def *c)
{
    for (size_t i = 0; i < c->nobjects; i++) {
        free(c->objects[i].name);
        free(c->objects[i].target);
    }
    for (size_t i = 0; i < c->nsteps; i++)
        free(c->steps[i].object);
    for (size_t i = 0; i < c->nenv; i++)
        free(c->env[i]);
    for (size_t i = 0; i < c->npreload; i++)
        free(c->preload[i]);
    free(c->objects);
    free(c->steps);
    free(c->env);
    free(c->preload);
    free(c->path);
    free(c->title);
    free(c->arch);
    free(c->libc);
    free(c->tunables);
    free(c->expect_message);
    memset(c, 0, sizeof *c);
}

const struct case_object *case_object_find(const struct case_def *c, const char *name)
{
    for (size_t i = 0; i < c->nobjects; i++)
        if (strcmp(c->objects[i].name, name) == 0)
            return &c->objects[i];
    return NULL;
}
