/* A model of glibc's static TLS allocator (elf/dl-tls.c, dl-reloc.c,
   dl-close.c), per release.  It never measures anything: every number it
   gives is a prediction that the harness prints as "modelled" beside what
   the probe measured.  README.md, "The model", states the rules. */
#ifndef STATICTLS_MODEL_H
#define STATICTLS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsaccess.h"

/* Where TLS blocks sit relative to the thread pointer. */
enum tls_layout {
    LAYOUT_BELOW_TP, /* TLS_TCB_AT_TP: x86_64, i386 */
    LAYOUT_ABOVE_TP, /* TLS_DTV_AT_TP: aarch64 */
};

enum surplus_rule {
    SURPLUS_LEGACY,          /* <= 2.31: 64 + DL_NNS * 100 = 1664, nothing tunable */
    SURPLUS_DEBIAN_BACKPORT, /* Debian 2.31: 192(nns-1) + 144 nns + opt */
    SURPLUS_TUNABLE,         /* 2.32+: 144(nns-1) + 144 nns + opt + 144 */
};

struct glibc_rules {
    int major, minor;
    enum tls_layout layout;
    enum surplus_rule surplus;
    bool optional_cap; /* TLSDESC's use of static TLS is capped (BZ #25051) */
    bool count_rule;   /* <= 2.21: no static TLS module id > 14 once threaded */
    bool lazy_tlsdesc; /* x86 < 2.34: lazy binding resolves TLS descriptors at
                          first use, and takes static TLS then (BZ #27137) */
    bool strict_tunables;   /* 2.39+: a value is a whole number or ignored, an
                               ill-formatted GLIBC_TUNABLES is ignored whole */
    bool last_tunable_wins; /* 2.40+: a tunable named twice is set once (BZ 31686) */
    bool audit_namespaces;  /* 2.32+: nns + audit modules must fit in DL_NNS,
                               else ld.so stops at startup */
    bool gap_on_close;      /* 2.34+: dlclose of a module below the highest id
                               lets its id be reused (BZ #27135) */
    bool dlmopen_audit_crash; /* <= 2.31 (measured on Debian's, every arch): any
                                 dlmopen in a process with LD_AUDIT crashes it */
    bool freed_dtv_after_namespace_close; /* <= 2.21 (measured on upstream 2.17 and
                                             2.21): once a dlmopen namespace was
                                             closed, dynamic TLS may be reached
                                             through a DTV in freed memory: what
                                             later accesses return depends on the
                                             heap, and no model can say */
    bool audit_dynamic_tls_crash; /* 2.17 (measured on upstream's; 2.21 does not):
                                     with LD_AUDIT, the first use of a dlopen'ed
                                     module's dynamic TLS crashes the process
                                     while no dlopen has asked for static TLS
                                     yet (placed or refused) */
    size_t tcb_align;  /* the static alignment before any module raises it */
    /* libc's own TLS block (PT_TLS p_memsz) in this release, where it was
       measured on an upstream build (scripts/build-glibc.sh), else 0: for
       modelling a release whose startup layout no build here shows. */
    size_t libc_tls_size;
    unsigned word_bits; /* the target's size_t: 32 on i686 */
};

/* Rules for a glibc version string ("2.36") on a machine ("x86_64").
   knows_tls_tunables: the ld.so carries glibc.rtld.nns (a 2.31 with
   Debian's backport).  False with the reason in why when not modelled. */
bool glibc_rules_for(const char *version, const char *machine, bool knows_tls_tunables,
                     struct glibc_rules *out, char *why, size_t len);

struct tunables {
    size_t nns;      /* glibc.rtld.nns, default 4 */
    size_t optional; /* glibc.rtld.optional_static_tls, default 512 */
    size_t naudit;   /* audit modules named by LD_AUDIT */
};

/* Parses GLIBC_TUNABLES (may be NULL) and LD_AUDIT the way this release's
   ld.so does. */
void tunables_parse(const struct glibc_rules *r, const char *glibc_tunables,
                    const char *ld_audit, struct tunables *out);

/* The surplus glibc reserves; the formula with its numbers goes to why. */
size_t model_surplus(const struct glibc_rules *r, const struct tunables *t, char *why,
                     size_t len);

