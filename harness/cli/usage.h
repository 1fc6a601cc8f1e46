/* The usage texts, every one generated from the rows of the commands table
   (commands.c): `statictls --help`, `statictls help CMD` (or `statictls CMD
   --help`), the line a usage error ends with, and the man page. */
#ifndef STATICTLS_USAGE_H
#define STATICTLS_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"

/* `statictls --help`: every command with its summary, the libc build
   options and the exit statuses. */
void usage_print(FILE *out, const struct command *cmds, size_t n);
/* `statictls help CMD`: its synopsis, summary, options, the libc build
   options if it takes them, and the exit statuses. */
void usage_print_command(FILE *out, const struct command *c);
/* statictls.1, in roff: the same rows. */
void usage_print_man(FILE *out, const struct command *cmds, size_t n);

/* --help or -h among a command's own arguments (argv[0]: the command;
   not after "--"). */
bool usage_asks_help(int argc, char **argv);

/* A usage error of c: "statictls CMD: MESSAGE", then "usage: statictls
   CMD ...  (statictls help CMD)", and exit 2. */
_Noreturn void usage_error(const struct command *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
