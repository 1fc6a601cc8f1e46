/* Paths: where the program's parts are, scratch directories, and paths
   as ld.so's lists must carry them. */
#ifndef STATICTLS_XPATH_H
#define STATICTLS_XPATH_H

#include <stdbool.h>

/* Directory of the program's parts: the probe, the fixture templates, the
   injected helpers and one directory per libc build.  Beside the program in
   the build tree, at ../lib/statictls from an installed bin/. */
const char *self_dir(void);
/* Directory holding cases/ (the build tree, or an install's share/statictls). */
const char *data_dir(void);

/* Whether this program runs from an install (its parts at
   STATICTLS_PARTS_FROM_BIN from bin/), not from its build tree: an
   install's messages name what the install has, never the source tree's
   scripts/ or docs/. */
bool running_installed(void);
/* The script NAME (fetch-glibc.sh or build-glibc.sh) as a message names
   it: scripts/NAME of the source tree for a build tree, the install's own
   copy (in data_dir()) for an install. */
const char *statictls_script(const char *name);
const char *fetch_glibc_script(void); /* statictls_script("fetch-glibc.sh") */
/* text (a build's marker, written at configure time in the source tree's
   terms) with each scripts/NAME of those scripts named as
   statictls_script() does.  The caller frees it. */
char *installed_paths(const char *text);

/* Removes a directory tree created by the harness (and forgets it, see
   interrupt.h); errors are ignored. */
void remove_tree(const char *path);

/* A new private directory TMPDIR/NAME.XXXXXX (settings.h's tmpdir, which
   ld.so's lists can carry), removed by an interrupt or exit until
   remove_tree removes it. */
char *make_scratch_dir(const char *tmpdir, const char *name);

/* path as one entry of ld.so's LD_PRELOAD or LD_AUDIT list, which split at
   ':' (LD_PRELOAD at spaces too) with no quoting: path itself, or where it
   holds either, a symlink to it named name in dir (a scratch directory,
   whose path has neither).  The caller frees it. */
char *loader_list_entry(const char *path, const char *dir, const char *name);

/* Removes every "dir/" from s in place: generated fixtures live in a
   random scratch directory, which would make every result differ. */
void strip_dir_prefix(char *s, const char *dir);

#endif
