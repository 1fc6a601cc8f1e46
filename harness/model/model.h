/* A model of glibc's static TLS allocator (elf/dl-tls.c, dl-reloc.c,
   dl-close.c), per release.  It never measures anything: every number it
   gives is a prediction that the harness prints as "modelled" beside what
   the probe measured.  The rules of each release are rules.h's;
   docs/model.md states them with their sources in glibc. */
#ifndef STATICTLS_MODEL_H
#define STATICTLS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"
#include "tlsaccess.h"

#define MODEL_MAX_MODID 4096

struct model {
    struct glibc_rules rules;
    size_t surplus;
    size_t optional_left; /* SIZE_MAX without the cap */
    /* The far end of the static area, in bytes from TP.  Below TP
       (TLS_TCB_AT_TP) it is dl_tls_static_size - TLS_TCB_SIZE: the area
       spans [TP - area_end, TP) and offsets count down from TP; glibc's
       static size also holds the TCB (struct pthread, at TP and above),
       which _dl_try_allocate_static_tls subtracts.  Above TP (TLS_DTV_AT_TP)
       it is dl_tls_static_size itself: the area spans [TP, TP + area_end),
       offsets count up, and the TCB (tcbhead_t, TLS_TCB_SIZE) is the start
       of the area, which used already counts. */
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
   program and rseq when auditing: glibc_startup_laid_out), used_now what
   the startup modules occupy now. */
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
    size_t prev_used; /* dl_tls_static_used before it (above TP glibc keeps it
                         in l_tls_firstbyte_offset, for dlclose) */
    long modid;
};

/* A module id in use (a startup module's). */
void model_mark_modid(struct model *m, long id);
/* glibc's next module id (elf/dl-tls.c _dl_next_tls_modid, which 2.34's
   ba33937be2 made _dl_assign_tls_modid): one above the highest, or, once
   ids were freed below it, the lowest free.  Before 2.34 only a failed
   dlopen lets freed ids be reused, and an id taken then counts only when
   the dlopen has mapped everything (model_commit_modid): BZ #27135
   (gap_on_close). */
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

/* What dlclose (or a failed dlopen) gives back: elf/dl-close.c
   _dl_close_worker, the same in every release modelled.  The modules it
   unloads, added in namespace order, form one contiguous chunk
   [tls_free_start, tls_free_end), in offsets from TP; the used part shrinks
   only by a chunk (or a block) that ends it.  Ids are freed. */
struct model_reclaim {
    bool any; /* a chunk was started (glibc: tls_free_start != NO_TLS_OFFSET) */
    size_t tls_free_start, tls_free_end;
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

#endif