struct tls_block {
    uint64_t size, align, firstbyte;
};

#define MODEL_MAX_MODID 4096

struct model {
    struct glibc_rules rules;
    size_t surplus;
    size_t optional_left; /* SIZE_MAX without the cap */
    /* Below TP: the area spans [TP - area_end, TP); offsets count down from
       TP.  Above TP: [TP, TP + area_end) and offsets count up. */
    size_t area_end;
    size_t used; /* dl_tls_static_used */
    size_t static_align;
    unsigned threads;
    bool modid_used[MODEL_MAX_MODID + 1];
    long max_modid;  /* dl_tls_max_dtv_idx */
    bool modid_gaps; /* dl_tls_dtv_gaps: freed ids below the max may be reused */
};

/* Starts from the layout a fresh process had: used_before_surplus is what
   the startup layout counted before the surplus was added (only the main
   program and rseq when auditing, see README), used_now what the startup
   modules occupy now. */
void model_start(struct model *m, const struct glibc_rules *r, size_t surplus,
                 size_t optional, size_t used_before_surplus, size_t used_now,
                 size_t static_align);

/* Startup layout of blocks in link-map order (_dl_determine_tlsoffset, with
   its first-fit reuse of alignment padding holes): the used bytes, and the offset of
   block i in offsets[i] (may be NULL). */
size_t model_startup_layout(const struct glibc_rules *r, const struct tls_block *blocks,
                            size_t n, size_t extra_size, size_t extra_align,
                            size_t *offsets);

enum placement {
    PLACED_STATIC,
    PLACED_DYNAMIC,
    FAILED_SIZE,  /* "cannot allocate memory in static TLS block" */
    FAILED_ALIGN, /* the same message: alignment above the static alignment */
    FAILED_COUNT, /* "cannot load any more object with static TLS" */
};

struct placed {
    enum placement how;
    size_t offset; /* l_tls_offset when static */
    size_t use;    /* bytes taken from the area, padding included */
    size_t prev_used;
    long modid;
};

/* A module id in use (a startup module's). */
void model_mark_modid(struct model *m, long id);
/* glibc's next module id (_dl_next_tls_modid): one above the highest, or,
   once ids were freed below it, the lowest free.  Before 2.34 only a failed
   dlopen lets freed ids be reused, and an id taken then counts only when
   the dlopen has mapped everything (model_commit_modid): BZ #27135. */
long model_take_modid(struct model *m);
void model_commit_modid(struct model *m, long id);
/* A dlopen failed and gave its objects back. */
void model_failed_open(struct model *m);
/* Static TLS for a module with id modid, by its access, as relocation asks
   for it (_dl_try_allocate_static_tls).  FAILED_COUNT keeps the block
   placed: the failed dlopen gives it back with model_reclaim_*. */
struct placed model_place(struct model *m, const struct tls_block *b, enum tls_access access,
                          long modid);
/* A lone new module: an id and its placement; a failure gives both back. */
struct placed model_load(struct model *m, const struct tls_block *b, enum tls_access access);

/* What dlclose (or a failed dlopen) gives back (dl-close.c): the modules it
   unloads, added in namespace order, form a contiguous chunk; the used part
   shrinks only by a chunk (or a block) that ends it.  Ids are freed. */
struct model_reclaim {
    bool any;
    size_t start, end;
};
void model_reclaim_add(struct model *m, struct model_reclaim *rc, const struct placed *p,
                       const struct tls_block *b);
void model_reclaim_end(struct model *m, const struct model_reclaim *rc);
/* The same for one module. */
void model_unload(struct model *m, const struct placed *p, const struct tls_block *b);
/* The largest block of this alignment that an IE load would fit now. */
size_t model_max_block(const struct model *m, size_t align);
/* Free bytes after the used part of the area. */
size_t model_free(const struct model *m);
/* The offset of a static block from the thread pointer, as addr - TP. */
long model_tpoff(const struct model *m, size_t offset);

void model_explain(const struct model *m, FILE *out);

size_t round_up(size_t n, size_t align);

#endif
