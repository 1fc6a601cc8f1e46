#define _GNU_SOURCE
#include "libcbuild.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "xsys.h"

static struct libc_build selected;
static bool chosen; /* by --glibc or --libc-root */

const struct libc_build *libc_build(void)
{
    if (!selected.name) {
        char why[8];
        libc_build_find(NULL, &selected, why, sizeof why);
    }
    return &selected;
}

void libc_build_free(struct libc_build *b)
{
    free(b->name);
    free(b->dir);
    free(b->root);
    free(b->loader);
    free(b->library_path);
    free(b->distro);
    free(b->machine);
    free(b->package);
    memset(b, 0, sizeof *b);
}

static const char *triplet(const char *machine)
{
    static char buf[sizeof(struct utsname){0}.machine + 16];
    bool i386 = machine[0] == 'i' && strcmp(machine + 2, "86") == 0; /* i386 ... i686 */
    snprintf(buf, sizeof buf, "%.64s-linux-gnu", i386 ? "i386" : machine);
    return buf;
}

static const char *host_machine(void)
{
    static struct utsname u;
    if (!u.machine[0] && uname(&u) != 0)
        die_errno("uname");
    return u.machine;
}

/* The first line of a small file the fetch script wrote, or NULL. */
static char *read_line(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    size_t n;
    char *s = read_file(path, &n);
    if (s)
        s[strcspn(s, "\n")] = '\0';
    free(path);
    return s;
}

bool libc_build_find(const char *version, struct libc_build *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!version) {
        out->machine = xstrdup(host_machine());
        out->name = xstrdup("host");
        out->dir = xstrdup(self_dir());
        out->root = xstrdup("");
        return true;
    }
    bool musl = strcmp(version, "musl") == 0;
    out->name = musl ? xstrdup(version) : xasprintf("glibc-%s", version);
    const char *suffix = musl ? NULL : strchr(version, '-'); /* "2.36-aarch64" */
    out->machine = xstrdup(suffix ? suffix + 1 : host_machine());
    out->dir = xasprintf("%s/%s", self_dir(), out->name);
    char *probe = xasprintf("%s/statictls-probe", out->dir);
    char *root = read_line(out->dir, "root");
    bool ok = root && access(probe, X_OK) == 0;
    char *unbuildable = ok ? NULL : read_line(out->dir, "unbuildable");
    if (unbuildable) {
        snprintf(why, len, "glibc %s is not built here: %s", version, unbuildable);
        free(unbuildable);
        free(root);
        libc_build_free(out);
    } else if (!ok && musl) {
        snprintf(why, len, "musl is not built here: install musl-tools (musl-gcc), then re-run "
                           "cmake and build");
        free(root);
        libc_build_free(out);
    } else if (!ok) {
        const char *arch = strchr(version, '-'); /* "2.36-aarch64" */
        snprintf(why, len,
                 "glibc %s is not built here: fetch its sysroot with "
                 "`scripts/fetch-glibc.sh%s %.*s` (or configure with -DSTATICTLS_FETCH_GLIBC=ON), "
                 "then re-run cmake and build%s",
                 version, arch ? " --arch arm64" : "", arch ? (int)(arch - version) : (int)strlen(version),
                 version, arch ? "; aarch64 also needs gcc-aarch64-linux-gnu and qemu-user" : "");
        free(root);
        libc_build_free(out);
    } else {
        out->root = root;
        out->loader = read_line(out->dir, "loader"); /* qemu for another arch */
        char *cache_dir = xasprintf("%s/..", root);
        out->distro = read_line(cache_dir, "distro");
        out->package = read_line(cache_dir, "debian-version");
        free(cache_dir);
    }
    free(probe);
    return ok;
}

/* "2.31" from the banner inside libc.so.6: "... release version 2.31." */
static char *glibc_version_in(const char *libc_path)
{
    size_t len;
    char *data = read_file(libc_path, &len);
    if (!data)
        return NULL;
    static const char marker[] = "release version ";
    char *version = NULL;
    char *p = memmem(data, len, marker, sizeof marker - 1);
    if (p) {
        p += sizeof marker - 1;
        size_t n = 0;
        while (p + n < data + len && (p[n] == '.' || (p[n] >= '0' && p[n] <= '9')))
            n++;
        while (n && p[n - 1] == '.')
            n--;
        if (n)
            version = xasprintf("%.*s", (int)n, p);
    }
    free(data);
    return version;
}

