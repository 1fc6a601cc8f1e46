/* Where ld.so finds a library by name (elf/dl-load.c, _dl_map_object): a
   name with a '/' is a path ($ORIGIN expanded); otherwise DT_RPATH of the
   object that needs it and of each object that needed that one (unless the
   object has DT_RUNPATH), LD_LIBRARY_PATH, the object's DT_RUNPATH, then the
   libc's default directories (ld.so.cache is not read: for the builds here
   it names the same files).  Only an ELF file of the same machine counts:
   ld.so skips the others and searches on.  Used by the model's closures
   (resolve.c) and by census. */
#ifndef STATICTLS_LDSEARCH_H
#define STATICTLS_LDSEARCH_H

#include <stddef.h>

/* An object asking for a name: its DT_RPATH and DT_RUNPATH (or NULL) and the
   directory $ORIGIN stands for. */
struct ld_requester {
    const char *rpath, *runpath;
    const char *origin;
};

/* chain[0] needs name; chain[1] needed chain[0], and so on (n may be 0: a
   dlopen from a program without either).  machine: e_machine, 0 for any.
   The path found (the caller frees it), or NULL. */
char *ld_search(const char *name, int machine, const struct ld_requester *chain, size_t n,
                const char *ld_library_path, char *const *lib_dirs);

/* A chain built object by object: the one asking first, then each that
   needed the one before. */
struct ld_chain {
    struct ld_requester *links;
    size_t n;
};
void ld_chain_add(struct ld_chain *c, const char *path, const char *rpath, const char *runpath);
void ld_chain_free(struct ld_chain *c);

#endif
