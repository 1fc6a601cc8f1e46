/* Which libc the probes run on.  The host's libc uses the probe and
   fixtures built with the project; a glibc release fetched by
   scripts/fetch-glibc.sh uses its own build in build/glibc-VERSION/, whose
   probe has that release's ld.so as interpreter and its libraries on the
   runpath.  --libc-root DIR runs such a build through DIR's ld.so instead
   (a patched glibc of the same release, say).  One choice per run. */
#ifndef STATICTLS_LIBCBUILD_H
#define STATICTLS_LIBCBUILD_H

#include <stdbool.h>
#include <stddef.h>

struct libc_build {
    char *name;         /* "host", "glibc-2.31" */
    char *dir;          /* holds statictls-probe and fixtures/ */
    char *root;         /* "" for the host, else the sysroot */
    char *loader;       /* run the probe through this ld.so, or NULL */
    char *library_path; /* with the loader: its --library-path */
    char *machine;      /* what the probe runs as: "x86_64", "aarch64" */
    char *distro;       /* sysroots: "debian11", from scripts/glibc-suites.txt */
    char *package;      /* sysroots: the libc6 package version */
};

/* The selected build; the host's unless an option chose another. */
const struct libc_build *libc_build(void);

/* Consumes "--glibc VERSION", "--musl" or "--libc-root DIR" at argv[*i], advancing
   *i past its value; false when argv[*i] is neither.  A release that is not
   built here exits 77 with how to fetch it; a DIR without a glibc exits 2. */
bool libc_build_option(int argc, char **argv, int *i);

/* The glibc releases built here (build/glibc-VERSION/ offered by CMake),
   oldest first; the caller frees the strings and the array. */
char **libc_build_versions(size_t *n);

/* Makes b (from libc_build_find) the selected build, taking it over. */
void libc_build_use(struct libc_build *b);

/* "glibc-2.31-debian11-x86_64": where results/ keeps this build's results.
   The distro is the sysroot's (scripts/glibc-suites.txt) or the host's. */
char *libc_build_platform(const char *libc, const char *version, const char *machine);
/* "Debian libc6 2.31-13+deb11u11 (sysroot)" or "host libc". */
const char *libc_build_describe(void);

/* A sysroot's own lib directories, "ROOT/lib/T:ROOT/usr/lib/T", or NULL
   for the host.  Probes get them in LD_LIBRARY_PATH: a dlmopen namespace
   loads its own libc by search, and must find the sysroot's, not the
   host's through /etc/ld.so.cache. */
const char *libc_build_search_path(void);

/* Directories ld.so searches by default, inside the selected root. */
const char *const *libc_lib_dirs(const char *machine);

/* The build for VERSION ("2.31", "2.36-aarch64", "musl"; NULL: the
   host's): false with the reason in why when it is absent. */
bool libc_build_find(const char *version, struct libc_build *out, char *why, size_t len);
void libc_build_free(struct libc_build *b);

#endif
