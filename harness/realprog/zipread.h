/* A zip archive read as Python's zipfile reads it, which is how pip
   installs a wheel: the members its central directory lists, and a
   member's bytes from its local header on, stored or deflated (zlib).
   wheel.c reads most members through libarchive; this reader gives the
   names as pip spells them, and the bytes of a member libarchive gives
   none of (its zip mode says symbolic link, device, socket or directory,
   which pip ignores: it writes every member whose name does not end in
   '/' as a regular file holding its bytes). */
#ifndef STATICTLS_ZIPREAD_H
#define STATICTLS_ZIPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

/* One member as the central directory lists it. */
struct zip_entry {
    uint64_t local;        /* its local header's offset */
    char *name;            /* as the directory spells it */
    unsigned method;       /* 0 stored, 8 deflated, ... */
    unsigned flags;        /* bit 0: encrypted */
    uint64_t csize, usize; /* its bytes compressed and as written */
};

/* The central directory of the archive fd, its entries in the order of
   their local headers (libarchive's seekable reader gives the members in
   that order); NULL (n 0) where it cannot be read as zipfile reads it. */
struct zip_entry *zip_entries(int fd, size_t *n);
/* Whether e's local header says the method and sizes the central directory
   says (sizes left to a data descriptor, or to zip64's, are not compared);
   zipfile reads the directory's, and libarchive the header's. */
bool zip_local_agrees(int fd, const struct zip_entry *e);
void zip_entries_free(struct zip_entry *entries, size_t n);

/* A member's bytes being read, from its start. */
struct zip_data {
    int fd;
    unsigned method;
    uint64_t at;      /* the archive's offset of the next compressed byte */
    uint64_t in_left; /* compressed bytes not yet read */
    uint64_t left;    /* bytes not yet given */
    z_stream z;       /* the deflated member's inflation */
    bool inflating;
    unsigned char *in; /* compressed bytes read, not yet inflated */
    char why[256];     /* why the last read failed */
};

enum zip_open {
    ZIP_OPEN_OK,
    ZIP_OPEN_BROKEN,      /* zipfile cannot read it either: pip's install fails */
    ZIP_OPEN_UNSUPPORTED, /* zipfile reads it (bzip2, lzma), this reader does not */
};

/* Opens member e of the archive fd (size bytes) at its local header; on
   anything but ZIP_OPEN_OK, why says why and nothing is left open. */
enum zip_open zip_data_open(struct zip_data *d, int fd, uint64_t size, const struct zip_entry *e,
                            char *why, size_t len);
/* Up to len bytes of the member into buf: how many, 0 at its end, -1 with
   d->why (the archive cut short, its deflated data corrupt). */
ssize_t zip_data_read(struct zip_data *d, void *buf, size_t len);
void zip_data_close(struct zip_data *d);

#endif
