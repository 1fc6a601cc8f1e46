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

#include "wheel.h"
#include "xsys.h"

enum { NOT_ELF = -1 }; /* the seen map's value for a file that is no ELF object */

void census_init(struct census *c)
{
    memset(c, 0, sizeof *c);
}

void census_free(struct census *c)
{
    for (size_t i = 0; i < c->nobjects; i++) {
        free(c->objects[i].path);
        free(c->objects[i].shown);
        elf_tls_free(&c->objects[i].tls);
    }
    free(c->objects);
    for (size_t i = 0; i < c->nunreadable; i++)
        free(c->unreadable[i]);
    free(c->unreadable);
    for (size_t i = 0; i < c->nmissing; i++)
        free(c->missing[i]);
    free(c->missing);
    strmap_free(&c->seen);
    strmap_free(&c->names);
    if (c->scratch && !getenv("STATICTLS_KEEP"))
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

/* Reads one file, opened once: without blocking (a FIFO or a device), a
   regular file only, each (dev, ino) once.  Returns the object's index,
   or -1 when it is none. */
static long examine(struct census *c, const char *path, const char *shown, long needed_by)
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
    *XAPPEND(&c->objects, &c->nobjects) =
        (struct census_object){xstrdup(path), xstrdup(shown), t, needed_by};
    /* ld.so matches a DT_NEEDED against the sonames and names loaded. */
    strmap_put(&c->names, t.soname ? t.soname : file_name(path), (size_t)i);
    return i;
}

/* A wheel's ELF members, copied out and read as a directory shown as
   "WHEEL!/". */
static void add_wheel(struct census *c, int fd, const char *path)
{
    if (!c->scratch)
        c->scratch = make_scratch_dir("statictls-census");
    char *dir = xasprintf("%s/%lu", c->scratch, ++c->wheels);
    char err[1024];
    make_dirs(dir);
    if (!wheel_extract(fd, path, dir, &c->unreadable, &c->nunreadable, err, sizeof err))
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
            examine(c, path, shown, -1);
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
        examine(c, path, path, -1);
    return true;
}

/* entry with $ORIGIN and ${ORIGIN} replaced by origin; NULL for $LIB and
   $PLATFORM, which depend on the machine that runs it. */
static char *expand(const char *entry, const char *origin)
{
    char *s = xstrdup("");
    for (const char *p = entry; *p;) {
        size_t skip = strncmp(p, "${ORIGIN}", 9) == 0 ? 9 : strncmp(p, "$ORIGIN", 7) == 0 ? 7 : 0;
        char *next;
        if (skip)
            next = xasprintf("%s%s", s, origin);
        else if (*p == '$') {
            free(s);
            return NULL;
        } else
            next = xasprintf("%s%c", s, *p);
        free(s);
        s = next;
        p += skip ? skip : 1;
    }
    return s;
}

static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xasprintf("%.*s", (int)(slash == path ? 1 : slash - path), path) : xstrdup(".");
}

/* An ELF file for the same machine (ld.so skips the others and searches on). */
static bool loadable(const char *path, int machine)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned char h[20];
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              read(fd, h, sizeof h) == (ssize_t)sizeof h && memcmp(h, "\177ELF", 4) == 0;
    close(fd);
    if (!ok)
        return false;
    int m = h[5] == 2 ? h[18] << 8 | h[19] : h[19] << 8 | h[18]; /* EI_DATA: big or little */
    return m == machine;
}

/* name in each directory of the ':'-separated list (origin: $ORIGIN). */
static char *search_list(const char *list, const char *origin, const char *name, int machine)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ":");
        char *entry = xasprintf("%.*s", (int)n, p);
        p += n + (p[n] == ':');
        char *dir = expand(entry, origin);
        free(entry);
        char *path = dir && *dir ? xasprintf("%s/%s", dir, name) : NULL;
        free(dir);
        if (path && loadable(path, machine))
            return path;
        free(path);
    }
    return NULL;
}

static char *resolve(const struct census *c, size_t i, const char *name, char *const *lib_dirs)
{
    const struct census_object *o = &c->objects[i];
    int machine = o->tls.machine;
    char *origin = directory_of(o->path), *found = NULL;
    if (strchr(name, '/')) {
        found = expand(name, origin);
        if (found && !loadable(found, machine))
            free(found), found = NULL;
        free(origin);
        return found;
    }
    /* DT_RPATH of the object, then of each object that needed it. */
    for (long k = (long)i; !o->tls.runpath && k >= 0 && !found; k = c->objects[k].needed_by) {
        char *o_origin = directory_of(c->objects[k].path);
        found = search_list(c->objects[k].tls.rpath, o_origin, name, machine);
        free(o_origin);
    }
    if (!found)
        found = search_list(o->tls.runpath, origin, name, machine);
    for (size_t d = 0; !found && lib_dirs[d]; d++)
        found = search_list(lib_dirs[d], "", name, machine);
    free(origin);
    return found;
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
            long found = path ? examine(c, path, path, (long)i) : -1;
            if (found < 0)
                *XAPPEND(&c->missing, &c->nmissing) =
                    xasprintf("%s (needed by %s)", name, c->objects[i].shown);
            /* Once per name: found or not, ld.so would not look again. */
            strmap_put(&c->names, name, found < 0 ? (size_t)NOT_ELF : (size_t)found);
            free(path);
        }
}
