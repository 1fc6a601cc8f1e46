/* The usage text of every command, from one table (main.c): `statictls
   --help`, `statictls CMD --help` and the man page print the same rows. */
#ifndef STATICTLS_USAGE_H
#define STATICTLS_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis; /* the arguments after the name */
    const char *summary;  /* one line */
    const char *details;  /* its options, one "  --opt  meaning" line each, or NULL */
    bool takes_libc;      /* --glibc, --musl, --libc-root, --allow-missing */
};

/* `statictls --help`: every command's synopsis and summary. */
void usage_print(FILE *out, const struct command *cmds, size_t n);
/* `statictls CMD --help`: its synopsis, summary, details, the libc options
   if it takes them, and the exit statuses. */
void usage_print_command(FILE *out, const struct command *c);
/* statictls.1, in roff: the same text. */
void usage_print_man(FILE *out, const struct command *cmds, size_t n);

#endif
