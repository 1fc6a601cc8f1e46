/* libarchive, opened when a wheel is read and not before: linked into the
   program, it and what it needs (libxml2, ICU, libstdc++ and a dozen
   compression libraries) would be loaded by every command, though only a
   census that meets a wheel reads an archive.  The table holds the
   functions wheel.c calls, each named as the function and typed from
   libarchive's own header, so a call through it is checked as a direct
   call would be. */
#ifndef STATICTLS_ARCHIVELIB_H
#define STATICTLS_ARCHIVELIB_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stddef.h>

#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "the soname below is libarchive 3's"
#endif
/* What the dynamic loader looks for: libarchive 3's soname. */
#define ARCHIVE_LIB_SONAME "libarchive.so.13"

struct archive_lib {
    void *handle; /* dlopen's; NULL when closed */
    __typeof__(archive_read_new) *archive_read_new;
    __typeof__(archive_read_support_format_zip) *archive_read_support_format_zip;
    __typeof__(archive_read_open_fd) *archive_read_open_fd;
    __typeof__(archive_read_next_header) *archive_read_next_header;
    __typeof__(archive_read_data) *archive_read_data;
    __typeof__(archive_read_free) *archive_read_free;
    __typeof__(archive_error_string) *archive_error_string;
    __typeof__(archive_entry_pathname_utf8) *archive_entry_pathname_utf8;
    __typeof__(archive_entry_filetype) *archive_entry_filetype;
};

/* Loads the library named soname (ARCHIVE_LIB_SONAME but in tests) and
   every function of the table; false with the reason in err, naming the
   library, when it is not installed or lacks one of them. */
bool archive_lib_open(struct archive_lib *lib, const char *soname, char *err, size_t errlen);
/* Unloads it; lib->handle is NULL after, and a closed table is closed again harmlessly. */
void archive_lib_close(struct archive_lib *lib);

#endif
