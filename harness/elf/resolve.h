/* What a dlopen of a name maps: the file ld.so finds for it and the closure
   of its DT_NEEDED dependencies, in the order ld.so maps them (breadth
   first, as _dl_map_object_deps) with the order it relocates them
   (dependencies first).  Only files are read; nothing is loaded. */
#ifndef STATICTLS_RESOLVE_H
#define STATICTLS_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "dlmodel.h"

struct resolved_object {
    char *path;
    char *id;                /* device:inode, how ld.so tells files apart */
    struct dl_module module; /* its TLS; module.id is id */
};

struct closure {
    struct resolved_object *objects; /* the objects with TLS, in map order */
    size_t n;
    char *root_id;
    bool root_has_tls; /* then objects[0] is the root */
    /* The newest glibc symbol version any object of the closure needs
       (GLIBC_2.34), of which file (libc.so.6), and the object that needs
       it; NULL where none needs a GLIBC_X.Y. */
    char *glibc_need, *glibc_need_of, *glibc_need_by;
    /* The unique symbols its relocations bind, each with the object that
       defines it first and the modules that object keeps (indexes in
       objects): for dl_request.unique.  The names and keeps are the
       closure's. */
    struct dl_unique_binding *unique;
    size_t nunique;
};

/* Whether glibc release ("2.31") defines every glibc version c needs. */
bool closure_loads_on(const struct closure *c, const char *release);

/* The closure of name (a path, or a soname searched in LD_LIBRARY_PATH from
   vars, then lib_dirs); false when a file cannot be found or read. */
bool resolve_closure(const char *name, char *const *vars, char *const *lib_dirs,
                     struct closure *out);
/* The same for a dlmopen into a new namespace (new_namespace), whose
   lookups search no startup object first: what a unique symbol's owner
   keeps differs. */
bool resolve_closure_in(const char *name, char *const *vars, char *const *lib_dirs,
                        bool new_namespace, struct closure *out);
void closure_free(struct closure *c);

/* "dev:ino" of path (path itself when it cannot be stat'ed). */
char *file_identity(const char *path);

#endif
