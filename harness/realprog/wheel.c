#define _GNU_SOURCE
#include "wheel.h"

#include <errno.h>
#include <locale.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivelib.h"
#include "die.h"
#include "elfneed.h"
#include "strmap.h"
#include "xalloc.h"

enum { CHUNK = 65536 }; /* bytes of a member read at a time */

bool wheel_named(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".whl") == 0;
}

/* name as the file pip makes of it (os.path.normpath): its components
   without empty ones and ".", a ".." taking away the one before it, joined
   by '/'; NULL for a name that is absolute, goes above the archive's root
   (pip refuses it) or names nothing. */
static char *normalised(const char *name)
{
    if (name[0] == '/')
        return NULL;
    char *out = xmalloc(strlen(name) + 1), *o = out;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && strncmp(p, "..", 2) == 0) {
            if (o == out) { /* above the root */
                free(out);
                return NULL;
            }
            while (o > out && o[-1] != '/')
                o--;
            if (o > out)
                o--; /* the '/' before the component taken away */
        } else if (n && !(n == 1 && p[0] == '.')) {
            if (o != out)
                *o++ = '/';
            memcpy(o, p, n);
            o += n;
        }
        p += n + (p[n] == '/');
    }
    *o = '\0';
    if (o == out) {
        free(out);
        return NULL;
    }
    return out;
}

/* An ELF member being copied. */
struct member {
    size_t index;  /* its place in the archive, from 0 */
    char *name;    /* as the archive names it */
    char *copy;    /* its copy: DIR/NAME, normalised */
    struct elf_need need;
    enum elf_need_state state;
    char *problem; /* why it cannot be read, or NULL */
    bool created;  /* its copy exists */
    bool replaced; /* a later member of the same name is what pip installs */
};

/* Removes m's copy, if it made one. */
static void remove_copy(struct member *m)
{
    if (m->created && unlink(m->copy) != 0)
        die_errno("remove %s", m->copy);
    m->created = false;
}

/* The member names as the zip's central directory spells them, in the
   order of their local headers, which is the order libarchive's seekable
   reader gives the members in.  libarchive turns each backslash of a name
   into '/', but on Linux pip keeps it: `pkg\lib.so` is a file of its own
   beside `pkg/lib.so`.  NULL (n 0) where the directory cannot be read
   so, and a name that is not libarchive's with '/' for backslashes is not
   used (pip_name): then libarchive's names stand. */
struct raw_name {
    uint64_t offset;
    char *name;
};

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int compare_offsets(const void *a, const void *b)
{
    const struct raw_name *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The central directory's place and size from the end of the file (the
   zip64 record where the classic one says 0xffffffff); false when there is
   none libarchive would take as it is. */
static bool central_directory(int fd, uint64_t size, uint64_t *offset, uint64_t *len)
{
    enum { EOCD = 22, TAIL = EOCD + 65535 };
    size_t tail = size < TAIL ? (size_t)size : TAIL;
    unsigned char *buf = xmalloc(tail ? tail : 1);
    bool found = false;
    if (pread(fd, buf, tail, (off_t)(size - tail)) == (ssize_t)tail)
        for (size_t i = tail >= EOCD ? tail - EOCD + 1 : 0; i-- > 0 && !found;)
            if (le(buf + i, 4) == 0x06054b50 && i + EOCD + le(buf + i + 20, 2) == tail) {
                found = true;
                *len = le(buf + i + 12, 4);
                *offset = le(buf + i + 16, 4);
                uint64_t eocd = size - tail + i;
                if ((*offset == 0xffffffff || *len == 0xffffffff) && i >= 20 &&
                    le(buf + i - 20, 4) == 0x07064b50) {
                    unsigned char z[56];
                    uint64_t at = le(buf + i - 12, 8);
                    found = pread(fd, z, sizeof z, (off_t)at) == (ssize_t)sizeof z &&
                            le(z, 4) == 0x06064b50;
                    if (found)
                        *len = le(z + 40, 8), *offset = le(z + 48, 8), eocd = at;
                }
                found = found && *offset <= eocd && *len <= eocd - *offset;
            }
    free(buf);
    return found;
}

