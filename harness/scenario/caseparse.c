#define _GNU_SOURCE /* strverscmp */
#include "caseparse.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MAX_WORDS 16

struct parser;
/* One keyword of the case language: its arguments, whether a case may give
   it more than once, and what parses it (with, for some, the field of
   struct case_def it fills, its step op, or its number's range). */
struct keyword {
    const char *name;
    int min_args, max_args;
    bool once;
    const char *usage;
    bool (*parse)(struct parser *p, const struct keyword *k, char **w, int n);
    size_t field;
    enum op_kind op;
    long min, max;
};

struct parser {
    const char *path;
    int line;
    char *err;
    size_t errlen;
    struct case_def *c;
    const struct case_vars *vars;
    const struct keyword *seen[16]; /* keywords a case gives once, as they come */
    size_t nseen;
    bool in_repeat;
    long repeat_count;
    size_t repeat_start;
    int repeat_line;
    size_t expanded; /* bytes of the words so far, ${NAME} replaced */
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
        if (!parse_long(p, "size", s + 1, 0, CASE_MAX_SIZE, &v))
            return false;
        out->value = *s == '-' ? -v : v;
        return true;
    }
    /* Not 0: glibc divides by a 0-byte initial-exec block's alignment. */
    if (!parse_long(p, "size", s, 1, CASE_MAX_SIZE, &v))
        return false;
    out->value = v;
    return true;
}

/* ./x and ../x name files beside the case, wherever it runs from. */
static char *beside_case(const struct parser *p, const char *target)
{
    if (strncmp(target, "./", 2) != 0 && strncmp(target, "../", 3) != 0)
        return xstrdup(target);
    const char *slash = strrchr(p->path, '/');
    char *dir = slash ? xasprintf("%.*s", (int)(slash - p->path), p->path) : xstrdup(".");
    char *abs = realpath(dir, NULL);
    char *path = xasprintf("%s/%s", abs ? abs : dir, target + (target[1] == '/' ? 2 : 0));
    free(abs);
    free(dir);
    return path;
}

static bool parse_fixture_options(struct parser *p, char **w, int n, struct case_object *o)
{
    bool sized = o->kind == OBJ_FIXTURE;
    if (sized && n < 4)
        return fail(p, "fixture %s: a %s fixture needs a SIZE", w[1], w[2]);
    if (!sized && n > 3)
        return fail(p, "fixture %s: a %s fixture takes no size", w[1], w[2]);
    if (sized && !parse_size(p, w[3], &o->size))
        return false;
    for (int i = 4; i < n; i++) {
        long a;
        if (strcmp(w[i], "unique") == 0) {
            if (o->unique)
                return fail(p, "fixture %s: unique given twice", w[1]);
            o->unique = true;
            continue;
        }
        if (strncmp(w[i], "align=", 6) != 0)
            return fail(p, "unknown option \"%s\" (align=N, unique)", w[i]);
        if (o->align_given)
            return fail(p, "fixture %s: align given twice", w[1]);
        if (!parse_long(p, "align", w[i] + 6, 1, CASE_MAX_ALIGN, &a))
            return false;
        if (a & (a - 1))
            return fail(p, "align: %ld is not a power of two", a);
        o->align = (uint64_t)a;
        o->align_given = true;
    }
    return true;
}

