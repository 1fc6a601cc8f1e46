/* Every command's options as rows of data, and the one parser that reads
   them.  A row says an option's name, kind, range, default and help; the
   parser reads `--opt value` and `--opt=value`, checks ranges and words,
   and answers every usage error the same way (exit 2); usage.c prints
   --help, `statictls help CMD` and the man page from the same rows. */
#ifndef STATICTLS_OPTIONS_H
#define STATICTLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

enum option_kind {
    OPTION_FLAG,         /* --json: no value */
    OPTION_NUMBER,       /* --threads N: a whole number from min to max */
    OPTION_POWER_OF_TWO, /* --align A: a power of two from min to max */
    OPTION_WORD,         /* --model M: one of the words ("ie|gd|tlsdesc") */
    OPTION_STRING,       /* --results DIR: any text but empty; the last one counts */
    OPTION_REPEATED,     /* --define N=V: any text, every use kept in order */
    OPTION_LIST,         /* --after LIB...: every argument up to the next option */
};

struct option_row {
    const char *name;     /* "--align"; "-o" */
    enum option_kind kind;
    const char *value;    /* the value's name in usage, "A", "DIR"; NULL for a flag */
    long min, max;        /* OPTION_NUMBER, OPTION_POWER_OF_TWO */
    const char *words;    /* OPTION_WORD: "ie|gd|tlsdesc" */
    const char *fallback; /* the value when not given, shown as the default; or NULL */
    bool required;
    bool alternative;     /* one of the adjacent rows of which a run takes one:
                             usage shows them as [A | B] */
    const char *help;     /* one paragraph: usage.c wraps it */
};

/* What follows the options. */
enum operands {
    OPERANDS_NONE,
    OPERANDS_OPTIONAL, /* at most one: [COMMAND] */
    OPERANDS_ONE,      /* exactly one: TRACE */
    OPERANDS_SOME,     /* one or more: CASE... */
    OPERANDS_ANY,      /* none or more: [DIR...] */
    OPERANDS_COMMAND,  /* -- CMD ARGS...: a command line, after "--" */
};

/* Which libc builds a command runs on: the host's only, one chosen with
   the shared libc rows (--glibc, --musl, --libc-root, --libc-tree,
   --allow-missing), or every one they name. */
enum libc_builds { BUILDS_HOST, BUILDS_ONE, BUILDS_MANY };

struct args;

struct command {
    const char *name;
    int (*run)(const struct args *a);
    const char *summary;                     /* one line */
    const struct option_row *const *options; /* its own rows, NULL-terminated */
    enum libc_builds builds;                 /* BUILDS_ONE, _MANY: the libc rows too */
    enum operands operands;
    const char *operand;                     /* "CASE", "TRACE", "CMD ARGS" */
    const char *notes;                       /* a paragraph after the options, or NULL */
    bool prints_only;                        /* reads no settings (help) */
    const char *exits; /* what 0 and 1 mean for it, where not the list's words; or NULL */
};

/* The libc build rows, shared by every command that takes them;
   NULL-terminated. */
extern const struct option_row *const libc_option_rows[];

/* One option as given, in command-line order. */
struct option_use {
    const struct option_row *row;
    const char *value; /* NULL for a flag */
    long number;       /* OPTION_NUMBER, OPTION_POWER_OF_TWO */
};

struct args {
    const struct command *command;
    struct settings settings; /* the environment's, read once by main */
    struct option_use *uses;
    size_t nuses;
    char **operands; /* OPERANDS_COMMAND: the command line, NULL-terminated */
    size_t noperands;
};

/* Reads argv (argv[0]: the command's name) by the command's rows.  A usage
   error prints "statictls CMD: what is wrong" and a usage line, and exits
   2; --help is the caller's (usage_asks_help). */
void args_parse(const struct command *c, int argc, char **argv, struct args *out);
void args_free(struct args *a);

/* The rows' values.  Asking for a name the command has no row for is the
   harness's own bug (exit 3). */
bool arg_given(const struct args *a, const char *name);
/* The last use's number, else the row's default (a row without a default
   that was not given is the caller's bug: check arg_given). */
long arg_number(const struct args *a, const char *name);
/* The last use's value, else the row's default, which may be NULL. */
const char *arg_string(const struct args *a, const char *name);
/* The uses of name after `after` (NULL: from the first), in order; NULL at
   the end. */
const struct option_use *arg_next(const struct args *a, const char *name,
                                  const struct option_use *after);

/* "ie, gd or tlsdesc" from "ie|gd|tlsdesc". */
char *option_words_text(const char *words);

/* The row of c called name (its own or a libc row), or NULL. */
const struct option_row *command_option(const struct command *c, const char *name);

#endif
