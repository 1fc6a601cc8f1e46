/* The statictls commands: the table of them (commands.c) and each one's
   body.  A body has one shape: its arguments, already parsed by the table's
   rows, then open what it works on, call the layers below, render, and
   return the process exit code. */
#ifndef STATICTLS_COMMANDS_H
#define STATICTLS_COMMANDS_H

#include <stddef.h>

#include "options.h"

/* Every command, in the order --help lists them; *n of them. */
const struct command *commands_table(size_t *n);
/* The command called name, or NULL. */
const struct command *command_find(const char *name);

int cmd_budget(const struct args *a);
int cmd_load(const struct args *a);
int cmd_limit(const struct args *a);
int cmd_run(const struct args *a);
int cmd_report(const struct args *a);
int cmd_sweep(const struct args *a);
int cmd_bench(const struct args *a);
int cmd_census(const struct args *a);
int cmd_trace(const struct args *a);
int cmd_replay(const struct args *a);
int cmd_headroom(const struct args *a);
int cmd_doctor(const struct args *a);
int cmd_fuzz(const struct args *a);

#endif
