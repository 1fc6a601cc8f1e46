#define _GNU_SOURCE
#include "libcbuild.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buildmarkers.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

void libc_build_free(struct libc_build *b)
{
    free(b->name);
    free(b->dir);
    free(b->root);
    free(b->loader);
    free(b->ldso);
    free(b->library_path);
    free(b->distro);
    free(b->machine);
    free(b->package);
    free(b->tree);
    free(b->layout);
    free(b->probe);
    free(b->search_path);
    for (size_t i = 0; i < LIBC_LIB_DIRS; i++)
        free(b->lib_dirs[i]);
    memset(b, 0, sizeof *b);
}

/* Debian's multiarch triplet of a machine or build suffix:
   "x86_64-linux-gnu", "i386-linux-gnu", "arm-linux-gnueabihf". */
static char *triplet(const char *machine)
{
    bool i386 = machine[0] == 'i' && strcmp(machine + 2, "86") == 0; /* i386 ... i686 */
    if (strcmp(machine, "armhf") == 0)
        return xstrdup("arm-linux-gnueabihf");
    if (strcmp(machine, "ppc64el") == 0 || strcmp(machine, "ppc64le") == 0)
        return xstrdup("powerpc64le-linux-gnu");
    return xasprintf("%s-linux-gnu", i386 ? "i386" : machine);
}

/* What a build of another architecture (its --glibc suffix) needs here:
   Debian's architecture name for fetch-glibc.sh --arch, and the packages
   of its cross compiler and qemu (NULL: none beyond the compiler). */
static void foreign_needs(const char *arch, const char **deb_arch, const char **packages)
{
    static const struct {
        const char *arch, *deb_arch, *packages;
    } table[] = {
        {"aarch64", "arm64", "gcc-aarch64-linux-gnu and qemu-user"},
        {"i386", "i386", NULL},
        {"armhf", "armhf", "gcc-arm-linux-gnueabihf and qemu-user"},
        {"ppc64el", "ppc64el", "gcc-powerpc64le-linux-gnu and qemu-user"},
        {"s390x", "s390x", "gcc-s390x-linux-gnu and qemu-user"},
        {"riscv64", "riscv64", "gcc-riscv64-linux-gnu and qemu-user"},
    };
    *deb_arch = arch;
    *packages = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].arch, arch) == 0) {
            *deb_arch = table[i].deb_arch;
            *packages = table[i].packages;
        }
}

static char *host_machine(void)
{
    struct utsname u;
    if (uname(&u) != 0)
        die_errno("uname");
    return xstrdup(u.machine);
}

/* What every build derives from its root and machine: the probe, and
   where ld.so looks for libraries. */
static void derive_paths(struct libc_build *b)
{
    char *t = triplet(b->machine);
    const char *r = b->root;
    free(b->probe);
    b->probe = xasprintf("%s/statictls-probe", b->dir);
    free(b->search_path);
    b->search_path = r[0] ? xasprintf("%s/lib/%s:%s/usr/lib/%s", r, t, r, t) : NULL;
    const char *const formats[LIBC_LIB_DIRS] = {"%s/lib/%s", "%s/usr/lib/%s", "%s/lib64%s",
                                                "%s/usr/lib64%s", "%s/lib%s", "%s/usr/lib%s"};
    for (size_t i = 0; i < LIBC_LIB_DIRS; i++) {
        free(b->lib_dirs[i]);
        b->lib_dirs[i] = xasprintf(formats[i], r, i < 2 ? t : "");
    }
    free(t);
}

/* The first line of a one-line file, or NULL: a build directory's marker
   (buildmarkers.h), or what scripts/fetch-glibc.sh wrote beside a sysroot. */
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

/* Whether word is one of the space-separated words of list. */
static bool in_list(const char *list, const char *word, size_t len)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && strncmp(p, word, len) == 0)
            return true;
        p += n + (p[n] == ' ');
    }
    return false;
}

/* A --glibc value this statictls can have built: a release of
   scripts/glibc-suites.txt, alone or with an architecture suffix. */
static bool known_version(const char *version)
{
    const char *dash = strchr(version, '-');
    size_t n = dash ? (size_t)(dash - version) : strlen(version);
    return strcmp(version, "musl") == 0 ||
           (in_list(STATICTLS_KNOWN_RELEASES, version, n) &&
            (!dash || in_list(STATICTLS_KNOWN_ARCHES, dash + 1, strlen(dash + 1))));
}