/* An object's name becomes part of a file name and of ld.so's lists. */
static bool name_ok(struct parser *p, const char *name)
{
    size_t n = strlen(name);
    if (!n || n > CASE_MAX_NAME || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789._+~-") != n)
        return fail(p, "object name \"%s\": up to %d letters, digits and . _ + ~ -", name,
                    CASE_MAX_NAME);
    return true;
}

static bool add_object(struct parser *p, const char *name, struct case_object *o)
{
    bool ok = name_ok(p, name);
    if (ok && case_object_find(p->c, name))
        ok = fail(p, "object \"%s\" is defined twice", name);
    if (ok && p->c->nobjects >= CASE_MAX_OBJECTS)
        ok = fail(p, "more than %d objects", CASE_MAX_OBJECTS);
    if (!ok) {
        free(o->target);
        return false;
    }
    o->name = xstrdup(name);
    *XAPPEND(&p->c->objects, &p->c->nobjects) = *o;
    return true;
}

static bool parse_lib(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k, (void)n;
    struct case_object o = {.line = p->line, .align = 1, .kind = OBJ_LIB,
                            .target = beside_case(p, w[2])};
    return add_object(p, w[1], &o);
}

static bool parse_fixture(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k;
    struct case_object o = {.line = p->line, .align = 1};
    if (strcmp(w[2], "crash") == 0 || strcmp(w[2], "hang") == 0)
        o.kind = w[2][0] == 'c' ? OBJ_CRASH : OBJ_HANG;
    else if (tls_access_from_name(w[2], &o.access) && o.access != TLS_NONE &&
             strcmp(w[2], tls_access_name(o.access)) == 0)
        o.kind = OBJ_FIXTURE;
    else
        return fail(p, "unknown fixture model \"%s\" (ie, gd, tlsdesc, crash, hang)", w[2]);
    return parse_fixture_options(p, w, n, &o) && add_object(p, w[1], &o);
}

static bool add_step(struct parser *p, enum op_kind op, const char *object, long count)
{
    const struct case_object *o = object ? case_object_find(p->c, object) : NULL;
    if (object && !o)
        return fail(p, "no object named \"%s\" (define it with fixture or lib first)", object);
    if (p->c->nsteps >= CASE_MAX_STEPS)
        return fail(p, "more than %d steps", CASE_MAX_STEPS);
    struct case_step s = {.op = op, .line = p->line, .count = count,
                          .object = o ? (size_t)(o - p->c->objects) : CASE_NONE,
                          .closes = CASE_NONE};
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
            s.instance = (int)k;
            *XAPPEND(&c->steps, &c->nsteps) = s;
        }
    *XAPPEND(&c->repeats, &c->nrepeats) = (struct case_repeat){start, len, p->repeat_count};
    p->in_repeat = false;
    return true;
}

static bool parse_expect(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k;
    struct case_def *c = p->c;
    if (n == 2 && strcmp(w[1], "loads") == 0) {
        c->expect = EXPECT_LOADS;
        return true;
    }
    if (n == 2 && strcmp(w[1], "model") == 0) {
        c->expect = EXPECT_MODEL;
        return true;
    }
    if (n == 4 && strcmp(w[1], "headroom") == 0) {
        if (strcmp(w[2], ">=") != 0)
            return fail(p, "expected: expect headroom >= BYTES");
        if (!parse_long(p, "headroom", w[3], 0, 1L << 30, &c->expect_headroom))
            return false;
        c->expect = EXPECT_HEADROOM;
        return true;
    }
    if (n >= 4 && n <= 5 && strcmp(w[1], "trip") == 0) {
        long step;
        /* Step 0 is the startup: ld.so may refuse to start the process. */
        if (!parse_long(p, "trip step", w[2], 0, CASE_MAX_STEPS, &step))
            return false;
        int kind = load_kind_from_name(w[3]);
        if (kind < 0 || kind == KIND_LOADED || kind == KIND_NOT_RUN)
            return fail(p, "unknown failure kind \"%s\"", w[3]);
        c->expect = EXPECT_TRIP;
        c->expect_step = (int)step;
        c->expect_kind = (enum load_kind)kind;
        c->expect_message = n == 5 ? xstrdup(w[4]) : NULL;
        return true;
    }
    return fail(p, "expected: %s", k->usage);
}

static bool parse_title(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k;
    struct case_def *c = p->c;
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

static bool parse_env(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k, (void)n;
    if (!strchr(w[1], '=') || w[1][0] == '=')
        return fail(p, "env: expected NAME=VALUE");
    if (p->c->nenv >= CASE_MAX_ENV)
        return fail(p, "more than %d env lines", CASE_MAX_ENV);
    *XAPPEND(&p->c->env, &p->c->nenv) = xstrdup(w[1]);
    return true;
}

static bool parse_preload(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k, (void)n;
    struct case_def *c = p->c;
    const struct case_object *o = case_object_find(c, w[1]);
    if (!o)
        return fail(p, "no object named \"%s\"", w[1]);
    if (o->size.relative_to_free)
        return fail(p, "a preloaded fixture needs a literal size: free is measured with it");
    if (o->kind == OBJ_LIB && strpbrk(o->target, " :\t"))
        return fail(p, "preload %s: LD_PRELOAD splits \"%s\" at its space or ':'", w[1], o->target);
    if (c->npreload >= CASE_MAX_ENV)
        return fail(p, "more than %d preload lines", CASE_MAX_ENV);
    *XAPPEND(&c->preload, &c->npreload) = (size_t)(o - c->objects);
    return true;
}

static bool parse_step(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)n;
    long count = 0;
    if (k->op == OP_THREADS && !parse_long(p, k->name, w[1], k->min, k->max, &count))
        return false;
    return add_step(p, k->op, k->op == OP_THREADS ? NULL : w[1], count);
}

