#define _GNU_SOURCE
#include "census.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interrupt.h"
#include "ldsearch.h"
#include "wheel.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

enum { NOT_ELF = -1 }; /* the seen map's value for a file that is no ELF object */

void census_init(struct census *c, const struct settings *s)
{
    memset(c, 0, sizeof *c);
    c->settings = s;
    c->member_read_max = CENSUS_MEMBER_READ_MAX;
    c->search_path_max = CENSUS_SEARCH_PATH_MAX;
}

void census_free(struct census *c)
{
    for (size_t i = 0; i < c->nobjects; i++) {
        free(c->objects[i].path);
        free(c->objects[i].shown);
        free(c->objects[i].needed_as);
        elf_tls_free(&c->objects[i].tls);
    }
    free(c->objects);
    for (size_t i = 0; i < c->nunreadable; i++)
        free(c->unreadable[i]);
    free(c->unreadable);
    for (size_t i = 0; i < c->nmissing; i++)
        free(c->missing[i]);
    free(c->missing);
    for (size_t i = 0; i < c->nproblems; i++)
        free(c->problems[i]);
    free(c->problems);
    strmap_free(&c->seen);
    strmap_free(&c->names);
    if (c->scratch && !c->settings->keep)
        remove_tree(c->scratch);
    free(c->scratch);
    memset(c, 0, sizeof *c);
}

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void add_directory(struct census *c, const char *dir, const char *shown_dir);
static void add_wheel(struct census *c, int fd, const char *path);

/* A search path ld.so would read whole, cut to the entries within the
   census's limit (a megabyte list would cost a megabyte of directories
   for each name looked up): the problem names what was left out. */
static void limit_search_path(struct census *c, char **list, const char *tag, const char *shown)
{
    size_t len = *list ? strlen(*list) : 0;
    if (len <= c->search_path_max)
        return;
    char *cut = *list + c->search_path_max;
    while (cut > *list && *cut != ':')
        cut--;
    *cut = '\0'; /* the entries before the last ':' within the limit */
    *XAPPEND(&c->problems, &c->nproblems) =
        xasprintf("%s: %s of %zu bytes: only its first %zu bytes were searched (census "
                  "--max-search-path raises the limit)", shown, tag, len, c->search_path_max);
}

/* Reads one file, opened once: without blocking (a FIFO or a device), a
   regular file only, each (dev, ino) once.  Returns the object's index,
   or -1 when it is none.  needed_as: the DT_NEEDED name it is found by,
   or NULL for a file under the paths. */
static long examine(struct census *c, const char *path, const char *shown, long needed_by,
                    const char *needed_as)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *XAPPEND(&c->unreadable, &c->nunreadable) = xasprintf("%s: %s", shown, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *XAPPEND(&c->unreadable, &c->nunreadable) =
            xasprintf("%s: not a regular file", shown);
        close(fd);
        return -1;
    }
    char key[64];
    snprintf(key, sizeof key, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    size_t index;
    if (strmap_get(&c->seen, key, &index)) {
        close(fd);
        return (long)index == NOT_ELF ? -1 : (long)index;
    }
    c->files += needed_by < 0;
    unsigned char magic[4];
    ssize_t n = pread(fd, magic, sizeof magic, 0);
    if (n < 0) {
        *XAPPEND(&c->unreadable, &c->nunreadable) = xasprintf("%s: %s", shown, strerror(errno));
        close(fd);
        return -1;
    }
    if (n < 4 || memcmp(magic, "\177ELF", 4) != 0) {
        strmap_put(&c->seen, key, (size_t)NOT_ELF);
        if (wheel_named(path) && needed_by < 0)
            add_wheel(c, fd, shown);
        close(fd);
        return -1;
    }
    c->elf_files += needed_by < 0;
    struct elf_tls t;
    char err[512];
    bool ok = elf_tls_read_fd(fd, shown, &t, err, sizeof err);
    close(fd);
    if (!ok) {
        strmap_put(&c->seen, key, (size_t)NOT_ELF);
        *XAPPEND(&c->unreadable, &c->nunreadable) = xstrdup(err);
        return -1;
    }
    long i = (long)c->nobjects;
    strmap_put(&c->seen, key, (size_t)i);
    if (t.has_tls && !elf_tls_size_ok(&t)) /* a process that dlopens it may die */
        *XAPPEND(&c->problems, &c->nproblems) = xasprintf("%s: %s", shown, t.tls_problem);
    limit_search_path(c, &t.rpath, "DT_RPATH", shown);
    limit_search_path(c, &t.runpath, "DT_RUNPATH", shown);
    *XAPPEND(&c->objects, &c->nobjects) = (struct census_object){
        xstrdup(path), xstrdup(shown), t, needed_by, needed_as ? xstrdup(needed_as) : NULL,
        false, -1};
    /* ld.so matches a DT_NEEDED against the sonames and names loaded: an
       object under the paths is one a process may have loaded.  One the
       closure found is not: another requester looks the name up along its
       own search path, so what it finds does not hang on the order. */
    if (needed_by < 0)
        strmap_put(&c->names, t.soname ? t.soname : file_name(path), (size_t)i);
    return i;
}

/* The directory for the next wheel's members, under a scratch directory
   made with the first; NULL with why when TMPDIR takes no more (then that
   wheel is unreadable, and the census goes on). */
