/* For fuzz targets whose code under test reads a file by name: the input
   in a memory file, named /proc/self/fd/N (a regular file, no disk).
   Include it with _GNU_SOURCE defined, for memfd_create. */
#ifndef STATICTLS_FUZZ_FILE_H
#define STATICTLS_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct fuzz_file {
    int fd;
    char path[64];
};

static inline void fuzz_file_set(struct fuzz_file *f, const uint8_t *data, size_t size)
{
    if (!f->path[0]) {
        f->fd = memfd_create("statictls-fuzz", MFD_CLOEXEC);
        if (f->fd < 0)
            abort();
        snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
    }
    if (ftruncate(f->fd, 0) != 0 || (size && pwrite(f->fd, data, size, 0) != (ssize_t)size))
        abort();
}

#endif
