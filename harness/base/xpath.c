#define _GNU_SOURCE
#include "xpath.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "interrupt.h"
#include "xalloc.h"

/* The directory of this executable, resolved through symlinks. */
static const char *exe_dir(void)
{
    static char dir[PATH_MAX];
    if (!dir[0]) {
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n < 0)
            die_errno("readlink /proc/self/exe");
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    return dir;
}

/* The directory holding name: the program's own (the build tree) or
   from_bin from it (an install); dies when neither does. */
static char *find_beside(const char *name, const char *from_bin)
{
    char *dirs[] = {xstrdup(exe_dir()), xasprintf("%s/%s", exe_dir(), from_bin)};
    for (size_t i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s", dirs[i], name);
        bool here = access(path, F_OK) == 0;
        free(path);
        if (here) {
            free(dirs[1 - i]);
            /* An install's parts: bin/../lib/statictls said as the
               directory it is, in every message that names a path there. */
            char *real = i == 1 ? realpath(dirs[i], NULL) : NULL;
            if (real) {
                free(dirs[i]);
                return real;
            }
            return dirs[i];
        }
    }
    die("%s is neither in %s nor in %s: an incomplete build or install", name, dirs[0], dirs[1]);
}

/* The build tree keeps the parts beside the program; an install keeps them
   at STATICTLS_PARTS_FROM_BIN from bin/ (cmake/StatictlsInstallDirs.cmake).
   Both are found from the program's own place, so a copied install works. */
const char *self_dir(void)
{
    static char *dir;
    if (!dir)
        dir = find_beside("statictls-probe", STATICTLS_PARTS_FROM_BIN);
    return dir;
}

const char *data_dir(void)
{
    static char *dir;
    if (!dir)
        dir = find_beside("cases", STATICTLS_DATA_FROM_BIN);
    return dir;
}

bool running_installed(void)
{
    return strcmp(self_dir(), exe_dir()) != 0;
}

/* The scripts an install keeps in data_dir(), as a message names them. */
static const char *const scripts[] = {"fetch-glibc.sh", "build-glibc.sh"};
enum { NSCRIPTS = sizeof scripts / sizeof scripts[0] };

const char *statictls_script(const char *name)
{
    static char *paths[NSCRIPTS];
    size_t i = 0;
    while (i < NSCRIPTS && strcmp(scripts[i], name) != 0)
        i++;
    if (i == NSCRIPTS)
        die("statictls_script: %s is not one of statictls's scripts", name);
    if (!paths[i] && !running_installed())
        paths[i] = xasprintf("scripts/%s", name);
    if (!paths[i]) { /* bin/../share/statictls/NAME, said without the .. */
        char *installed = xasprintf("%s/%s", data_dir(), name);
        paths[i] = realpath(installed, NULL);
        if (paths[i])
            free(installed);
        else
            paths[i] = installed;
    }
    return paths[i];
}

const char *fetch_glibc_script(void)
{
    return statictls_script("fetch-glibc.sh");
}

/* text with every occurrence of from replaced by to; the caller frees it. */
static char *replaced(const char *text, const char *from, const char *to)
{
    size_t n = 0, fromlen = strlen(from);
    for (const char *p = text; (p = strstr(p, from)); p += fromlen)
        n++;
    char *out = xmalloc(strlen(text) + n * strlen(to) + 1), *o = out;
    for (const char *p = text;;) {
        const char *hit = strstr(p, from);
        if (!hit) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(hit - p));
        o = stpcpy(o + (hit - p), to);
        p = hit + fromlen;
    }
    return out;
}

char *installed_paths(const char *text)
{
    char *out = xstrdup(text);
    for (size_t i = 0; i < NSCRIPTS; i++) {
        char *source_name = xasprintf("scripts/%s", scripts[i]);
        char *next = replaced(out, source_name, statictls_script(scripts[i]));
        free(source_name);
        free(out);
        out = next;
    }
    return out;
}

void remove_tree(const char *path)
{
    remove_tree_now(path);
    interrupt_forget_path(path);
}

char *loader_list_entry(const char *path, const char *dir, const char *name)
{
    if (!strpbrk(path, " :\t\n"))
        return xstrdup(path);
    char *link = xasprintf("%s/%s", dir, name);
    if (symlink(path, link) != 0 && errno != EEXIST)
        die_errno("symlink %s", link);
    return link;
}

char *make_scratch_dir(const char *tmpdir, const char *name)
{
    char *dir = xasprintf("%s/%s.XXXXXX", tmpdir, name);
    if (!mkdtemp(dir))
        die_errno("mkdtemp %s", dir);
    interrupt_add_path(dir);
    return dir;
}

void strip_dir_prefix(char *s, const char *dir)
{
    size_t n = strlen(dir);
    for (char *p = s; n && p && (p = strstr(p, dir));) {
        if (p[n] == '/')
            memmove(p, p + n + 1, strlen(p + n + 1) + 1);
        else
            p += n;
    }
}
