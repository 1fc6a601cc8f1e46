/* Which libc the probes run on, as a value the caller holds and passes
   down.  The host's libc uses the probe and fixtures built with the
   project; a glibc release fetched by scripts/fetch-glibc.sh uses its own
   build in build/glibc-VERSION/, whose probe has that release's ld.so as
   interpreter and its libraries on the runpath; musl uses build/musl/.
   A --libc-root DIR runs such a build through DIR's ld.so instead (a
   patched glibc of the same release, say).  A --libc-tree DIR is any other
   glibc tree: CMake built the probe and fixtures against it into
   build/tree-glibc-VERSION/ (cmake/libc-trees.cmake), whose `tree` file
   names DIR. */
#ifndef STATICTLS_LIBCBUILD_H
#define STATICTLS_LIBCBUILD_H

#include <stdbool.h>
#include <stddef.h>

#define LIBC_LIB_DIRS 6

struct libc_build {
    char *name;         /* "host", "glibc-2.31", "musl" */
    char *dir;          /* holds statictls-probe and fixtures/ */
    char *probe;        /* dir/statictls-probe */
    char *root;         /* "" for the host, else the sysroot */
    char *loader;       /* run the probe through this ld.so (or qemu), or NULL */
    char *ldso;         /* with qemu as the loader: the ld.so it runs the probe with */
    char *library_path; /* with the loader: its ld.so's --library-path */
    char *machine;      /* what the probe runs as: "x86_64", "aarch64" */
    char *distro;       /* sysroots: "debian11", from scripts/glibc-suites.txt */
    char *package;      /* sysroots: the libc6 package version */
    char *tree;         /* --libc-tree builds: the tree as configured, else NULL */
    char *layout;       /* ... and where its parts were found */
    /* A sysroot's own lib directories, "ROOT/lib/T:ROOT/usr/lib/T", or NULL
       for the host.  Probes get them in LD_LIBRARY_PATH: a dlmopen namespace
       loads its own libc by search, and must find the sysroot's, not the
       host's through /etc/ld.so.cache. */
    char *search_path;
    /* Directories ld.so searches by default, inside root, NULL-terminated. */
    char *lib_dirs[LIBC_LIB_DIRS + 1];
};

/* What the user asked for on the command line. */
struct libc_choice {
    enum { LIBC_CHOICE_HOST, LIBC_CHOICE_RELEASE, LIBC_CHOICE_ROOT, LIBC_CHOICE_TREE } how;
    const char *value; /* RELEASE: "2.31", "2.36-aarch64", "musl"; ROOT, TREE: the directory */
    /* --allow-missing: a build or library that is not here is a skip (77),
       not an error (2). */
    bool allow_missing;
};

enum libc_open {
    LIBC_OPEN_OK,
    LIBC_OPEN_ABSENT,    /* not here for a reason outside the user's control: the
                            toolchain cannot build it, its fetch failed, a cross
                            compiler is missing; why says what brings it */
    LIBC_OPEN_NOT_BUILT, /* a known release this build was configured without */
    LIBC_OPEN_BAD_INPUT, /* an unknown --glibc value; --libc-root names no glibc;
                            --libc-tree names a directory no build was made for */
};

/* Opens the build the choice names; otherwise the reason goes to why. */
enum libc_open libc_build_open(const struct libc_choice *c, struct libc_build *out, char *why,
                               size_t len);

/* The build for VERSION ("2.31", "2.36-aarch64", "musl"; NULL: the
   host's): false with the reason in why when it is not here or unknown. */
bool libc_build_find(const char *version, struct libc_build *out, char *why, size_t len);
void libc_build_free(struct libc_build *b);

/* Every build here, in the order results list them: the host's (with
   host), each glibc release oldest first (a Debian sysroot before a
   --libc-tree build of the same release), musl (with musl). */
struct libc_build_list {
    struct libc_build *items;
    size_t n;
};
void libc_build_list_here(bool host, bool musl, struct libc_build_list *out);
void libc_build_list_free(struct libc_build_list *l);

/* "glibc-2.31-debian11-x86_64": where results/ keeps this build's results.
   The distro is the sysroot's (scripts/glibc-suites.txt) or the host's. */
char *libc_build_platform(const struct libc_build *b, const char *libc, const char *version,
                          const char *machine);
/* "Debian libc6 2.31-13+deb11u11 (sysroot)", "glibc tree DIR (LAYOUT)" or
   "host libc"; the caller frees it. */
char *libc_build_describe(const struct libc_build *b);

#endif
