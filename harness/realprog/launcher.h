/* A command as the user gave it to doctor, read the way a shell and `env`
   would run it: a leading `env [-u NAME] [NAME=VALUE]... PROGRAM ARGS`
   word list is parsed, so that doctor knows which program starts and with
   which environment (its LD_AUDIT, LD_PRELOAD, GLIBC_TUNABLES), and can
   write a fix into that same command line.  A launcher that drops
   statictls' helper (`env -i`, `env -u LD_PRELOAD`) is said before
   anything runs; a program that does not exist or cannot be executed is
   named. */
#ifndef STATICTLS_LAUNCHER_H
#define STATICTLS_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>

struct launch {
    char **argv;     /* the command as given (not owned) */
    bool env_form;   /* argv[0] is env and its word list was read */
    size_t assign_at; /* env's NAME=VALUE words: argv[assign_at, prog_at) */
    size_t prog_at;  /* the program and its arguments: argv[prog_at...] */
    char *const *user_env; /* the environment the command is run from (not owned) */
    char **envp;     /* the program's environment: the user's, with env's changes */
    size_t nenvp;
    char *program;   /* the program's file, as execvp finds it */
    /* env with an option doctor does not read (-C, -S, ...): the command
       runs as given, and the program is not known. */
    char *opaque_option;
};

/* Reads argv run from an environment user_env.  False with why (the
   message, to follow "COMMAND: ") where it cannot be run as doctor needs: a
   launcher that drops the helper, a program that is not there or is not
   executable (input errors: exit 2). */
bool launch_read(char **argv, char *const *user_env, struct launch *out, char *why,
                 size_t whylen);
void launch_free(struct launch *l);

/* The program's environment variable name, or NULL. */
const char *launch_getenv(const struct launch *l, const char *name);

/* The command changed: without the variable drop (NULL: keep all), with
   set_name=set_value (NULL: none).  In an env word list the variable is
   changed there; otherwise set is a variable put before the command and
   drop an `env -u NAME` in front of it. */
struct launch_change {
    const char *drop;
    const char *set_name, *set_value;
};

/* The changed command: its words (NULL-terminated; the array is the
   caller's to free, the words point into l or c) and the NAME=VALUE to set
   in its environment (NULL: none; the caller frees it). */
struct launch_command {
    char **argv;
    char *assign;
    char *word; /* the NAME=VALUE word put into env's list, or NULL */
};
void launch_change(const struct launch *l, const struct launch_change *c,
                   struct launch_command *out);
/* The changed command as a line to paste (shellquote.h): the caller frees it. */
char *launch_change_line(const struct launch_command *cmd);
void launch_command_free(struct launch_command *cmd);

#endif