static bool parse_repeat(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)n;
    if (p->in_repeat)
        return fail(p, "repeat inside repeat (from line %d) is not supported", p->repeat_line);
    if (!parse_long(p, k->name, w[1], k->min, k->max, &p->repeat_count))
        return false;
    p->in_repeat = true;
    p->repeat_start = p->c->nsteps;
    p->repeat_line = p->line;
    return true;
}

static bool parse_end(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k, (void)w, (void)n;
    if (!p->in_repeat)
        return fail(p, "end without repeat");
    return close_repeat(p);
}

/* "8G", "512M", "4096": bytes. */
static bool parse_bytes(struct parser *p, const char *what, const char *s, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift)
        end++;
    if (errno || end == s || *end || *s == '-' || v > (max >> shift) || (v << shift) < min)
        return fail(p, "%s: \"%s\" is not a size from %lluM to %lluG", what, s, min >> 20,
                    max >> 30);
    *out = v << shift;
    return true;
}

/* limits memory=SIZE processes=N cpu=SECONDS: what each probe may use. */
static bool parse_limits(struct parser *p, const struct keyword *k, char **w, int n)
{
    struct probe_limits *l = &p->c->limits;
    for (int i = 1; i < n; i++) {
        const char *eq = strchr(w[i], '=');
        size_t klen = eq ? (size_t)(eq - w[i]) : 0;
        bool ok;
        if (klen == 6 && strncmp(w[i], "memory", 6) == 0)
            ok = parse_bytes(p, "memory", eq + 1, 64ULL << 20, CASE_MAX_MEMORY, &l->memory);
        else if (klen == 9 && strncmp(w[i], "processes", 9) == 0)
            ok = parse_long(p, "processes", eq + 1, 1, CASE_MAX_PROCESSES, &l->processes);
        else if (klen == 3 && strncmp(w[i], "cpu", 3) == 0)
            ok = parse_long(p, "cpu", eq + 1, 1, CASE_MAX_CPU, &l->cpu_s);
        else
            ok = fail(p, "expected: %s", k->usage);
        if (!ok)
            return false;
    }
    return true;
}

/* Keywords whose value is one string or one number of struct case_def. */
static bool parse_string(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)n;
    *(char **)((char *)p->c + k->field) = xstrdup(w[1]);
    return true;
}

static bool parse_number(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)n;
    return parse_long(p, k->name, w[1], k->min, k->max, (long *)((char *)p->c + k->field));
}

/* libc NAME, or NAME with a release constraint: glibc>=2.22. */
/* "2.22": a major and a minor number of at most four digits each. */
static bool release_number(const char *s)
{
    size_t major = strspn(s, "0123456789");
    if (!major || major > 4 || s[major] != '.')
        return false;
    size_t minor = strspn(s + major + 1, "0123456789");
    return minor && minor <= 4 && s[major + 1 + minor] == '\0';
}

static bool parse_libc(struct parser *p, const struct keyword *k, char **w, int n)
{
    (void)k, (void)n;
    size_t name = strcspn(w[1], "<=>");
    const char *op = w[1] + name;
    size_t oplen = strspn(op, "<=>");
    const char *version = op + oplen;
    static const char *const ops[] = {"<", "<=", "=", ">=", ">"};
    bool known = oplen == 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !known; i++)
        known = strlen(ops[i]) == oplen && strncmp(op, ops[i], oplen) == 0;
    if (!name || !known || (oplen && !release_number(version)) || (!oplen && *version))
        return fail(p, "libc: expected NAME or NAME<op>VERSION (glibc>=2.22), got \"%s\"", w[1]);
    /* A typo would skip the case everywhere, silently. */
    if (!(name == 5 && strncmp(w[1], "glibc", 5) == 0) && !(name == 4 && strncmp(w[1], "musl", 4) == 0))
        return fail(p, "libc: \"%.*s\" is not a libc statictls knows (glibc, musl)", (int)name,
                    w[1]);
    p->c->libc = xasprintf("%.*s", (int)name, w[1]);
    if (oplen) {
        memcpy(p->c->libc_op, op, oplen);
        p->c->libc_version = xstrdup(version);
    }
    return true;
}