/* Whether version reads as a glibc release, known here or not: "2.28",
   "2.28.9", "2.39-riscv64". */
static bool release_shaped(const char *version)
{
    const char *p = version;
    int parts = 0;
    for (;;) {
        size_t digits = strspn(p, "0123456789");
        if (!digits)
            return false;
        p += digits;
        parts++;
        if (*p != '.')
            break;
        p++;
    }
    if (parts < 2 || parts > 3)
        return false;
    if (!*p)
        return true;
    return *p == '-' && p[1] && strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
                                    strlen(p + 1);
}

/* Why a known build is not here, into why: absent (a marker the build
   wrote says why: the toolchain, a failed fetch, a missing cross compiler)
   or never built (the build was configured without it). */
static bool marked_absent(const char *what, const char *dir, char *why, size_t len)
{
    static const char *const markers[] = {STATICTLS_MARKER_UNBUILDABLE,
                                          STATICTLS_MARKER_UNFETCHED};
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        char *reason = read_line(dir, markers[i]);
        if (reason) {
            /* The marker says it as its build tree would; an install names
               its own fetch-glibc.sh, and that it must be installed again. */
            char *said = running_installed() ? installed_paths(reason) : xstrdup(reason);
            if (running_installed())
                snprintf(why, len, "%s is not in this install: when statictls was built, %s; "
                                   "an install of a statictls built with it brings it",
                         what, said);
            else
                snprintf(why, len, "%s is not built here: %s", what, said);
            free(said);
            free(reason);
            return true;
        }
    }
    return false;
}

static enum libc_open not_here(const char *version, const char *dir, char *why, size_t len)
{
    char *what = xasprintf("%s%s", strcmp(version, "musl") ? "glibc " : "", version);
    bool absent = marked_absent(what, dir, why, len);
    free(what);
    if (absent)
        return LIBC_OPEN_ABSENT;
    if (strcmp(version, "musl") == 0) {
        snprintf(why, len, "musl is not built here: install musl-tools (musl-gcc), re-run cmake "
                           "and build; or pass --allow-missing to skip");
        return LIBC_OPEN_NOT_BUILT;
    }
    const char *arch = strchr(version, '-'); /* "2.36-aarch64" */
    char deb_arch[64] = "", needs[160] = "";
    if (arch) {
        const char *deb, *packages;
        foreign_needs(arch + 1, &deb, &packages);
        snprintf(deb_arch, sizeof deb_arch, " --arch %s", deb);
        if (packages)
            snprintf(needs, sizeof needs, " (%s also needs %s)", arch + 1, packages);
    }
    int release_len = arch ? (int)(arch - version) : (int)strlen(version);
    if (running_installed())
        snprintf(why, len,
                 "glibc %s is not in this install: fetch its sysroot with `%s%s %.*s`, then "
                 "build statictls with it (-DSTATICTLS_FETCH_GLIBC=ON)%s and install it "
                 "again; or pass --allow-missing to skip",
                 version, fetch_glibc_script(), deb_arch, release_len, version, needs);
    else
        snprintf(why, len,
                 "glibc %s was not built with this statictls: fetch its sysroot with "
                 "`%s%s %.*s` (or configure with -DSTATICTLS_FETCH_GLIBC=ON), "
                 "re-run cmake and build%s; or pass --allow-missing to skip",
                 version, fetch_glibc_script(), deb_arch, release_len, version, needs);
    return LIBC_OPEN_NOT_BUILT;
}

static int compare_builds(const void *a, const void *b);

/* The --glibc values of the builds made here ("2.31 2.31-aarch64 ..."),
   into buf: what a user who named none of them may pick. */
static void built_here(char *buf, size_t len)
{
    buf[0] = '\0';
    DIR *d = opendir(self_dir());
    if (!d)
        die_errno("opendir %s", self_dir());
    char **names = NULL;
    size_t nnames = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "glibc-", 6) != 0)
            continue;
        char *probe = xasprintf("%s/%s/statictls-probe", self_dir(), e->d_name);
        if (access(probe, X_OK) == 0)
            *XAPPEND(&names, &nnames) = xstrdup(e->d_name);
        free(probe);
    }
    closedir(d);
    if (nnames)
        qsort(names, nnames, sizeof *names, compare_builds);
    size_t used = 0;
    for (size_t i = 0; i < nnames; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", names[i] + 6);
        if (n > 0 && (size_t)n < len - used)
            used += (size_t)n;
        free(names[i]);
    }
    free(names);
}