static struct raw_name *raw_names(int fd, size_t *n)
{
    *n = 0;
    struct stat st;
    uint64_t offset, len;
    if (fstat(fd, &st) != 0 || !central_directory(fd, (uint64_t)st.st_size, &offset, &len))
        return NULL;
    unsigned char *cd = xmalloc(len ? (size_t)len : 1);
    struct raw_name *names = NULL;
    bool ok = pread(fd, cd, (size_t)len, (off_t)offset) == (ssize_t)len;
    for (uint64_t p = 0; ok && p < len;) {
        ok = len - p >= 46 && le(cd + p, 4) == 0x02014b50;
        if (!ok)
            break;
        size_t nlen = le(cd + p + 28, 2), xlen = le(cd + p + 30, 2), clen = le(cd + p + 32, 2);
        ok = len - p - 46 >= (uint64_t)nlen + xlen + clen;
        if (!ok)
            break;
        const unsigned char *name = cd + p + 46, *extra = name + nlen;
        uint64_t local = le(cd + p + 42, 4);
        for (size_t e = 0; local == 0xffffffff && e + 4 <= xlen;) { /* zip64: its last field */
            size_t elen = le(extra + e + 2, 2);
            if (le(extra + e, 2) == 1 && elen >= 8 && e + 4 + elen <= xlen)
                local = le(extra + e + 4 + elen - 8, 8);
            e += 4 + elen;
        }
        *XAPPEND(&names, n) = (struct raw_name){local, xasprintf("%.*s", (int)nlen, name)};
        p += 46 + nlen + xlen + clen;
    }
    free(cd);
    if (!ok) {
        for (size_t i = 0; i < *n; i++)
            free(names[i].name);
        free(names);
        *n = 0;
        return NULL;
    }
    if (*n)
        qsort(names, *n, sizeof *names, compare_offsets);
    return names;
}

/* The name of member index: the central directory's where it is
   libarchive's name with its backslashes kept, else libarchive's. */
static const char *pip_name(const struct raw_name *raw, size_t nraw, size_t index, const char *lib)
{
    if (index >= nraw || strlen(raw[index].name) != strlen(lib))
        return lib;
    const char *r = raw[index].name;
    for (size_t i = 0; lib[i]; i++)
        if (r[i] != lib[i] && !(r[i] == '\\' && lib[i] == '/'))
            return lib;
    return r;
}

struct extraction {
    const struct archive_lib *lib;
    int fd;
    const char *path, *dir;
    uint64_t read_max;
    struct member *members;
    size_t nmembers;
    /* Each normalised name, and which member pip would install under it:
       holder[slot] is an index into members, or NO_MEMBER for a member
       that is no ELF object (it replaces an ELF one all the same). */
    struct strmap names;
    size_t *holder;
    size_t nholders;
    char ***problems;
    size_t *nproblems;
    unsigned char *buf;
    struct raw_name *raw; /* raw_names */
    size_t nraw;
};

enum { NO_MEMBER = -1 };

/* libarchive's last error (it may have none to say). */
static const char *archive_why(const struct extraction *x, struct archive *a)
{
    const char *why = x->lib->archive_error_string(a);
    return why ? why : "libarchive gave no reason";
}

static void problem(struct extraction *x, const char *name, const char *why)
{
    *XAPPEND(x->problems, x->nproblems) = xasprintf("%s!/%s: %s", x->path, name, why);
}

/* member (or NO_MEMBER) is now the one installed as rel: an earlier one
   of that name is replaced, and its copy removed. */
static void install_as(struct extraction *x, const char *rel, size_t member)
{
    size_t slot;
    if (!strmap_get(&x->names, rel, &slot)) {
        slot = x->nholders;
        *XAPPEND(&x->holder, &x->nholders) = member;
        strmap_put(&x->names, rel, slot);
        return;
    }
    size_t old = x->holder[slot];
    if (old != (size_t)NO_MEMBER) {
        x->members[old].replaced = true;
        remove_copy(&x->members[old]);
    }
    x->holder[slot] = member;
}

/* The directories of rel under dir; false with why. */
static bool make_parents(const char *dir, const char *rel, char *why, size_t len)
{
    char *path = xasprintf("%s/%s", dir, rel);
    bool ok = true;
    for (char *s = path + strlen(dir) + 1; ok && (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(why, len, "cannot copy it into TMPDIR: %s", strerror(errno));
            ok = false;
        }
        *s = '/';
    }
    free(path);
    return ok;
}

/* One read of member m, whose first `have` bytes are in x->buf: as far as
   its copy needs, and never past read_max. */