bool case_libc_release_holds(const struct case_def *c, const char *version)
{
    if (!c->libc_version)
        return true;
    int cmp = strverscmp(version, c->libc_version);
    const char *op = c->libc_op;
    return strcmp(op, "<") == 0    ? cmp < 0
           : strcmp(op, "<=") == 0 ? cmp <= 0
           : strcmp(op, "=") == 0  ? cmp == 0
           : strcmp(op, ">=") == 0 ? cmp >= 0
                                   : cmp > 0;
}

#define FIELD(name) offsetof(struct case_def, name)
#define KEYWORD(word, least, most, only_once, text, parser)                                 \
    .name = word, .min_args = least, .max_args = most, .once = only_once, .usage = text,    \
    .parse = parser

/* The case language, one row a keyword (cases/README.md describes it). */
static const struct keyword keywords[] = {
    {KEYWORD("title", 1, MAX_WORDS, true, "title TEXT", parse_title)},
    {KEYWORD("arch", 1, 1, true, "arch MACHINE", parse_string), .field = FIELD(arch)},
    {KEYWORD("libc", 1, 1, true, "libc NAME[<op>VERSION]", parse_libc)},
    {KEYWORD("tunables", 1, 1, true, "tunables NAME=VALUE[:NAME=VALUE...]", parse_string),
     .field = FIELD(tunables)},
    {KEYWORD("env", 1, 1, false, "env NAME=VALUE", parse_env)},
    {KEYWORD("preload", 1, 1, false, "preload NAME", parse_preload)},
    {KEYWORD("audit", 1, 1, true, "audit N", parse_number), .field = FIELD(naudit), .min = 0,
     .max = 8},
    {KEYWORD("timeout", 1, 1, true, "timeout SECONDS", parse_number), .field = FIELD(timeout),
     .min = 1, .max = 3600},
    {KEYWORD("limits", 1, 3, true, "limits [memory=SIZE] [processes=N] [cpu=SECONDS]",
             parse_limits)},
    {KEYWORD("fixture", 2, 5, false,
             "fixture NAME ie|gd|tlsdesc SIZE [align=N] [unique] | fixture NAME crash|hang",
             parse_fixture)},
    {KEYWORD("lib", 2, 2, false, "lib NAME PATH-OR-SONAME", parse_lib)},
    {KEYWORD("load", 1, 1, false, "load|close|dlmopen NAME", parse_step), .op = OP_LOAD},
    {KEYWORD("dlmopen", 1, 1, false, "load|close|dlmopen NAME", parse_step), .op = OP_MOPEN},
    {KEYWORD("close", 1, 1, false, "load|close|dlmopen NAME", parse_step), .op = OP_CLOSE},
    {KEYWORD("threads", 1, 1, false, "threads N", parse_step), .op = OP_THREADS, .min = 1,
     .max = 1024},
    {KEYWORD("repeat", 1, 1, false, "repeat COUNT", parse_repeat), .min = 1, .max = CASE_MAX_STEPS},
    {KEYWORD("end", 0, 0, false, "end", parse_end)},
    {KEYWORD("expect", 1, 4, true,
             "expect loads | expect model | expect trip STEP KIND [\"message\"] | "
             "expect headroom >= BYTES", parse_expect)},
};

static bool parse_line(struct parser *p, char **w, int n)
{
    const struct keyword *k = NULL;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0] && !k; i++)
        if (strcmp(w[0], keywords[i].name) == 0)
            k = &keywords[i];
    if (!k)
        return fail(p, "unknown keyword \"%s\"", w[0]);
    if (k->once) {
        for (size_t i = 0; i < p->nseen; i++)
            if (p->seen[i] == k)
                return fail(p, "%s given twice", k->name);
        p->seen[p->nseen++] = k;
    }
    if (n - 1 < k->min_args || n - 1 > k->max_args)
        return fail(p, "expected: %s", k->usage);
    return k->parse(p, k, w, n);
}

/* A close closes the object's most recent load that is still open:
   resolved here, once, so a case that closes what it never opened is a
   parse error and the runner never searches again. */
static bool resolve_closes(struct parser *p)
{
    struct case_def *c = p->c;
    for (size_t i = 0; i < c->nsteps; i++) {
        struct case_step *s = &c->steps[i];
        if (s->op != OP_CLOSE)
            continue;
        long depth = 0;
        for (size_t j = i; j-- > 0 && s->closes == CASE_NONE;) {
            if (c->steps[j].object != s->object)
                continue;
            if (c->steps[j].op == OP_CLOSE)
                depth++;
            else if (depth-- == 0)
                s->closes = j;
        }
        if (s->closes == CASE_NONE) {
            p->line = s->line;
            return fail(p, "close %s: it is not loaded at this point", c->objects[s->object].name);
        }
    }
    return true;
}