/* dir/rel with rel's leading "../" taken off dir's last components: the
   sysroot copy an install's marker names (../sysroots/...), said without
   dots.  dir is a real path (self_dir's), so its components are no links. */
static char *joined_below(const char *dir, const char *rel)
{
    char *base = xstrdup(dir);
    char *cut;
    while (strncmp(rel, "../", 3) == 0 && (cut = strrchr(base, '/')) && cut != base) {
        *cut = '\0';
        rel += 3;
    }
    char *path = xasprintf("%s/%s", base, rel);
    free(base);
    return path;
}

/* Whether a build's sysroot can be used; else why not, into why: gone (a
   copied install, a cleared cache), or there and not readable by this user
   (another user's cache: an install made by root whose sysroots stayed in
   root's home).  Each says its own cure; copied: root is the copy an install
   carries (lib/statictls/sysroots/). */
static bool sysroot_usable(const char *version, const char *root, bool copied, char *why,
                           size_t len)
{
    struct stat st;
    if (stat(root, &st) != 0 && errno != EACCES && copied) {
        snprintf(why, len, "glibc %s is built here, but the copy of its sysroot installed with "
                           "statictls, %s, is gone (%s): install statictls again",
                 version, root, strerror(errno));
        return false;
    }
    if (stat(root, &st) != 0 && errno != EACCES) {
        snprintf(why, len, "glibc %s is built here, but its sysroot %s is gone (%s): fetch it "
                           "again with %s and --cache set to the directory above glibc-*",
                 version, root, strerror(errno), fetch_glibc_script());
        return false;
    }
    if (access(root, R_OK | X_OK) != 0 && copied) {
        snprintf(why, len, "glibc %s is built here, but the copy of its sysroot installed with "
                           "statictls, %s, is not readable by this user (uid %u: %s): an "
                           "install's files must be readable by every user who runs it "
                           "(chmod -R a+rX on it, or install again with umask 022)",
                 version, root, (unsigned)getuid(), strerror(errno));
        return false;
    }
    if (access(root, R_OK | X_OK) != 0) {
        snprintf(why, len, "glibc %s is built here, but its sysroot %s is not readable by this "
                           "user (uid %u: %s): it lies in the cache of the user who built "
                           "statictls; install statictls (cmake --install copies the sysroots "
                           "with it) or build it with STATICTLS_CACHE set to a directory every "
                           "user can read (/var/cache/statictls)",
                 version, root, (unsigned)getuid(), strerror(errno));
        return false;
    }
    return true;
}

/* A build whose sysroot was copied since its probe was linked: the probe's
   interpreter and runpath name where the sysroot was, so the copy's ld.so
   runs it (under the build's emulator, if any), searching the copy's
   directories first, as --libc-root runs a tree. */
static bool run_relocated(struct libc_build *b, char *why, size_t len)
{
    char *ldso = read_line(b->dir, STATICTLS_MARKER_LDSO);
    char *path = ldso ? xasprintf("%s/%s", b->root, ldso) : NULL;
    bool ok = path && access(path, R_OK) == 0;
    if (!ok)
        snprintf(why, len, "%s: its sysroot %s has no ld.so%s%s: install statictls again", b->name,
                 b->root, ldso ? " at " : " marker", ldso ? ldso : "");
    else if (b->loader)
        b->ldso = path;
    else
        b->loader = path;
    if (ok)
        b->library_path = xstrdup(b->search_path);
    else
        free(path);
    free(ldso);
    return ok;
}

