/* Python wheels (.whl, zip archives), read with libarchive, which is
   loaded for each wheel read and not before (archivelib.h): their ELF
   members are copied out into a scratch directory under the same relative
   paths, so that $ORIGIN resolves as it will once the wheel is installed
   and the census reads them as any other file. */
#ifndef STATICTLS_WHEEL_H
#define STATICTLS_WHEEL_H

#include <stdbool.h>
#include <stddef.h>

/* Whether path names a wheel (by its name, as pip decides). */
bool wheel_named(const char *path);

/* Copies the ELF members of the open archive fd (named path) into dir.
   A member that cannot be read or has an unsafe name (absolute, "..")
   goes to problems as "PATH!/MEMBER: why", and the rest go on; false with
   the reason in err when the archive cannot be read at all, or libarchive
   is not installed (err names it). */
bool wheel_extract(int fd, const char *path, const char *dir, char ***problems,
                   size_t *nproblems, char *err, size_t errlen);

#endif
