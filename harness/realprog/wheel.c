#define _GNU_SOURCE
#include "wheel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivelib.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"

bool wheel_named(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".whl") == 0;
}

/* Relative, and never above the archive's root. */
static bool safe_name(const char *name)
{
    if (!*name || name[0] == '/')
        return false;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && strncmp(p, "..", 2) == 0)
            return false;
        p += n + (p[n] == '/');
    }
    return true;
}

/* Writes the member being read to out, its first `have` bytes already in
   head; false with why. */
static bool copy_member(const struct archive_lib *lib, struct archive *a,
                        const unsigned char *head, size_t have, const char *out, char *why,
                        size_t len)
{
    char *dir = xstrdup(out);
    *strrchr(dir, '/') = '\0';
    make_dirs(dir);
    free(dir);
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(why, len, "%s", strerror(errno));
        return false;
    }
    bool ok = write(fd, head, have) == (ssize_t)have;
    unsigned char buf[65536];
    la_ssize_t n;
    while (ok && (n = lib->archive_read_data(a, buf, sizeof buf)) > 0)
        ok = write(fd, buf, (size_t)n) == n;
    if (ok && n < 0)
        snprintf(why, len, "%s", lib->archive_error_string(a)), ok = false;
    else if (!ok)
        snprintf(why, len, "write %s: %s", out, strerror(errno));
    if (close(fd) != 0 && ok)
        snprintf(why, len, "close %s: %s", out, strerror(errno)), ok = false;
    return ok;
}

/* Copies the ELF members of the archive open in a into dir. */
static bool extract(const struct archive_lib *lib, struct archive *a, const char *path,
                    const char *dir, char ***problems, size_t *nproblems, char *err,
                    size_t errlen)
{
    struct archive_entry *e;
    int r;
    while ((r = lib->archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        const char *name = lib->archive_entry_pathname(e);
        if (lib->archive_entry_filetype(e) != AE_IFREG || !name)
            continue;
        unsigned char head[4];
        la_ssize_t have = lib->archive_read_data(a, head, sizeof head);
        if (have < 0) {
            *XAPPEND(problems, nproblems) =
                xasprintf("%s!/%s: %s", path, name, lib->archive_error_string(a));
            continue;
        }
        if (have < 4 || memcmp(head, "\177ELF", 4) != 0)
            continue;
        char why[512];
        if (!safe_name(name)) {
            *XAPPEND(problems, nproblems) =
                xasprintf("%s!/%s: an unsafe member name (absolute or with ..)", path, name);
            continue;
        }
        char *out = xasprintf("%s/%s", dir, name);
        if (!copy_member(lib, a, head, (size_t)have, out, why, sizeof why))
            *XAPPEND(problems, nproblems) = xasprintf("%s!/%s: %s", path, name, why);
        free(out);
    }
    if (r != ARCHIVE_EOF)
        snprintf(err, errlen, "%s: %s", path, lib->archive_error_string(a));
    return r == ARCHIVE_EOF;
}

bool wheel_extract(int fd, const char *path, const char *dir, char ***problems,
                   size_t *nproblems, char *err, size_t errlen)
{
    struct archive_lib lib;
    char why[512];
    if (!archive_lib_open(&lib, ARCHIVE_LIB_SONAME, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        return false;
    }
    struct archive *a = lib.archive_read_new();
    if (!a)
        die("libarchive: archive_read_new failed");
    if (lib.archive_read_support_format_zip(a) != ARCHIVE_OK)
        die("libarchive: no zip support: %s", lib.archive_error_string(a));
    bool ok;
    if (lib.archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        snprintf(err, errlen, "%s: not a readable zip archive: %s", path,
                 lib.archive_error_string(a));
        ok = false;
    } else {
        ok = extract(&lib, a, path, dir, problems, nproblems, err, errlen);
    }
    lib.archive_read_free(a);
    archive_lib_close(&lib);
    return ok;
}
