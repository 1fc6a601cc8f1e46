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
#include "zipread.h"
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
    bool raw;      /* read through zipread.h, not libarchive, in every pass */
};

/* Removes m's copy, if it made one. */
static void remove_copy(struct member *m)
{
    if (m->created && unlink(m->copy) != 0)
        die_errno("remove %s", m->copy);
    m->created = false;
}

/* Whether lib, libarchive's name of a member, is raw's name with each
   backslash made '/' (libarchive's way), or with a '/' added (libarchive
   adds one to a member whose mode says directory). */
static bool same_member(const char *raw, const char *lib)
{
    size_t i = 0;
    for (; raw[i] && lib[i]; i++)
        if (raw[i] != lib[i] && !(raw[i] == '\\' && lib[i] == '/'))
            return false;
    return !raw[i] && (!lib[i] || (lib[i] == '/' && !lib[i + 1]));
}

/* The name of member index: the central directory's (as pip spells it)
   where libarchive's is that one its way, else libarchive's. */
static const char *pip_name(const struct zip_entry *raw, size_t nraw, size_t index, const char *lib)
{
    return index < nraw && same_member(raw[index].name, lib) ? raw[index].name : lib;
}

struct extraction {
    const struct archive_lib *lib;
    int fd;
    uint64_t size; /* the archive's */
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
    char ***unjudged;
    size_t *nunjudged;
    unsigned char *buf;
    struct zip_entry *raw; /* the central directory (zip_entries) */
    size_t nraw;
};

enum { NO_MEMBER = -1 };

/* Where the bytes of the member being read come from: libarchive's
   current entry, or (zip set) the zip read here. */
struct source {
    struct archive *a;
    struct zip_data *zip;
};

/* libarchive's last error (it may have none to say), or the zip reader's. */
static const char *source_why(const struct extraction *x, const struct source *s)
{
    if (s->zip)
        return s->zip->why;
    const char *why = x->lib->archive_error_string(s->a);
    return why ? why : "libarchive gave no reason";
}

static la_ssize_t source_read(const struct extraction *x, struct source *s, void *buf, size_t len)
{
    return s->zip ? zip_data_read(s->zip, buf, len) : x->lib->archive_read_data(s->a, buf, len);
}

static void problem(struct extraction *x, const char *name, const char *why)
{
    *XAPPEND(x->problems, x->nproblems) = xasprintf("%s!/%s: %s", x->path, name, why);
}

/* A member pip installs whose bytes census could not read. */
static void unjudged(struct extraction *x, const char *name, const char *why)
{
    *XAPPEND(x->unjudged, x->nunjudged) = xasprintf("%s!/%s: %s", x->path, name, why);
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
static void read_member(struct extraction *x, struct source *src, struct member *m,
                        la_ssize_t have)
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
            m->problem = xstrdup(source_why(x, src));
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
        n = source_read(x, src, x->buf, CHUNK);
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
   or a negative status. */
static la_ssize_t read_start(struct extraction *x, struct source *src)
{
    la_ssize_t have = 0, n;
    do {
        n = source_read(x, src, x->buf + have, CHUNK - (size_t)have);
        have += n > 0 ? n : 0;
    } while (n > 0 && have < 4);
    return n < 0 ? n : have;
}

/* A member met on the first pass over the archive. */
static void first_read(struct extraction *x, struct source *src, size_t index, const char *name)
{
    la_ssize_t have = read_start(x, src);
    char *rel = normalised(name);
    if (have < 0) {
        problem(x, name, source_why(x, src));
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
                         .copy = xasprintf("%s/%s", x->dir, rel), .raw = src->zip != NULL};
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
            read_member(x, src, m, have);
    }
    free(rel);
}

/* Member index of the central directory, read here from its local header
   as pip's zipfile reads it: first (met on the first pass) or again for m. */
