#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "usage.h"
#include "xalloc.h"

const struct option_row *command_option(const struct command *c, const char *name)
{
    for (size_t i = 0; c->options && c->options[i]; i++)
        if (strcmp(c->options[i]->name, name) == 0)
            return c->options[i];
    for (size_t i = 0; c->builds != BUILDS_HOST && libc_option_rows[i]; i++)
        if (strcmp(libc_option_rows[i]->name, name) == 0)
            return libc_option_rows[i];
    return NULL;
}

/* "-x", "--foo", "--foo=bar"; not "-" (a name like any other), "--", or
   "-1" (a value: no option starts with a digit). */
static bool is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] && !(arg[1] >= '0' && arg[1] <= '9') && strcmp(arg, "--") != 0;
}

char *option_words_text(const char *words)
{
    char *text = xstrdup(words);
    char *last = strrchr(text, '|');
    char *out = xstrdup("");
    for (char *save = NULL, *w = strtok_r(text, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
        char *more = xasprintf("%s%s%s", out, !*out ? "" : w == last + 1 ? " or " : ", ", w);
        free(out);
        out = more;
    }
    free(text);
    return out;
}

static bool is_word(const char *words, const char *value)
{
    size_t len = strlen(value);
    for (const char *w = words; *w;) {
        size_t n = strcspn(w, "|");
        if (n == len && strncmp(w, value, n) == 0)
            return true;
        w += n + (w[n] == '|');
    }
    return false;
}

/* Checks a value against its row: the ranges and words are checked here
   and nowhere else. */
static long check_value(const struct command *c, const struct option_row *r, const char *value)
{
    if (r->kind == OPTION_WORD && !is_word(r->words, value)) {
        char *expected = option_words_text(r->words);
        usage_error(c, "%s: expected %s, got \"%s\"", r->name, expected, value);
    }
    if (r->kind != OPTION_NUMBER && r->kind != OPTION_POWER_OF_TWO)
        return 0;
    /* Decimal digits only: strtol's base 0 would read 010 as 8 and 0x10 as
       16, and it skips blanks; a threshold must mean what it says. */
    bool digits = value[value[0] == '-'] != '\0';
    for (const char *p = value + (value[0] == '-'); *p; p++)
        digits &= *p >= '0' && *p <= '9';
    char *end;
    errno = 0;
    long v = digits ? strtol(value, &end, 10) : 0;
    bool two = r->kind == OPTION_POWER_OF_TWO;
    if (!digits || errno == ERANGE || v < r->min || v > r->max || (two && (v & (v - 1))))
        usage_error(c, "%s: expected %s from %ld to %ld, got \"%s\"", r->name,
                    two ? "a power of two" : "a number", r->min, r->max, value);
    return v;
}

/* Whether r is one of the shared libc rows, which cli.c judges (one build,
   or many for a command that takes many). */
static bool is_libc_row(const struct option_row *r)
{
    for (size_t i = 0; libc_option_rows[i]; i++)
        if (libc_option_rows[i] == r)
            return true;
    return false;
}

static void add_use(struct args *a, const struct option_row *r, const char *value)
{
    bool many = r->kind == OPTION_REPEATED || r->kind == OPTION_LIST || is_libc_row(r);
    for (size_t i = 0; !many && i < a->nuses; i++)
        if (a->uses[i].row == r)
            usage_error(a->command, "%s given twice", r->name);
    *XAPPEND(&a->uses, &a->nuses) =
        (struct option_use){r, value, value ? check_value(a->command, r, value) : 0};
}

/* The option at argv[*i] and its values; *i ends at the last argument read. */
static void read_option(struct args *a, int argc, char **argv, int *i)
{
    const struct command *c = a->command;
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    char *name = eq ? xasprintf("%.*s", (int)(eq - arg), arg) : xstrdup(arg);
    const struct option_row *r = command_option(c, name);
    if (!r)
        usage_error(c, "unknown option %s", name);
    free(name);
    if (r->kind == OPTION_FLAG) {
        if (eq)
            usage_error(c, "%s takes no value", r->name);
        add_use(a, r, NULL);
        return;
    }
    /* An option where the value should be ("--after --json") is no value. */
    const char *value = eq                                    ? eq + 1
                        : *i + 1 < argc && !is_option(argv[*i + 1]) ? argv[++*i]
                                                                  : NULL;
    if (!value || !*value)
        usage_error(c, "%s needs a value (%s)", r->name, r->value);
    add_use(a, r, value);
    if (r->kind == OPTION_LIST) /* the next arguments up to an option are values too */
        while (*i + 1 < argc && !is_option(argv[*i + 1]) && strcmp(argv[*i + 1], "--") != 0)
            add_use(a, r, argv[++*i]);
}

static void add_operand(struct args *a, char *arg)
{
    enum operands o = a->command->operands;
    if (o == OPERANDS_NONE || o == OPERANDS_COMMAND ||
        ((o == OPERANDS_ONE || o == OPERANDS_OPTIONAL) && a->noperands))
        usage_error(a->command, "unexpected argument \"%s\"", arg);
    *XAPPEND(&a->operands, &a->noperands) = arg;
}

/* What must be there: the required rows and the operands. */
static void check_complete(const struct args *a, bool after_dashes)
{
    const struct command *c = a->command;
    for (size_t i = 0; c->options && c->options[i]; i++)
        if (c->options[i]->required && !arg_given(a, c->options[i]->name))
            usage_error(c, "missing %s %s", c->options[i]->name, c->options[i]->value);
    if (c->operands == OPERANDS_COMMAND && (!after_dashes || !a->noperands))
        usage_error(c, "missing -- %s...", c->operand);
    if (c->operands == OPERANDS_ONE && !a->noperands)
        usage_error(c, "missing %s", c->operand);
    if (c->operands == OPERANDS_SOME && !a->noperands)
        usage_error(c, "missing %s...", c->operand);
}

void args_parse(const struct command *c, int argc, char **argv, struct args *out)
{
    *out = (struct args){.command = c};
    bool after_dashes = false;
    for (int i = 1; i < argc; i++) {
        if (after_dashes && c->operands == OPERANDS_COMMAND)
            *XAPPEND(&out->operands, &out->noperands) = argv[i]; /* the command's own */
        else if (after_dashes)
            add_operand(out, argv[i]); /* never an option, even with a '-' */
        else if (strcmp(argv[i], "--") == 0)
            after_dashes = true;
        else if (is_option(argv[i]))
            read_option(out, argc, argv, &i);
        else
            add_operand(out, argv[i]);
    }
    check_complete(out, after_dashes);
    *XAPPEND(&out->operands, &out->noperands) = NULL; /* an argv for OPERANDS_COMMAND */
    out->noperands--;
}

void args_free(struct args *a)
{
    free(a->uses);
    free(a->operands);
    *a = (struct args){0};
}

static const struct option_row *row_or_die(const struct args *a, const char *name)
{
    const struct option_row *r = command_option(a->command, name);
    if (!r)
        die("%s has no option %s", a->command->name, name);
    return r;
}

const struct option_use *arg_next(const struct args *a, const char *name,
                                  const struct option_use *after)
{
    const struct option_row *r = row_or_die(a, name);
    for (size_t i = after ? (size_t)(after - a->uses) + 1 : 0; i < a->nuses; i++)
        if (a->uses[i].row == r)
            return &a->uses[i];
    return NULL;
}

/* The last use of name, or NULL. */
static const struct option_use *last_use(const struct args *a, const char *name)
{
    const struct option_use *last = NULL;
    for (const struct option_use *u = NULL; (u = arg_next(a, name, u));)
        last = u;
    return last;
}

bool arg_given(const struct args *a, const char *name)
{
    return arg_next(a, name, NULL) != NULL;
}

long arg_number(const struct args *a, const char *name)
{
    const struct option_use *u = last_use(a, name);
    if (u)
        return u->number;
    const struct option_row *r = row_or_die(a, name);
    if (!r->fallback)
        die("%s %s: not given and no default", a->command->name, name);
    return strtol(r->fallback, NULL, 10);
}

const char *arg_string(const struct args *a, const char *name)
{
    const struct option_use *u = last_use(a, name);
    return u ? u->value : row_or_die(a, name)->fallback;
}
