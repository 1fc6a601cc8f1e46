/* Python wheels (.whl, zip archives), read with libarchive, which is
   loaded for each wheel read and not before (archivelib.h), and, for the
   members libarchive gives no bytes of, as pip's zipfile reads them
   (zipread.h).  Of each ELF
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

/* What a wheel holds that the census cannot judge as it is. */
struct wheel_findings {
    /* "PATH!/MEMBER: why": a member that cannot be read or copied (a name
       too long for the file system, a full TMPDIR, what the census needs
       lying past read_max, its data cut short, a compression pip does
       not read either) or has an unsafe name (absolute, or with a ".."
       above the wheel's root: one within it is resolved as pip does) */
    char **unreadable;
    size_t nunreadable;
    /* "PATH!/MEMBER: why": a member pip installs whose bytes the census
       does not read (one libarchive gives none of, compressed otherwise
       than stored or deflated): the census is then not judged */
    char **unjudged;
    size_t nunjudged;
};

/* Copies what the census reads of the ELF members of the open archive fd
   (a regular file, named path) into dir, reading no member past its first
   read_max bytes.  A member whose zip mode says symbolic link, device,
   socket or directory is read as pip installs it: a regular file holding
   its bytes (zipread.h).  A member that cannot be read goes to found's
   lists, leaves no file, and the rest go on; false with the reason in err
   when the archive cannot be read at all, or libarchive is not installed
   (err names it). */
bool wheel_extract(int fd, const char *path, const char *dir, uint64_t read_max,
                   struct wheel_findings *found, char *err, size_t errlen);

#endif