static enum libc_open find_build(const char *version, struct libc_build *out, char *why,
                                 size_t len)
{
    memset(out, 0, sizeof *out);
    if (!version) {
        out->machine = host_machine();
        out->name = xstrdup("host");
        out->dir = xstrdup(self_dir());
        out->root = xstrdup("");
        derive_paths(out);
        return LIBC_OPEN_OK;
    }
    if (!known_version(version)) {
        bool release = release_shaped(version);
        char here[1024];
        built_here(here, sizeof here);
        snprintf(why, len, "--glibc %s: %s; this statictls knows %s, each also as VERSION-ARCH "
                           "for ARCH in %s, and --musl; built here: %s%s", version,
                 release ? "not a release this statictls builds" : "no such build",
                 STATICTLS_KNOWN_RELEASES, STATICTLS_KNOWN_ARCHES, here[0] ? here : "none",
                 release ? "; or pass --allow-missing to skip" : "");
        /* A release statictls has no sysroot for is a build not here, which
           --allow-missing skips, as it skips one known and not built; a
           word that is no release (2.3l) is a typo either way. */
        return release ? LIBC_OPEN_NOT_BUILT : LIBC_OPEN_BAD_INPUT;
    }
    bool musl = strcmp(version, "musl") == 0;
    out->name = musl ? xstrdup(version) : xasprintf("glibc-%s", version);
    const char *suffix = musl ? NULL : strchr(version, '-'); /* "2.36-aarch64" */
    out->machine = suffix ? xstrdup(suffix + 1) : host_machine();
    out->dir = xasprintf("%s/%s", self_dir(), out->name);
    char *probe = xasprintf("%s/statictls-probe", out->dir);
    char *root = read_line(out->dir, STATICTLS_MARKER_ROOT);
    bool built = root && access(probe, X_OK) == 0;
    bool relocated = built && root[0] && root[0] != '/';
    if (relocated) { /* an install's own copy of the sysroot, relative to the build's directory */
        char *full = joined_below(out->dir, root);
        free(root);
        root = full;
    }
    free(probe);
    if (!built) {
        enum libc_open status = not_here(version, out->dir, why, len);
        free(root);
        libc_build_free(out);
        return status;
    }
    if (root[0] && !sysroot_usable(version, root, relocated, why, len)) {
        free(root);
        libc_build_free(out);
        return LIBC_OPEN_ABSENT;
    }
    out->root = root;
    out->loader = read_line(out->dir, STATICTLS_MARKER_LOADER); /* qemu for another arch */
    /* Not markers: the files fetch-glibc.sh leaves in the sysroot's cache. */
    char *cache_dir = xasprintf("%s/..", root);
    out->distro = read_line(cache_dir, "distro");
    out->package = read_line(cache_dir, "debian-version");
    free(cache_dir);
    derive_paths(out);
    if (relocated && !run_relocated(out, why, len)) {
        libc_build_free(out);
        return LIBC_OPEN_ABSENT;
    }
    return LIBC_OPEN_OK;
}

