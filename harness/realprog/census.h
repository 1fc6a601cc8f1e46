/* What a census reads: every ELF object under files, directories, wheels
   and environments (site-packages, a conda prefix), each file once, and
   the objects their DT_NEEDED entries pull in, resolved as ld.so would. */
#ifndef STATICTLS_CENSUS_H
#define STATICTLS_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfinfo.h"
#include "settings.h"
#include "strmap.h"

struct census_object {
    char *path;  /* the file read (a wheel's member: its copy) */
    char *shown; /* what the user knows it as: the path, or "WHEEL!/MEMBER" */
    struct elf_tls tls;
    long needed_by; /* -1: found under the paths; else the object whose DT_NEEDED named it */
    char *needed_as; /* the DT_NEEDED name that brought it in, or NULL */
    /* Found by the closure in the libc's default directories: the system's
       own library (libc.so.6, libstdc++), which a platform brings its own
       copy of; its symbol-version needs are the platform's, not judged. */
    bool system;
    /* -1, or the object this one is loaded as: found by a DT_NEEDED name
       that an object before it answers to (its own DT_NEEDED name or
       soname), ld.so maps it once and the name finds that object. */
    long same_as;
};

/* The limits a census reads within (census's --max-member-read and
   --max-search-path give others). */
#define CENSUS_MEMBER_READ_MAX 4294967296 /* bytes of a wheel's member read */
#define CENSUS_SEARCH_PATH_MAX 65536      /* bytes of a DT_RPATH or DT_RUNPATH searched */

struct census {
    struct census_object *objects; /* every ELF object read, found order */
    size_t nobjects;
    char **unreadable; /* "path: why" */
    size_t nunreadable;
    char **missing; /* "NAME (needed by SHOWN)": a DT_NEEDED found nowhere */
    size_t nmissing;
    /* "SHOWN: why": an object read that no loader would take as it is (a
       PT_TLS none could place), or that was read only in part (a search
       path longer than search_path_max), or a wheel's member pip installs
       whose bytes the census does not read (wheel.h) */
    char **problems;
    size_t nproblems;
    size_t unjudged; /* of problems, those members: the census is then not judged */
    unsigned long files, elf_files; /* under the paths */
    unsigned long wheels;
    struct strmap seen;  /* "dev:ino" of every regular file read */
    struct strmap names; /* what a DT_NEEDED matches: the sonames and file names of
                            the objects under the paths */
    char *scratch;       /* wheels' ELF members, made with the first wheel */
    const struct settings *settings; /* where scratch goes, and whether it stays */
    uint64_t member_read_max;        /* CENSUS_MEMBER_READ_MAX unless set after census_init */
    size_t search_path_max;          /* CENSUS_SEARCH_PATH_MAX unless set after census_init */
};

void census_init(struct census *c, const struct settings *s);
void census_free(struct census *c);

/* Adds what path holds: an ELF file, a wheel, or a directory (walked
   without following its symlinks).  False with why when path itself is
   not there (the user's mistake); anything unreadable under it is listed
   in c->unreadable and the census goes on. */
bool census_add(struct census *c, const char *path, char *why, size_t len);

/* Follows the DT_NEEDED entries of every object: a name already loaded
   (by soname or file name) is that object; else DT_RPATH of the object and
   of those that needed it (when it has no DT_RUNPATH), DT_RUNPATH, then
   lib_dirs (NULL-terminated: the libc build's default directories), with
   $ORIGIN expanded; the objects found join the census.  Of a DT_RPATH or
   DT_RUNPATH, the entries within its first search_path_max bytes are
   searched (a problem names an object whose list is longer). */
void census_close_over(struct census *c, char *const *lib_dirs);

/* Whether object i is one a process maps: not found by a name another
   object it would load first answers to (same_as). */
static inline bool census_object_mapped(const struct census_object *o)
{
    return o->same_as < 0;
}

#endif
