/* What the commands share: the libc build a command runs on, and
   the setup of a fresh measurement.  Commands decide exit codes here, never
   the libraries below them. */
#ifndef STATICTLS_CLI_H
#define STATICTLS_CLI_H

#include <stdbool.h>

#include "caseset.h"
#include "casevars.h"
#include "fixture.h"
#include "libcbuild.h"
#include "options.h"
#include "replay.h"
#include "runenv.h"

/* The build the libc rows chose: the host's without them.  More than one of
   --glibc, --musl, --libc-root and --libc-tree is a usage error (2). */
struct libc_choice libc_choice_of(const struct args *a);
/* Every build the libc rows named, in command-line order (a command that
   takes many builds); *n of them, none for the default. */
struct libc_choice *libc_choices_of(const struct args *a, size_t *n);

/* Opens the chosen build; on failure says why and exits: 77 for a build
   absent for a reason outside the user's control, 2 for an unknown value,
   a --libc-root without a glibc, a --libc-tree no probe was built for, or
   a release this build was configured without (77 with --allow-missing).
   Under strict mode 5 in place of 77 (skip_exit_code). */
void libc_open_or_exit(const struct args *a, const struct libc_choice *c,
                       struct libc_build *out);

/* Whether what cannot run here fails the run: --strict, or
   STATICTLS_STRICT in the environment. */
bool strict_mode(const struct args *a);
/* The exit of a run that checked nothing here: 77, which a test runner
   takes for a skip, after "statictls: WHY" (and "(skipped:
   --allow-missing)" where allowed says that option made it a skip); under
   strict mode 5 (not judged), after a line saying what coverage was lost:
   the command and its operands, the build they were to run on, and why.
   build: "glibc 2.31", "host libc". */
int skip_exit_code(const struct args *a, const char *build, const char *why, bool allowed);
/* The exit of case files run on build: case_set_exit_code's, except that
   under strict mode a run with a skipped case, each said with its reason,
   is not judged (5) where it would pass or skip.  skip_passes: a run whose
   every case skipped passes (report, which writes its results anyway). */
int case_set_exit(const struct args *a, const struct case_set *s, const struct libc_build *b,
                  bool skip_passes);
/* The build a choice names, for messages: "glibc 2.31", "musl", "the
   --libc-tree DIR", "host libc"; the caller frees it. */
char *libc_choice_text(const struct libc_choice *c);

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
void session_open(struct session *s, const struct args *a, const struct libc_choice *c,
                  bool from_user);
void session_close(struct session *s);

/* An output the user named with option (a file, or with as_dir a directory
   made if missing) that cannot be written is a usage error (exit 2), found
   before any work is done. */
void output_path_check(const struct args *a, const char *option, bool as_dir);

/* ${NAME} values for case files: the --define rows, then the user's
   environment; a malformed --define is a usage error (exit 2). */
void case_vars_of(const struct args *a, struct case_vars *out);

/* A replay that could not be made ends the command: its message, then
   exit 2 for the user's input, 3 for the harness's own failure. */
_Noreturn void die_replay(const struct replay_error *e);

#endif
