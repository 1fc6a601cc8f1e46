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
        c->scratch = make_scratch_dir(c->settings->tmpdir, "statictls-census");
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