static void read_member(struct extraction *x, struct archive *a, struct member *m, la_ssize_t have)
{
    int out = open(m->copy, O_WRONLY | O_CLOEXEC);
    if (out < 0) {
        m->problem = xasprintf("cannot copy it into TMPDIR: %s", strerror(errno));
        return;
    }
    m->need.out = out;
    elf_need_start_read(&m->need);
    uint64_t pos = 0;
    bool eof = false;
    char why[256];
    for (la_ssize_t n = have; !m->problem;) {
        if (n < 0) {
            m->problem = xstrdup(archive_why(x, a));
            break;
        }
        if (n == 0) {
            eof = true;
            break;
        }
        size_t len = (uint64_t)n < x->read_max - pos ? (size_t)n : (size_t)(x->read_max - pos);
        if (!elf_need_feed(&m->need, pos, x->buf, len, why, sizeof why))
            m->problem = xasprintf("cannot copy it into TMPDIR: %s", why);
        pos += len;
        if (pos >= x->read_max || !elf_need_wants(&m->need, pos))
            break;
        n = x->lib->archive_read_data(a, x->buf, CHUNK);
    }
    if (!m->problem) {
        m->state = elf_need_end_read(&m->need, pos, eof);
        if (m->state == ELF_NEED_SHORT)
            m->problem = xasprintf("what the census reads of it lies past its first %llu bytes "
                                   "(census --max-member-read raises the limit)",
                                   (unsigned long long)x->read_max);
        else if (m->state == ELF_NEED_REFUSED)
            m->problem = xstrdup(m->need.problem);
        else if (m->state == ELF_NEED_COPIED &&
                 ftruncate(out, (off_t)elf_need_size(&m->need)) != 0)
            m->problem = xasprintf("cannot copy it into TMPDIR: %s", strerror(errno));
    }
    if (close(out) != 0 && !m->problem)
        m->problem = xasprintf("cannot copy it into TMPDIR: %s", strerror(errno));
    m->need.out = -1;
}

/* The member's first bytes into x->buf: at least the 4 of ELF's magic
   unless it is shorter (libarchive may give a block at a time); how many,
   or a negative libarchive status. */
static la_ssize_t read_start(struct extraction *x, struct archive *a)
{
    la_ssize_t have = 0, n;
    do {
        n = x->lib->archive_read_data(a, x->buf + have, CHUNK - (size_t)have);
        have += n > 0 ? n : 0;
    } while (n > 0 && have < 4);
    return n < 0 ? n : have;
}