bool libc_build_find(const char *version, struct libc_build *out, char *why, size_t len)
{
    return find_build(version, out, why, len) == LIBC_OPEN_OK;
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

/* A build of the release that DIR holds, run through DIR's ld.so. */
static enum libc_open open_root(const char *dir, struct libc_build *out, char *why, size_t len)
{
    char *machine = host_machine(), *t = triplet(machine);
    free(machine);
    char *lib = xasprintf("lib/%s/libc.so.6", t), *usrlib = xasprintf("usr/lib/%s/libc.so.6", t);
    const char *libcs[] = {lib, usrlib, NULL};
    const char *loaders[] = {"lib64/ld-linux-x86-64.so.2", "lib/ld-linux-aarch64.so.1", NULL};
    char *libc = first_existing(dir, libcs);
    char *loader = first_existing(dir, loaders);
    char *version = libc ? glibc_version_in(libc) : NULL;
    enum libc_open status = LIBC_OPEN_OK;
    if (!libc || !loader || !version) {
        snprintf(why, len, "--libc-root %s: no glibc there (looked for %s, %s and the ld.so)", dir,
                 lib, usrlib);
        status = LIBC_OPEN_BAD_INPUT;
    } else if ((status = find_build(version, out, why, len)) != LIBC_OPEN_OK) {
        char *reason = xstrdup(why);
        snprintf(why, len, "--libc-root %s holds glibc %s, and %s", dir, version, reason);
        free(reason);
    } else {
        free(out->root);
        out->root = xstrdup(dir);
        free(out->loader);
        out->loader = loader;
        loader = NULL;
        out->library_path = xasprintf("%s/lib/%s:%s/usr/lib/%s", dir, t, dir, t);
        derive_paths(out);
    }
    free(loader);
    free(lib);
    free(usrlib);
    free(libc);
    free(version);
    free(t);
    return status;
}

/* The --libc-tree build self_dir()/NAME, from the files
   cmake/libc-trees.cmake wrote there. */
static enum libc_open open_tree_build(const char *name, struct libc_build *out, char *why,
                                      size_t len)
{
    memset(out, 0, sizeof *out);
    out->name = xstrdup(name);
    out->dir = xasprintf("%s/%s", self_dir(), name);
    out->tree = read_line(out->dir, STATICTLS_MARKER_TREE);
    char *what = xasprintf("the glibc tree %s", out->tree ? out->tree : name);
    char *probe = xasprintf("%s/statictls-probe", out->dir);
    char *root = read_line(out->dir, STATICTLS_MARKER_ROOT);
    char *libdirs = read_line(out->dir, STATICTLS_MARKER_LIBDIRS);
    struct stat st;
    enum libc_open status = LIBC_OPEN_OK;
    if (marked_absent(what, out->dir, why, len)) {
        status = LIBC_OPEN_ABSENT;
    } else if (!root || !libdirs || access(probe, X_OK) != 0) {
        snprintf(why, len, "%s was configured but not built: build statictls (cmake --build)",
                 what);
        status = LIBC_OPEN_NOT_BUILT;
    } else if (stat(root, &st) != 0) {
        snprintf(why, len, "%s is gone (%s): build it again, or re-run cmake without it", what,
                 root);
        status = LIBC_OPEN_ABSENT;
    }
    free(what);
    free(probe);
    if (status != LIBC_OPEN_OK) {
        free(root);
        free(libdirs);
        libc_build_free(out);
        return status;
    }
    out->root = root;
    out->machine = host_machine();
    out->distro = read_line(out->dir, STATICTLS_MARKER_DISTRO);
    out->layout = read_line(out->dir, STATICTLS_MARKER_LAYOUT);
    /* Its ld.so searches the tree's own directories (the probe's runpath);
       a dlmopen'ed namespace finds its libc there too. */
    out->probe = xasprintf("%s/statictls-probe", out->dir);
    out->search_path = libdirs;
    char *rest = xstrdup(libdirs);
    size_t n = 0;
    for (char *d = strtok(rest, ":"); d && n < LIBC_LIB_DIRS; d = strtok(NULL, ":"))
        out->lib_dirs[n++] = xstrdup(d);
    free(rest);
    return LIBC_OPEN_OK;
}

/* Whether a libc.so.6 is where ld.so would look in root (the directories
   of derive_paths), or root holds a conda environment's sysroot. */
static bool holds_libc(const char *root)
{
    struct libc_build dirs = {.dir = xstrdup(""), .root = xstrdup(root),
                              .machine = host_machine()};
    derive_paths(&dirs);
    bool found = false;
    for (size_t i = 0; i < LIBC_LIB_DIRS && !found; i++) {
        char *libc = xasprintf("%s/libc.so.6", dirs.lib_dirs[i]);
        found = access(libc, F_OK) == 0;
        free(libc);
    }
    libc_build_free(&dirs);
    char *pattern = xasprintf("%s/*-linux-gnu/sysroot", root);
    glob_t g;
    int rc = glob(pattern, GLOB_ONLYDIR, NULL, &g);
    found |= rc == 0 && g.gl_pathc > 0;
    if (rc == 0)
        globfree(&g);
    free(pattern);
    return found;
}

/* The build made for the glibc tree DIR: the build/tree-* whose `tree`
   names it, or the same directory by another path. */
static enum libc_open open_tree(const char *dir, struct libc_build *out, char *why, size_t len)
{
    char *real = realpath(dir, NULL);
    DIR *d = opendir(self_dir());
    if (!d)
        die_errno("opendir %s", self_dir());
    char *found = NULL;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (strncmp(e->d_name, "tree-", 5) != 0)
            continue;
        char *sub = xasprintf("%s/%s", self_dir(), e->d_name);
        char *tree = read_line(sub, STATICTLS_MARKER_TREE);
        char *tree_real = tree ? realpath(tree, NULL) : NULL;
        if (tree && (strcmp(tree, dir) == 0 || (real && tree_real && !strcmp(real, tree_real))))
            found = xstrdup(e->d_name);
        free(tree_real);
        free(tree);
        free(sub);
    }
    closedir(d);
    enum libc_open status = LIBC_OPEN_BAD_INPUT;
    if (found)
        status = open_tree_build(found, out, why, len);
    else if (!real)
        snprintf(why, len, "--libc-tree %s: no such directory (%s VERSION SOURCE builds an "
                           "upstream release into the cache)", dir,
                 statictls_script("build-glibc.sh"));
    else if (!holds_libc(real))
        snprintf(why, len, "--libc-tree %s: no glibc there (no libc.so.6 in its lib/, lib64/, "
                           "usr/lib64/ or multiarch directories, nor under */sysroot)", dir);
    else
        snprintf(why, len, "--libc-tree %s: no probe was built for this tree: configure with "
                           "-DSTATICTLS_LIBC_TREES=%s (its layout and release are read from its "
                           "files), build, and run again", dir, real);
    free(found);
    free(real);
    return status;
}

