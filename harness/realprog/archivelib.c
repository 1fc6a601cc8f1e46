#include "archivelib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "die.h"

/* dlsym gives a data pointer that POSIX lets a program use as a function
   pointer of the same size; the table is filled by offset. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and data pointers differ");

/* Each function by its name, into the field of the same name. */
#define ENTRY(function) {#function, offsetof(struct archive_lib, function)}
static const struct {
    const char *name;
    size_t offset;
} functions[] = {
    ENTRY(archive_read_new),
    ENTRY(archive_read_support_format_zip),
    ENTRY(archive_read_open_fd),
    ENTRY(archive_read_next_header),
    ENTRY(archive_read_data),
    ENTRY(archive_read_free),
    ENTRY(archive_error_string),
    ENTRY(archive_entry_pathname_utf8),
    ENTRY(archive_entry_filetype),
};
#undef ENTRY

bool archive_lib_open(struct archive_lib *lib, const char *soname, char *err, size_t errlen)
{
    memset(lib, 0, sizeof *lib);
    /* RTLD_LOCAL: its symbols and its dependencies' stay out of the
       program's namespace. */
    lib->handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
        snprintf(err, errlen, "reading a wheel needs %s (libarchive 3), which did not load: %s",
                 soname, dlerror());
        return false;
    }
    for (size_t i = 0; i < sizeof functions / sizeof *functions; i++) {
        dlerror();
        void *f = dlsym(lib->handle, functions[i].name);
        if (!f) {
            const char *why = dlerror();
            snprintf(err, errlen, "%s has no %s: %s", soname, functions[i].name,
                     why ? why : "it is a null symbol");
            archive_lib_close(lib);
            return false;
        }
        memcpy((char *)lib + functions[i].offset, &f, sizeof f);
    }
    return true;
}

void archive_lib_close(struct archive_lib *lib)
{
    if (lib->handle && dlclose(lib->handle) != 0)
        die("dlclose libarchive: %s", dlerror());
    memset(lib, 0, sizeof *lib);
}
