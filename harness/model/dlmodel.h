/* The dynamic loader's part of the model: which modules with TLS are loaded
   in which namespace, dlopen's reference counting, dlmopen's namespaces,
   what a failed dlopen gives back and what dlclose unloads (elf/dl-open.c,
   dl-close.c, dl-object.c).  model.c places the blocks, and rules.h holds
   each release's rules (DL_NNS among them).  Like model.c, it only
   predicts. */
#ifndef STATICTLS_DLMODEL_H
#define STATICTLS_DLMODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"
#include "model.h"
#include "strmap.h"

/* An object with TLS as ld.so maps it; the caller keeps it alive. */
struct dl_module {
    const char *id; /* ld.so knows a mapped file by device and inode */
    struct tls_block block;
    enum tls_access access;
    size_t reloc_rank; /* ld.so relocates a dlopen's new objects in this order
                          (dependencies first), and places static TLS then */
    bool kept; /* itself NODELETE, or a dependency of one in the closure: once
                  loaded, dlclose never unloads it (libpthread before 2.34) */
    /* The modules with TLS it keeps mapped while it stays, as indexes in
       the request's mods: elf/dl-close.c _dl_close_worker marks as used
       the l_initfini (DT_NEEDED closure) and the l_reldeps of each object
       it keeps, the objects outside that closure its relocations bound to
       (elf/dl-lookup.c add_dependency; every release modelled), and so on
       from them.  Set where it is mapped, as its relocations run. */
    const size_t *binds;
    size_t nbinds;
};

/* A loaded module in a namespace. */
struct dl_loaded {
    const struct dl_module *module;
    int ns;
    struct placed placed;
    bool startup, gone;
    bool lazy; /* a TLS descriptor module not placed until its TLS is used */
    bool kept; /* NODELETE, or what one depends on */
    size_t *keeps; /* indexes in dl_process.loaded: its module's binds */
    size_t nkeeps;
};

/* An open handle: dlopen of the same root in the same namespace returns
   it again and counts. */
struct dl_handle {
    int ns;
    const char *root_id;
    long opens;
    size_t *members; /* indexes in dl_process.loaded: the root's closure */
    size_t nmembers;
};

struct dl_process {
    struct model m;
    /* The namespaces' tables of unique symbols: "NS:NAME" of every unique
       symbol a lookup has entered (elf/dl-lookup.c do_lookup_unique). */
    struct strmap unique_bound;
    struct dl_loaded *loaded; /* in the order ld.so mapped them */
    size_t nloaded;
    struct dl_handle *handles;
    size_t nhandles;
    bool ns_busy[DL_NNS];
    size_t naudit;
    bool dlopen_placed_static; /* some dlopen has asked for static TLS (placed, or
                                  refused) */
    bool namespace_closed;     /* a dlmopen namespace was unloaded */
};

/* A process after startup: the allocator's state m, naudit namespaces
   taken by audit modules, and the startup modules of namespace 0 with their
   placements (never unloaded). */
void dl_start(struct dl_process *p, const struct model *m, size_t naudit);
void dl_add_startup(struct dl_process *p, const struct dl_module *mod, struct placed placed,
                    bool lazy);
void dl_process_free(struct dl_process *p);
/* A unique symbol an object of the startup defines: found first in the
   global scope, it binds there and pins no dlopen'ed object. */
void dl_unique_startup(struct dl_process *p, const char *name);

struct dl_outcome {
    enum load_kind kind;
    long handle;       /* for dl_close; -1 when the dlopen failed */
    bool root_static;  /* the root has TLS and it is in static TLS */
    size_t root_offset;
    long root_modid;   /* 0: the root has no TLS */
    /* Why glibc's own misbehaviour leaves this step's use of the root's TLS,
       and everything after, unpredictable; NULL when it does not: the probe
       writes past another module's smaller block (BZ #27135), or reads a
       DTV in freed memory (<= 2.21 after a namespace was closed). */
    const char *undefined;
};

/* A unique symbol that the relocations of a dlopen's closure look up, and
   the object of the closure that defines it first in the lookup's order
   (the root's search list, breadth first), which the lookup makes
   NODELETE when the namespace's table does not hold the name yet: then
   that object and everything it needs stay mapped on dlclose
   (elf/dl-close.c _dl_close_worker marks a NODELETE object's l_initfini
   used).  Which releases keep it after a failed dlopen: rules.h,
   glibc_nodelete_rollback.  A name already in the table binds to the
   object that entered it, and pins nothing new. */
struct dl_unique_binding {
    const char *name;
    bool owner_is_root;  /* the dlopen's root defines it */
    size_t bound_rank;   /* the least reloc_rank of the objects that look it up: the
                            binding happens as the first of them is relocated */
    const size_t *keeps; /* indexes in the request's mods: the modules with TLS the
                            owner keeps (itself, and what it needs) */
    size_t nkeeps;
};

/* What a step opens: the root and its closure of modules with TLS, in the
   order ld.so maps them (the root first when it has TLS).  The modules must
   outlive the process. */
struct dl_request {
    bool new_namespace; /* dlmopen(LM_ID_NEWLM), else dlopen */
    const char *root_id;
    bool root_has_tls;
    bool touch; /* the probe then uses the root's TLS (a fixture's accessor) */
    const struct dl_module *const *mods;
    size_t n;
    const struct dl_unique_binding *unique; /* the unique symbols its closure binds */
    size_t nunique;
};
struct dl_outcome dl_open(struct dl_process *p, const struct dl_request *rq);
/* dlclose of a handle dl_open returned. */
void dl_close(struct dl_process *p, long handle);

#endif
