/* What the commands share: options, the libc build a command runs on, and
   the setup of a fresh measurement.  Commands decide exit codes here, never
   the libraries below them. */
#ifndef STATICTLS_CLI_H
#define STATICTLS_CLI_H

#include <stdbool.h>

#include "fixture.h"
#include "libcbuild.h"
#include "runenv.h"

/* A number option's value, or exit 2. */
long option_number(const char *option, const char *value, long min, long max);

/* Consumes "--glibc VERSION", "--musl", "--libc-root DIR", "--libc-tree
   DIR" or "--allow-missing" at argv[*i] into c, advancing *i past its value; false
   when argv[*i] is none of them.  A second choice, or one without its
   value, exits 2. */
bool libc_option(int argc, char **argv, int *i, struct libc_choice *c);

/* Opens the chosen build; on failure says why and exits: 77 for a build
   absent for a reason outside the user's control, 2 for an unknown value,
   a --libc-root without a glibc, a --libc-tree no probe was built for, or
   a release this build was configured without (77 with --allow-missing). */
void libc_open_or_exit(const struct libc_choice *c, struct libc_build *out);

/* A fresh measurement: a libc build, the environment of its probes and a
   kit of fixtures made for it. */
struct session {
    struct libc_build build;
    struct run_env env;
    struct fixture_kit kit;
};

/* Opens the chosen build (exiting as libc_open_or_exit does), an
   environment that passes the user's loader variables through (from_user)
   or a clean one, and a kit. */
void session_open(struct session *s, const struct libc_choice *c, bool from_user);
void session_close(struct session *s);

#endif
