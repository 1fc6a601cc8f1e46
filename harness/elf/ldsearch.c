#include "ldsearch.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

char *ld_origin_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xasprintf("%.*s", (int)(slash == path ? 1 : slash - path), path) : xstrdup(".");
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

/* A regular ELF file for the machine (0: any); opened without blocking, so
   a FIFO in a search path costs nothing. */
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
    return !machine || m == machine;
}

/* name in each directory of the ':'-separated list (origin: $ORIGIN). */
static char *search_list(const char *list, const char *origin, const char *name, int machine)
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ":");
        char *entry = xasprintf("%.*s", (int)n, p);
        p += n + (p[n] == ':');
        char *dir = expand(entry, origin ? origin : "");
        free(entry);
        char *path = dir && *dir ? xasprintf("%s/%s", dir, name) : NULL;
        free(dir);
        if (path && loadable(path, machine))
            return path;
        free(path);
    }
    return NULL;
}

void ld_chain_add(struct ld_chain *c, const char *path, const char *rpath, const char *runpath)
{
    *XAPPEND(&c->links, &c->n) = (struct ld_requester){rpath, runpath, ld_origin_of(path)};
}

void ld_chain_free(struct ld_chain *c)
{
    for (size_t k = 0; k < c->n; k++)
        free((char *)c->links[k].origin);
    free(c->links);
    c->links = NULL;
    c->n = 0;
}

char *ld_search(const char *name, int machine, const struct ld_requester *chain, size_t n,
                const char *ld_library_path, char *const *lib_dirs)
{
    if (strchr(name, '/')) {
        char *path = expand(name, n ? chain[0].origin : ".");
        if (path && !loadable(path, machine))
            free(path), path = NULL;
        return path;
    }
    char *found = NULL;
    for (size_t k = 0; k < n && !chain[0].runpath && !found; k++)
        found = search_list(chain[k].rpath, chain[k].origin, name, machine);
    if (!found)
        found = search_list(ld_library_path, NULL, name, machine);
    if (!found && n)
        found = search_list(chain[0].runpath, chain[0].origin, name, machine);
    for (size_t d = 0; !found && lib_dirs && lib_dirs[d]; d++)
        found = search_list(lib_dirs[d], NULL, name, machine);
    return found;
}