static char *wheel_dir(struct census *c, char *why, size_t len)
{
    if (!c->scratch) {
        char *scratch = xasprintf("%s/statictls-census.XXXXXX", c->settings->tmpdir);
        if (!mkdtemp(scratch)) {
            snprintf(why, len, "cannot make a directory in TMPDIR: %s", strerror(errno));
            free(scratch);
            return NULL;
        }
        interrupt_add_path(scratch); /* removed on a signal too */
        c->scratch = scratch;
    }
    char *dir = xasprintf("%s/%lu", c->scratch, ++c->wheels);
    if (mkdir(dir, 0755) != 0) {
        snprintf(why, len, "cannot make a directory in TMPDIR: %s", strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* A wheel's ELF members, copied out and read as a directory shown as
   "WHEEL!/". */
static void add_wheel(struct census *c, int fd, const char *path)
{
    char err[1024];
    char *dir = wheel_dir(c, err, sizeof err);
    if (!dir) {
        *XAPPEND(&c->unreadable, &c->nunreadable) = xasprintf("%s: %s", path, err);
        return;
    }
    /* Members pip installs that were not read are problems, and the
       census is not judged. */
    struct wheel_findings found = {c->unreadable, c->nunreadable, c->problems, c->nproblems};
    bool ok = wheel_extract(fd, path, dir, c->member_read_max, &found, err, sizeof err);
    c->unjudged += found.nunjudged - c->nproblems;
    c->unreadable = found.unreadable, c->nunreadable = found.nunreadable;
    c->problems = found.unjudged, c->nproblems = found.nunjudged;
    if (!ok)
        *XAPPEND(&c->unreadable, &c->nunreadable) = xstrdup(err);
    char *shown = xasprintf("%s!", path);
    add_directory(c, dir, shown);
    free(shown);
    free(dir);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry, in name order, without following symlinks. */
static void add_directory(struct census *c, const char *dir, const char *shown_dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        *XAPPEND(&c->unreadable, &c->nunreadable) =
            xasprintf("%s: cannot read: %s", shown_dir, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            *XAPPEND(&names, &n) = xstrdup(e->d_name);
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        char *shown = xasprintf("%s/%s", shown_dir, names[i]);
        struct stat st;
        if (lstat(path, &st) != 0)
            *XAPPEND(&c->unreadable, &c->nunreadable) =
                xasprintf("%s: cannot read: %s", shown, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            add_directory(c, path, shown);
        else if (S_ISREG(st.st_mode))
            examine(c, path, shown, -1, NULL);
        free(path), free(shown), free(names[i]);
    }
    free(names);
}

bool census_add(struct census *c, const char *path, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, len, "%s: %s", path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode))
        add_directory(c, path, path);
    else
        examine(c, path, path, -1, NULL);
    return true;
}

static char *resolve(const struct census *c, size_t i, const char *name, char *const *lib_dirs)
{
    /* The object, then each object that needed it: whose DT_RPATH applies. */
    struct ld_chain chain = {0};
    for (long k = (long)i; k >= 0; k = c->objects[k].needed_by)
        ld_chain_add(&chain, c->objects[k].path, c->objects[k].tls.rpath,
                     c->objects[k].tls.runpath);
    char *found =
        ld_search(name, c->objects[i].tls.machine, chain.links, chain.n, NULL, lib_dirs);
    ld_chain_free(&chain);
    return found;
}

/* Whether path lies directly in one of lib_dirs. */
static bool in_lib_dirs(const char *path, char *const *lib_dirs)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    for (size_t i = 0; lib_dirs && lib_dirs[i]; i++) {
        size_t n = strlen(lib_dirs[i]);
        while (n > 1 && lib_dirs[i][n - 1] == '/')
            n--;
        if (n == len && strncmp(lib_dirs[i], path, len) == 0)
            return true;
    }
    return false;
}

/* ld.so maps an object once per name: a DT_NEEDED name that an object
   already loaded answers to (the name it was found by, or its soname:
   elf/dl-load.c _dl_map_object) is that object, wherever another
   requester's search would have found a file.  In found order, which is
   the order a process loads them in. */
static void mark_loaded_once(struct census *c)
{
    struct strmap loaded = {0};
    for (size_t i = 0; i < c->nobjects; i++) {
        struct census_object *o = &c->objects[i];
        size_t first;
        if (o->needed_by >= 0 && strmap_get(&loaded, o->needed_as, &first)) {
            o->same_as = (long)first;
            continue;
        }
        const char *names[] = {o->needed_by >= 0 ? o->needed_as : NULL, o->tls.soname};
        for (size_t k = 0; k < 2; k++)
            if (names[k] && !strmap_get(&loaded, names[k], &first))
                strmap_put(&loaded, names[k], i);
    }
    strmap_free(&loaded);
}

void census_close_over(struct census *c, char *const *lib_dirs)
{
    for (size_t i = 0; i < c->nobjects; i++) /* the census grows as it goes */
        for (size_t k = 0; k < c->objects[i].tls.nneeded; k++) {
            const char *name = c->objects[i].tls.needed[k];
            size_t known;
            if (strmap_get(&c->names, name, &known))
                continue;
            char *path = resolve(c, i, name, lib_dirs);
            size_t before = c->nobjects;
            long found = path ? examine(c, path, path, (long)i, name) : -1;
            if (found >= (long)before) /* new, found by this search */
                c->objects[found].system = in_lib_dirs(path, lib_dirs);
            /* Each requester's own lookup, as ld.so's for it: a name one
               object does not find may still be found by another (from its
               $ORIGIN, say), and the same file is read once (examine). */
            if (found < 0)
                *XAPPEND(&c->missing, &c->nmissing) =
                    xasprintf("%s (needed by %s)", name, c->objects[i].shown);
            free(path);
        }
    mark_loaded_once(c);
}