/* A regular member met on the first pass over the archive. */
static void first_read(struct extraction *x, struct archive *a, size_t index, const char *name)
{
    la_ssize_t have = read_start(x, a);
    char *rel = normalised(name);
    if (have < 0) {
        problem(x, name, archive_why(x, a));
        if (rel)
            install_as(x, rel, (size_t)NO_MEMBER);
        free(rel);
        return;
    }
    if (have < 4 || memcmp(x->buf, "\177ELF", 4) != 0) {
        if (rel)
            install_as(x, rel, (size_t)NO_MEMBER);
        free(rel);
        return;
    }
    if (!rel) {
        problem(x, name, "an unsafe member name (absolute, above the root or naming no file)");
        return;
    }
    size_t i = x->nmembers;
    struct member *m = XAPPEND(&x->members, &x->nmembers);
    *m = (struct member){.index = index, .name = xstrdup(name),
                         .copy = xasprintf("%s/%s", x->dir, rel)};
    elf_need_init(&m->need, -1);
    install_as(x, rel, i);
    char why[256];
    if (!make_parents(x->dir, rel, why, sizeof why)) {
        m->problem = xstrdup(why);
    } else {
        int fd = open(m->copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        m->created = fd >= 0;
        if (fd < 0 || close(fd) != 0)
            m->problem = xasprintf("cannot copy it into TMPDIR: %s", strerror(errno));
        else
            read_member(x, a, m, have);
    }
    free(rel);
}

static struct archive *open_archive(struct extraction *x, char *err, size_t errlen)
{
    if (lseek(x->fd, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "%s: %s", x->path, strerror(errno));
        return NULL;
    }
    struct archive *a = x->lib->archive_read_new();
    if (!a)
        die("libarchive: archive_read_new failed");
    if (x->lib->archive_read_support_format_zip(a) != ARCHIVE_OK)
        die("libarchive: no zip support: %s", x->lib->archive_error_string(a));
    if (x->lib->archive_read_open_fd(a, x->fd, CHUNK) != ARCHIVE_OK) {
        snprintf(err, errlen, "%s: not a readable zip archive: %s", x->path, archive_why(x, a));
        x->lib->archive_read_free(a);
        return NULL;
    }
    return a;
}

/* The member to read next on this pass: the first one from *next that
   wants another read. */
static struct member *next_again(struct extraction *x, size_t *next)
{
    for (; *next < x->nmembers; (*next)++) {
        struct member *m = &x->members[*next];
        if (!m->replaced && !m->problem && m->state == ELF_NEED_AGAIN)
            return m;
    }
    return NULL;
}

/* One pass over the archive: the first meets every member; the others
   read again the members whose copies want it.  False with err when the
   archive cannot be read to its end (or, after the first, to the last
   member wanted). */
static bool pass(struct extraction *x, bool first, char *err, size_t errlen)
{
    size_t next = 0;
    struct member *want = first ? NULL : next_again(x, &next);
    if (!first && !want)
        return true;
    struct archive *a = open_archive(x, err, errlen);
    if (!a)
        return false;
    struct archive_entry *e;
    int r = ARCHIVE_OK;
    for (size_t index = 0;
         (first || want) &&
         ((r = x->lib->archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN);
         index++) {
        /* UTF-8 whatever the locale: the name in the locale's charset is
           NULL for a non-ASCII name under the C locale. */
        const char *name = x->lib->archive_entry_pathname_utf8(e);
        if (name)
            name = pip_name(x->raw, x->nraw, index, name);
        if (!name) {
            if (first) {
                char *shown = xasprintf("(member %zu)", index + 1);
                problem(x, shown, "its name cannot be read as UTF-8");
                free(shown);
            }
            continue;
        }
        /* pip writes every member whose name does not end in '/' as a
           regular file holding its bytes, whatever the zip's mode says
           (a symbolic link, a device, a socket, a directory). */
        size_t namelen = strlen(name);
        if (namelen && name[namelen - 1] == '/')
            continue;
        if (first) {
            first_read(x, a, index, name);
        } else if (want->index == index) {
            if (strcmp(want->name, name) != 0)
                want->problem = xstrdup("the archive changed while it was read");
            else
                read_member(x, a, want, read_start(x, a));
            next++;
            want = next_again(x, &next);
        }
    }
    bool ok = first ? r == ARCHIVE_EOF : !want;
    if (!ok)
        snprintf(err, errlen, "%s: %s", x->path,
                 r == ARCHIVE_EOF ? "the archive changed while it was read" : archive_why(x, a));
    x->lib->archive_read_free(a);
    return ok;
}

/* Every member kept is complete or says why it is not; the copies of the
   others are removed. */
static void finish(struct extraction *x)
{
    for (size_t i = 0; i < x->nmembers; i++) {
        struct member *m = &x->members[i];
        if (!m->replaced && !m->problem && m->state != ELF_NEED_COPIED)
            m->problem = xstrdup("its parts were not all found in the reads allowed");
        if (!m->replaced && m->problem) {
            problem(x, m->name, m->problem);
            remove_copy(m);
        }
        elf_need_free(&m->need);
        free(m->name), free(m->copy), free(m->problem);
    }
    free(x->members);
    free(x->holder);
    strmap_free(&x->names);
    for (size_t i = 0; i < x->nraw; i++)
        free(x->raw[i].name);
    free(x->raw);
}

bool wheel_extract(int fd, const char *path, const char *dir, uint64_t read_max,
                   char ***problems, size_t *nproblems, char *err, size_t errlen)
{
    struct archive_lib lib;
    char why[512];
    if (!archive_lib_open(&lib, ARCHIVE_LIB_SONAME, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        return false;
    }
    /* libarchive converts member names to the locale's charset, and under
       the C locale a non-ASCII name does not convert: names are read in
       this thread under C.UTF-8 (the process's locale is left alone). */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!utf8) {
        snprintf(err, errlen, "%s: no C.UTF-8 locale to read member names in: %s", path,
                 strerror(errno));
        archive_lib_close(&lib);
        return false;
    }
    locale_t before = uselocale(utf8);
    if (before == (locale_t)0)
        die_errno("uselocale");
    struct extraction x = {.lib = &lib, .fd = fd, .path = path, .dir = dir,
                           .read_max = read_max, .problems = problems,
                           .nproblems = nproblems, .buf = xmalloc(CHUNK)};
    x.raw = raw_names(fd, &x.nraw);
    bool ok = pass(&x, true, err, errlen);
    /* Each further pass reads what the one before found to lie behind it. */
    for (int k = 1; k < ELF_NEED_READS; k++) {
        char again_err[512];
        if (!pass(&x, false, again_err, sizeof again_err)) {
            for (size_t next = 0; next_again(&x, &next); next++)
                x.members[next].problem = xasprintf("cannot be read again: %s", again_err);
            break;
        }
    }
    finish(&x);
    free(x.buf);
    archive_lib_close(&lib);
    if (uselocale(before) == (locale_t)0)
        die_errno("uselocale");
    freelocale(utf8);
    return ok;
}