static char *first_existing(const char *root, const char *const *candidates)
{
    for (size_t i = 0; candidates[i]; i++) {
        char *path = xasprintf("%s/%s", root, candidates[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return path;
        free(path);
    }
    return NULL;
}

static void select_root(const char *dir)
{
    const char *t = triplet(host_machine());
    char *lib = xasprintf("lib/%s/libc.so.6", t), *usrlib = xasprintf("usr/lib/%s/libc.so.6", t);
    const char *libcs[] = {lib, usrlib, NULL};
    const char *loaders[] = {"lib64/ld-linux-x86-64.so.2", "lib/ld-linux-aarch64.so.1", NULL};
    char *libc = first_existing(dir, libcs);
    char *loader = first_existing(dir, loaders);
    char *version = libc ? glibc_version_in(libc) : NULL;
    if (!libc || !loader || !version)
        die_input("--libc-root %s: no glibc there (looked for %s, %s and the ld.so)", dir, lib,
                  usrlib);
    char why[512];
    if (!libc_build_find(version, &selected, why, sizeof why)) {
        fprintf(stderr, "statictls: --libc-root %s holds glibc %s, and %s\n", dir, version, why);
        exit(EXIT_SKIP);
    }
    free(selected.root);
    selected.root = xstrdup(dir);
    selected.loader = loader;
    selected.library_path = xasprintf("%s/lib/%s:%s/usr/lib/%s", dir, t, dir, t);
    free(lib);
    free(usrlib);
    free(libc);
    free(version);
}

bool libc_build_option(int argc, char **argv, int *i)
{
    bool glibc = strcmp(argv[*i], "--glibc") == 0 || strcmp(argv[*i], "--musl") == 0;
    if (!glibc && strcmp(argv[*i], "--libc-root") != 0)
        return false;
    if (strcmp(argv[*i], "--musl") == 0) { /* a flag: the value is implied */
        if (chosen)
            die_input("--musl: only one --glibc, --musl or --libc-root per run");
        chosen = true;
        libc_build_free(&selected);
        char why[512];
        if (!libc_build_find("musl", &selected, why, sizeof why)) {
            fprintf(stderr, "statictls: %s\n", why);
            exit(EXIT_SKIP);
        }
        return true;
    }
    if (*i + 1 >= argc || !argv[*i + 1][0])
        die_input("%s needs a value", argv[*i]);
    if (chosen)
        die_input("%s: only one --glibc or --libc-root per run", argv[*i]);
    chosen = true;
    libc_build_free(&selected);
    const char *value = argv[++*i];
    if (!glibc) {
        select_root(value);
        return true;
    }
    char why[512];
    if (!libc_build_find(value, &selected, why, sizeof why)) {
        fprintf(stderr, "statictls: %s\n", why);
        exit(EXIT_SKIP);
    }
    return true;
}

const char *const *libc_lib_dirs(const char *machine)
{
    static char storage[6][512];
    static const char *dirs[7];
    const char *root = libc_build()->root;
    const char *t = triplet(machine);
    snprintf(storage[0], sizeof storage[0], "%s/lib/%s", root, t);
    snprintf(storage[1], sizeof storage[1], "%s/usr/lib/%s", root, t);
    snprintf(storage[2], sizeof storage[2], "%s/lib64", root);
    snprintf(storage[3], sizeof storage[3], "%s/usr/lib64", root);
    snprintf(storage[4], sizeof storage[4], "%s/lib", root);
    snprintf(storage[5], sizeof storage[5], "%s/usr/lib", root);
    for (int i = 0; i < 6; i++)
        dirs[i] = storage[i];
    dirs[6] = NULL;
    return dirs;
}

void libc_build_use(struct libc_build *b)
{
    libc_build_free(&selected);
    selected = *b;
    memset(b, 0, sizeof *b);
}

static void unquote(const char *value, char *out, size_t len)
{
    snprintf(out, len, "%.*s", (int)strcspn(value + (*value == '"'), "\""),
             value + (*value == '"'));
}

/* "debian12" from /etc/os-release, or "linux". */
static char *host_distro(void)
{
    char *text = read_file("/etc/os-release", NULL);
    char id[64] = "linux", version[64] = "";
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "ID=", 3) == 0)
            unquote(line + 3, id, sizeof id);
        else if (strncmp(line, "VERSION_ID=", 11) == 0)
            unquote(line + 11, version, sizeof version);
    }
    free(text);
    char *dot = strchr(version, '.');
    if (dot && strcmp(id, "debian") == 0)
        *dot = '\0';
    return xasprintf("%s%s", id, version);
}

char *libc_build_platform(const char *libc, const char *version, const char *machine)
{
    const struct libc_build *b = libc_build();
    char *distro = b->distro ? xstrdup(b->distro) : host_distro();
    char *platform = xasprintf("%s-%s-%s-%s", libc, version, distro, machine);
    free(distro);
    return platform;
}

const char *libc_build_describe(void)
{
    static char text[256];
    const struct libc_build *b = libc_build();
    if (strcmp(b->name, "musl") == 0)
        snprintf(text, sizeof text, "musl-gcc build, the host's musl");
    else if (!b->package)
        snprintf(text, sizeof text, "host libc");
    else
        snprintf(text, sizeof text, "Debian libc6 %s (sysroot%s%s)", b->package,
                 !b->loader ? "" : strstr(b->loader, "qemu-") ? ", under " : ", through ",
                 !b->loader ? "" : strrchr(b->loader, '/') ? strrchr(b->loader, '/') + 1 : b->loader);
    return text;
}

static int compare_versions(const void *a, const void *b)
{
    return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **libc_build_versions(size_t *n)
{
    char **versions = NULL;
    *n = 0;
    DIR *d = opendir(self_dir());
    if (!d)
        die_errno("opendir %s", self_dir());
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "glibc-", 6) != 0)
            continue;
        struct libc_build b;
        char why[512];
        if (libc_build_find(e->d_name + 6, &b, why, sizeof why)) {
            *XAPPEND(&versions, n) = xstrdup(e->d_name + 6);
            libc_build_free(&b);
        }
    }
    closedir(d);
    qsort(versions, *n, sizeof *versions, compare_versions);
    return versions;
}

const char *libc_build_search_path(void)
{
    static char *path;
    const struct libc_build *b = libc_build();
    if (!b->root[0])
        return NULL;
    free(path);
    const char *t = triplet(b->machine);
    path = xasprintf("%s/lib/%s:%s/usr/lib/%s", b->root, t, b->root, t);
    return path;
}
