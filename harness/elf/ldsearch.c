#include "ldsearch.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

/* The directory of path, for $ORIGIN; the caller frees it. */
static char *origin_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xasprintf("%.*s", (int)(slash == path ? 1 : slash - path), path) : xstrdup(".");
}

/* The length of the dynamic string token name at s (the bytes after a
   '$', n of them), as glibc's is_dst reads one: name or {name}, a bare
   name not followed by a letter, digit or '_'; 0 where s holds none. */
static size_t dst_len(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n >= k + 2 && s[0] == '{' && strncmp(s + 1, name, k) == 0 && s[k + 1] == '}')
        return k + 2;
    if (n < k || strncmp(s, name, k) != 0)
        return 0;
    if (n > k) {
        char c = s[k];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
            return 0;
    }
    return k;
}

/* The n bytes at entry with $ORIGIN and ${ORIGIN} replaced by origin, in
   one pass (the result grows by appending, never by copying it again: a
   DT_RPATH of megabytes costs its length); NULL for $LIB and $PLATFORM,
   which depend on the machine that runs it, and for a result longer than
   PATH_MAX, which no open could reach.  Any other '$' is a byte of the
   path, as ld.so's _dl_dst_substitute keeps it (a directory named a$b);
   origin is a directory's name, never expanded again. */
static char *expand(const char *entry, size_t n, const char *origin)
{
    size_t olen = strlen(origin), len = 0;
    char *s = xmalloc(PATH_MAX + 1);
    for (size_t i = 0; i < n;) {
        size_t skip = 0;
        if (entry[i] == '$') {
            const char *t = entry + i + 1;
            size_t left = n - i - 1;
            if (dst_len(t, left, "PLATFORM") || dst_len(t, left, "LIB")) {
                free(s);
                return NULL;
            }
            size_t o = dst_len(t, left, "ORIGIN");
            skip = o ? o + 1 : 0;
        }
        const char *add = skip ? origin : entry + i;
        size_t addlen = skip ? olen : 1;
        if (addlen > PATH_MAX - len) {
            free(s);
            return NULL;
        }
        memcpy(s + len, add, addlen);
        len += addlen;
        i += skip ? skip : 1;
    }
    s[len] = '\0';
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
        char *dir = expand(p, n, origin ? origin : "");
        p += n + (p[n] == ':');
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
    *XAPPEND(&c->links, &c->n) = (struct ld_requester){rpath, runpath, origin_of(path)};
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
        char *path = expand(name, strlen(name), n ? chain[0].origin : ".");
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
