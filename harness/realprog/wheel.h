/* Python wheels (.whl, zip archives), read with libarchive, which is
   loaded for each wheel read and not before (archivelib.h).  Of each ELF
   member, only what the census reads (elfneed.h: its headers, PT_DYNAMIC
   and the tables it names) is copied out, as a sparse file under the
   member's own relative path in a scratch directory, so that $ORIGIN
   resolves as it will once the wheel is installed and the census reads it
   as any other file.  A member's path is the one pip installs it at on
   Linux (a ".." inside the wheel resolved, a backslash a character of the
   name), and a path listed twice is the last copy, which pip installs over
   the first. */
#ifndef STATICTLS_WHEEL_H
#define STATICTLS_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether path names a wheel (by its name, as pip decides). */
bool wheel_named(const char *path);

/* Copies what the census reads of the ELF members of the open archive fd
   (a regular file, named path) into dir, reading no member past its first
   read_max bytes.  A member that cannot be read or copied (a name too long
   for the file system, a full TMPDIR, what the census needs lying past
   read_max) or has an unsafe name (absolute, or with a ".." above the
   wheel's root: one within it is resolved as pip does) goes to problems as
   "PATH!/MEMBER: why", leaves no file, and the rest go on; false with the
   reason in err when the archive cannot be read at all, or libarchive is
   not installed (err names it). */
bool wheel_extract(int fd, const char *path, const char *dir, uint64_t read_max,
                   char ***problems, size_t *nproblems, char *err, size_t errlen);

#endif
