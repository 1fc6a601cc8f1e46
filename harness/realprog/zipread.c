#define _GNU_SOURCE
#include "zipread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "xalloc.h"

enum { IN_CHUNK = 65536 }; /* compressed bytes read at a time */

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int compare_offsets(const void *a, const void *b)
{
    const struct zip_entry *x = a, *y = b;
    return x->local < y->local ? -1 : x->local > y->local;
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

/* The zip64 extra field's values, in zipfile's order: each of the sizes
   and the offset that the fixed field gives as 0xffffffff. */
static void zip64_values(const unsigned char *extra, size_t xlen, struct zip_entry *e)
{
    for (size_t at = 0; at + 4 <= xlen;) {
        size_t elen = le(extra + at + 2, 2);
        if (at + 4 + elen > xlen)
            return;
        if (le(extra + at, 2) == 1) {
            const unsigned char *v = extra + at + 4, *end = v + elen;
            uint64_t *fields[] = {&e->usize, &e->csize, &e->local};
            for (size_t k = 0; k < 3; k++)
                if (*fields[k] == 0xffffffff && end - v >= 8)
                    *fields[k] = le(v, 8), v += 8;
            return;
        }
        at += 4 + elen;
    }
}

struct zip_entry *zip_entries(int fd, size_t *n)
{
    *n = 0;
    struct stat st;
    uint64_t offset, len;
    if (fstat(fd, &st) != 0 || !central_directory(fd, (uint64_t)st.st_size, &offset, &len))
        return NULL;
    unsigned char *cd = xmalloc(len ? (size_t)len : 1);
    struct zip_entry *entries = NULL;
    bool ok = pread(fd, cd, (size_t)len, (off_t)offset) == (ssize_t)len;
    for (uint64_t p = 0; ok && p < len;) {
        ok = len - p >= 46 && le(cd + p, 4) == 0x02014b50;
        if (!ok)
            break;
        size_t nlen = le(cd + p + 28, 2), xlen = le(cd + p + 30, 2), clen = le(cd + p + 32, 2);
        ok = len - p - 46 >= (uint64_t)nlen + xlen + clen;
        if (!ok)
            break;
        const unsigned char *h = cd + p, *name = h + 46;
        struct zip_entry e = {.local = le(h + 42, 4), .method = (unsigned)le(h + 10, 2),
                              .flags = (unsigned)le(h + 8, 2), .csize = le(h + 20, 4),
                              .usize = le(h + 24, 4)};
        zip64_values(name + nlen, xlen, &e);
        e.name = xasprintf("%.*s", (int)nlen, name);
        *XAPPEND(&entries, n) = e;
        p += 46 + nlen + xlen + clen;
    }
    free(cd);
    if (!ok) {
        zip_entries_free(entries, *n);
        *n = 0;
        return NULL;
    }
    if (*n)
        qsort(entries, *n, sizeof *entries, compare_offsets);
    return entries;
}

bool zip_local_agrees(int fd, const struct zip_entry *e)
{
    unsigned char h[30];
    if (pread(fd, h, sizeof h, (off_t)e->local) != (ssize_t)sizeof h || le(h, 4) != 0x04034b50)
        return true; /* no header to disagree: zip_data_open says so */
    if (le(h + 8, 2) != e->method)
        return false;
    if (le(h + 6, 2) & 8) /* the sizes follow the data */
        return true;
    uint64_t csize = le(h + 18, 4), usize = le(h + 22, 4);
    return (csize == 0xffffffff || csize == e->csize) && (usize == 0xffffffff || usize == e->usize);
}

void zip_entries_free(struct zip_entry *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(entries[i].name);
    free(entries);
}

/* What zipfile calls each compression it reads (Python 3.14 adds zstd). */
static const char *zipfile_reads(unsigned method)
{
    return method == 12 ? "bzip2" : method == 14 ? "lzma" : method == 93 ? "zstd" : NULL;
}

enum zip_open zip_data_open(struct zip_data *d, int fd, uint64_t size, const struct zip_entry *e,
                            char *why, size_t len)
{
    memset(d, 0, sizeof *d);
    if (e->flags & 1) {
        snprintf(why, len, "it is encrypted (pip cannot install it either)");
        return ZIP_OPEN_BROKEN;
    }
    if (e->method != 0 && e->method != 8) {
        if (zipfile_reads(e->method)) {
            snprintf(why, len, "its mode makes libarchive give none of its bytes, and census reads "
                     "them only stored or deflated, not %s (method %u) as pip does: not judged",
                     zipfile_reads(e->method), e->method);
            return ZIP_OPEN_UNSUPPORTED;
        }
        snprintf(why, len, "compression method %u, which pip cannot read either", e->method);
        return ZIP_OPEN_BROKEN;
    }
    /* The local header: zipfile takes the sizes from the central directory
       and skips the header's name and extra field, whose name must be the
       directory's. */
    unsigned char h[30];
    size_t nlen = strlen(e->name);
    char *name = xmalloc(nlen + 1);
    bool ok = e->local <= size && size - e->local >= sizeof h &&
              pread(fd, h, sizeof h, (off_t)e->local) == (ssize_t)sizeof h &&
              le(h, 4) == 0x04034b50 && le(h + 26, 2) == nlen &&
              pread(fd, name, nlen, (off_t)(e->local + sizeof h)) == (ssize_t)nlen &&
              memcmp(name, e->name, nlen) == 0;
    free(name);
    if (!ok) {
        snprintf(why, len, "its local header is not there or names another member");
        return ZIP_OPEN_BROKEN;
    }
    uint64_t data = e->local + sizeof h + nlen + le(h + 28, 2);
    if (data > size || size - data < e->csize) {
        snprintf(why, len, "its data lies past the end of the archive");
        return ZIP_OPEN_BROKEN;
    }
    *d = (struct zip_data){.fd = fd, .method = e->method, .at = data, .in_left = e->csize,
                           .left = e->usize};
    if (e->method == 8) {
        if (inflateInit2(&d->z, -MAX_WBITS) != Z_OK) /* a raw deflate stream, as zip has */
            die("zlib: inflateInit2: %s", d->z.msg ? d->z.msg : "no memory");
        d->inflating = true;
        d->in = xmalloc(IN_CHUNK);
    }
    return ZIP_OPEN_OK;
}

/* The next compressed bytes into d->in for zlib; false with d->why. */
static bool refill(struct zip_data *d)
{
    size_t want = d->in_left < IN_CHUNK ? (size_t)d->in_left : IN_CHUNK;
    ssize_t n = pread(d->fd, d->in, want, (off_t)d->at);
    if (n != (ssize_t)want) {
        snprintf(d->why, sizeof d->why, "its data cannot be read: %s",
                 n < 0 ? strerror(errno) : "the archive is shorter than its directory says");
        return false;
    }
    d->at += want, d->in_left -= want;
    d->z.next_in = d->in;
    d->z.avail_in = (uInt)want;
    return true;
}

ssize_t zip_data_read(struct zip_data *d, void *buf, size_t len)
{
    if (len > d->left)
        len = (size_t)d->left;
    if (len > (size_t)1 << 30)
        len = (size_t)1 << 30; /* what one call of zlib or read takes */
    if (!len)
        return 0;
    if (!d->inflating) {
        if (!d->in_left)
            return 0; /* stored, and shorter than its directory says */
        ssize_t n = pread(d->fd, buf, len < d->in_left ? len : (size_t)d->in_left, (off_t)d->at);
        if (n <= 0) {
            snprintf(d->why, sizeof d->why, "its data cannot be read: %s",
                     n < 0 ? strerror(errno) : "the archive is shorter than its directory says");
            return -1;
        }
        d->at += (uint64_t)n, d->in_left -= (uint64_t)n, d->left -= (uint64_t)n;
        return n;
    }
    d->z.next_out = buf;
    d->z.avail_out = (uInt)len;
    while (d->z.avail_out == len) {
        if (!d->z.avail_in && d->in_left && !refill(d))
            return -1;
        int r = inflate(&d->z, Z_NO_FLUSH);
        if (r == Z_STREAM_END && d->z.avail_out == len)
            break; /* fewer bytes than the directory says: zipfile's EOF */
        if (r != Z_OK && r != Z_STREAM_END && !(r == Z_BUF_ERROR && d->in_left)) {
            snprintf(d->why, sizeof d->why, "its deflated data is corrupt: %s",
                     d->z.msg ? d->z.msg : r == Z_BUF_ERROR ? "cut short" : "zlib said so");
            return -1;
        }
    }
    size_t n = len - d->z.avail_out;
    d->left -= n;
    if (!n)
        d->left = 0; /* the stream ended */
    return (ssize_t)n;
}

void zip_data_close(struct zip_data *d)
{
    if (d->inflating)
        inflateEnd(&d->z);
    free(d->in);
    memset(d, 0, sizeof *d);
}