enum libc_open libc_build_open(const struct libc_choice *c, struct libc_build *out, char *why,
                               size_t len)
{
    if (c->how == LIBC_CHOICE_ROOT)
        return open_root(c->value, out, why, len);
    if (c->how == LIBC_CHOICE_TREE)
        return open_tree(c->value, out, why, len);
    return find_build(c->how == LIBC_CHOICE_HOST ? NULL : c->value, out, why, len);
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

char *libc_build_platform(const struct libc_build *b, const char *libc, const char *version,
                          const char *machine)
{
    /* A sysroot whose distro file cannot be read is not the host's distro. */
    char *distro = b->distro ? xstrdup(b->distro) : b->root[0] ? xstrdup("unknown") : host_distro();
    char *platform = xasprintf("%s-%s-%s-%s", libc, version, distro, machine);
    free(distro);
    return platform;
}

char *libc_build_describe(const struct libc_build *b)
{
    if (strcmp(b->name, "musl") == 0)
        return xstrdup("musl-gcc build, the host's musl");
    if (b->tree)
        return xasprintf("glibc tree %s (%s%s)", b->tree,
                         b->distro && !strcmp(b->distro, "upstream")
                             ? "an upstream release built by build-glibc.sh; " : "",
                         b->layout ? b->layout : "");
    if (!b->root[0])
        return xstrdup("host libc");
    if (!b->package) /* e.g. the cache is another user's: still a sysroot */
        return xasprintf("%s sysroot (its Debian package version is not readable here)", b->name);
    const char *via = !b->loader ? "" : strstr(b->loader, "qemu-") ? ", under " : ", through ";
    const char *loader = !b->loader ? "" : strrchr(b->loader, '/') ? strrchr(b->loader, '/') + 1
                                                                    : b->loader;
    /* fetch-glibc.sh took Debian's cross packages where the suite lacks the
       architecture: their versions say "cross" (2.31-9cross4). */
    const char *deb_arch = NULL, *packages;
    if (strstr(b->package, "cross") && b->machine)
        foreign_needs(b->machine, &deb_arch, &packages);
    if (deb_arch)
        return xasprintf("Debian libc6-%s-cross %s (sysroot%s%s)", deb_arch, b->package, via,
                         loader);
    return xasprintf("Debian libc6 %s (sysroot%s%s)", b->package, via, loader);
}

/* "glibc-2.31-aarch64", "tree-glibc-2.17" by release, Debian's first. */
static int compare_builds(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int by_release = strverscmp(strstr(x, "glibc-") + 6, strstr(y, "glibc-") + 6);
    return by_release ? by_release : strcmp(x, y);
}

void libc_build_list_here(bool host, bool musl, struct libc_build_list *out)
{
    memset(out, 0, sizeof *out);
    char why[512];
    if (host)
        libc_build_find(NULL, XAPPEND(&out->items, &out->n), why, sizeof why);
    DIR *d = opendir(self_dir());
    if (!d)
        die_errno("opendir %s", self_dir());
    char **names = NULL;
    size_t nnames = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "glibc-", 6) == 0 || strncmp(e->d_name, "tree-glibc-", 11) == 0)
            *XAPPEND(&names, &nnames) = xstrdup(e->d_name);
    closedir(d);
    if (nnames)
        qsort(names, nnames, sizeof *names, compare_builds);
    if (musl)
        *XAPPEND(&names, &nnames) = xstrdup("musl");
    for (size_t i = 0; i < nnames; i++) {
        struct libc_build b;
        bool tree = strncmp(names[i], "tree-", 5) == 0;
        const char *version = strcmp(names[i], "musl") ? names[i] + 6 : names[i];
        if (tree ? open_tree_build(names[i], &b, why, sizeof why) == LIBC_OPEN_OK
                 : libc_build_find(version, &b, why, sizeof why))
            *XAPPEND(&out->items, &out->n) = b;
        free(names[i]);
    }
    free(names);
}

void libc_build_list_free(struct libc_build_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        libc_build_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}