/* Every thread a case starts is a task its probe's process limit counts. */
static bool threads_within_limits(struct parser *p)
{
    struct case_def *c = p->c;
    long allowed = c->limits.processes ? c->limits.processes : PROBE_DEFAULT_PROCESSES, total = 0;
    for (size_t i = 0; i < c->nsteps; i++) {
        total += c->steps[i].op == OP_THREADS ? c->steps[i].count : 0;
        if (total > allowed) {
            p->line = c->steps[i].line;
            return fail(p, "the case starts %ld threads by here; its probe may start %ld "
                        "(limits processes=N raises it)", total, allowed);
        }
    }
    return true;
}

/* ${NAME} in each word, after splitting: a value never splits into words,
   and comments are never expanded.  All the words of a case hold at most
   CASE_VARS_MAX_EXPANDED bytes.  On failure no word is left allocated. */
static bool expand_words(struct parser *p, char **words, int n)
{
    char why[512];
    for (int i = 0; i < n; i++) {
        char *w = case_vars_expand(p->vars, words[i], CASE_VARS_MAX_EXPANDED - p->expanded, why,
                                   sizeof why);
        if (!w) {
            for (int j = 0; j < i; j++)
                free(words[j]);
            return fail(p, "%s", why);
        }
        p->expanded += strlen(w);
        words[i] = w;
    }
    return true;
}

bool case_parse(const char *path, const char *text, struct case_def *out, char *err,
                size_t errlen)
{
    return case_parse_with(path, text, NULL, out, err, errlen);
}

bool case_parse_with(const char *path, const char *text, const struct case_vars *vars,
                     struct case_def *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->path = xstrdup(path);
    out->timeout = PROBE_TIMEOUT_S;
    struct parser p = {.path = path, .err = err, .errlen = errlen, .c = out, .vars = vars};
    bool ok = true;
    for (const char *s = text; ok && *s;) {
        p.line++;
        size_t len = strcspn(s, "\n");
        char *line = xmalloc(len + 1);
        memcpy(line, s, len);
        line[len] = '\0';
        s += len + (s[len] == '\n');
        if (len && line[len - 1] == '\r') /* a file from Windows */
            line[--len] = '\0';
        char *words[MAX_WORDS];
        int n = strlen(line) != len ? (fail(&p, "NUL byte in line"), -1) : split(&p, line, words);
        bool expanded = n >= 0 && expand_words(&p, words, n);
        ok = expanded && (n == 0 || parse_line(&p, words, n));
        for (int i = 0; expanded && i < n; i++)
            free(words[i]);
        free(line);
    }
    if (ok && p.in_repeat) {
        p.line = p.repeat_line;
        ok = fail(&p, "repeat without end");
    }
    if (ok && p.line == 0) {
        p.line = 1;
        ok = fail(&p, "empty case file (a case needs steps and an expect line)");
    }
    bool have_expect = false;
    for (size_t i = 0; i < p.nseen; i++)
        have_expect |= strcmp(p.seen[i]->name, "expect") == 0;
    if (ok && !have_expect)
        ok = fail(&p, "no expect line (expect loads | expect model | expect trip STEP KIND | "
                      "expect headroom >= BYTES)");
    /* Only a case about the startup itself (expect trip 0) may have none. */
    if (ok && out->nsteps == 0 && !(out->expect == EXPECT_TRIP && out->expect_step == 0))
        ok = fail(&p, "no steps (load, close, dlmopen, threads)");
    if (ok && out->expect == EXPECT_TRIP && (size_t)out->expect_step > out->nsteps)
        ok = fail(&p, "expect trip %d: the case has %zu steps", out->expect_step, out->nsteps);
    if (ok)
        ok = resolve_closes(&p);
    if (ok)
        ok = threads_within_limits(&p);
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
    for (size_t i = 0; i < c->nenv; i++)
        free(c->env[i]);
    free(c->objects);
    free(c->steps);
    free(c->repeats);
    free(c->env);
    free(c->preload);
    free(c->path);
    free(c->title);
    free(c->arch);
    free(c->libc);
    free(c->libc_version);
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

const struct case_object *case_step_object(const struct case_def *c, size_t i)
{
    size_t k = c->steps[i].object;
    return k == CASE_NONE ? NULL : &c->objects[k];
}