static void read_raw(struct extraction *x, size_t index, const char *name, struct member *m)
{
    struct zip_data z;
    char why[512];
    enum zip_open o = zip_data_open(&z, x->fd, x->size, &x->raw[index], why, sizeof why);
    if (o != ZIP_OPEN_OK && m) {
        m->problem = xstrdup(why);
        return;
    }
    if (o != ZIP_OPEN_OK) {
        if (o == ZIP_OPEN_UNSUPPORTED)
            unjudged(x, name, why);
        else
            problem(x, name, why);
        char *rel = normalised(name); /* it replaces an earlier copy all the same */
        if (rel)
            install_as(x, rel, (size_t)NO_MEMBER);
        free(rel);
        return;
    }
    struct source src = {.zip = &z};
    if (m)
        read_member(x, &src, m, read_start(x, &src));
    else
        first_read(x, &src, index, name);
    zip_data_close(&z);
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
        snprintf(err, errlen, "%s: not a readable zip archive: %s", x->path,
                 source_why(x, &(struct source){.a = a}));
        x->lib->archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Whether m wants another read. */
static bool wants_again(const struct member *m)
{
    return !m->replaced && !m->problem && m->state == ELF_NEED_AGAIN;
}

/* The member to read through libarchive next on this pass: the first one
   from *next that wants another read. */
static struct member *next_again(struct extraction *x, size_t *next)
{
    for (; *next < x->nmembers; (*next)++) {
        struct member *m = &x->members[*next];
        if (!m->raw && wants_again(m))
            return m;
    }
    return NULL;
}

/* A member libarchive met but gives no bytes of (its zip mode is no
   regular file's), read from the central directory's entry of the same
   place where it is that member; pip writes it as a file all the same. */
static void first_read_special(struct extraction *x, size_t index, const char *lib_name)
{
    if (index >= x->nraw || !same_member(x->raw[index].name, lib_name)) {
        unjudged(x, lib_name, "its zip mode makes libarchive give none of its bytes, and the "
                              "central directory does not list it where libarchive does");
        return;
    }
    const char *name = x->raw[index].name;
    size_t namelen = strlen(name);
    if (namelen && name[namelen - 1] == '/')
        return; /* a directory by its name: pip makes none */
    read_raw(x, index, name, NULL);
}

/* libarchive stops at a member it refuses, such as one whose mode says
   symbolic link and whose bytes are more than it takes for a link's
   target, or cannot open the archive at all; pip installs that member and
   the ones after it, which are read here from the central directory on
   from index. */
static void read_rest_raw(struct extraction *x, size_t index)
{
    for (; index < x->nraw; index++) {
        const char *name = x->raw[index].name;
        size_t namelen = strlen(name);
        if (!namelen || name[namelen - 1] != '/')
            read_raw(x, index, name, NULL);
    }
}

/* One pass over the archive: the first meets every member; the others
   read again the members whose copies want it.  False with err when the
   archive cannot be read to its end (or, after the first, to the last
   member wanted). */
static bool pass(struct extraction *x, bool first, char *err, size_t errlen)
{
    if (!first) /* those read here, each from its own place */
        for (size_t i = 0; i < x->nmembers; i++)
            if (x->members[i].raw && wants_again(&x->members[i]))
                read_raw(x, x->members[i].index, x->members[i].name, &x->members[i]);
    size_t next = 0;
    struct member *want = first ? NULL : next_again(x, &next);
    if (!first && !want)
        return true;
    struct archive *a = open_archive(x, err, errlen);
    if (!a && first && x->nraw) {
        read_rest_raw(x, 0);
        return true;
    }
    if (!a)
        return false;
    struct archive_entry *e;
    int r = ARCHIVE_OK;
    size_t index = 0;
    for (; (first || want) &&
           ((r = x->lib->archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN);
         index++) {
        /* UTF-8 whatever the locale: the name in the locale's charset is
           NULL for a non-ASCII name under the C locale. */
        const char *name = x->lib->archive_entry_pathname_utf8(e);
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
           (a symbolic link, a device, a socket, a directory), and
           libarchive gives none of the bytes of one that is no regular
           file's: those are read here. */
        if (x->lib->archive_entry_filetype(e) != AE_IFREG) {
            if (first)
                first_read_special(x, index, name);
            continue;
        }
        /* A local header that says other sizes or another method than the
           central directory: libarchive would read other bytes than pip
           installs, so the member is read as zipfile reads it. */
        if (first && index < x->nraw && same_member(x->raw[index].name, name) &&
            !zip_local_agrees(x->fd, &x->raw[index])) {
            size_t rawlen = strlen(x->raw[index].name);
            if (rawlen && x->raw[index].name[rawlen - 1] != '/')
                read_raw(x, index, x->raw[index].name, NULL);
            continue;
        }
        name = pip_name(x->raw, x->nraw, index, name);
        size_t namelen = strlen(name);
        if (namelen && name[namelen - 1] == '/')
            continue;
        struct source src = {.a = a};
        if (first) {
            first_read(x, &src, index, name);
        } else if (want->index == index) {
            if (strcmp(want->name, name) != 0)
                want->problem = xstrdup("the archive changed while it was read");
            else
                read_member(x, &src, want, read_start(x, &src));
            next++;
            want = next_again(x, &next);
        }
    }
    bool ok = first ? r == ARCHIVE_EOF : !want;
    if (first && !ok && index < x->nraw) {
        read_rest_raw(x, index);
        ok = true;
    }
    if (!ok)
        snprintf(err, errlen, "%s: %s", x->path,
                 r == ARCHIVE_EOF ? "the archive changed while it was read"
                                  : source_why(x, &(struct source){.a = a}));
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
    zip_entries_free(x->raw, x->nraw);
}

bool wheel_extract(int fd, const char *path, const char *dir, uint64_t read_max,
                   struct wheel_findings *found, char *err, size_t errlen)
{
    struct archive_lib lib;
    char why[512];
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
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
    struct extraction x = {.lib = &lib, .fd = fd, .size = (uint64_t)st.st_size, .path = path,
                           .dir = dir, .read_max = read_max,
                           .problems = &found->unreadable, .nproblems = &found->nunreadable,
                           .unjudged = &found->unjudged, .nunjudged = &found->nunjudged,
                           .buf = xmalloc(CHUNK)};
    x.raw = zip_entries(fd, &x.nraw);
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
