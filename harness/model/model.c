#include "model.h"

#include <string.h>

void model_start(struct model *m, const struct glibc_rules *r, size_t surplus,
                 size_t optional, size_t used_before_surplus, size_t used_now,
                 size_t static_align)
{
    memset(m, 0, sizeof *m);
    m->rules = *r;
    m->surplus = surplus;
    m->optional_left = r->optional_cap ? optional : SIZE_MAX;
    m->static_align = static_align;
    m->used = used_now;
    /* _dl_determine_tlsoffset: below TP dl_tls_static_size = roundup (used
       + surplus, max_align) + TLS_TCB_SIZE, so area_end is the rounded sum;
       above TP dl_tls_static_size = roundup (used + surplus, TCB alignment)
       (TLS_TCB_ALIGN, TCB_ALIGNMENT from 2.35), the static alignment
       playing no part. */
    m->area_end = r->layout == LAYOUT_BELOW_TP
                      ? round_up(used_before_surplus + surplus, static_align)
                      : round_up(used_before_surplus + surplus, r->tcb_align);
}

/* _dl_determine_tlsoffset below the thread pointer: a block goes into the
   padding hole an earlier block's alignment left [freetop, freebottom) if it
   fits there (first fit), else after the last block. */
static size_t below_tp_offset(const struct tls_block *b, size_t align, size_t *cur,
                              size_t *freetop, size_t *freebottom)
{
    size_t fb = (align - b->firstbyte % align) % align;
    if (*freebottom - *freetop >= b->size) {
        size_t off = round_up(*freetop + b->size - fb, align) + fb;
        if (off <= *freebottom) {
            *freetop = off;
            return off;
        }
    }
    size_t off = round_up(*cur + b->size - fb, align) + fb;
    if (off > *cur + b->size + (*freebottom - *freetop)) {
        *freetop = *cur;
        *freebottom = off - b->size;
    }
    *cur = off;
    return off;
}

/* The same above the thread pointer: offsets count up from the TCB. */
static size_t above_tp_offset(const struct tls_block *b, size_t align, size_t *cur,
                              size_t *freetop, size_t *freebottom)
{
    size_t fb = (align - b->firstbyte % align) % align;
    if (b->size <= *freetop - *freebottom) {
        size_t off = round_up(*freebottom, align);
        if (off - *freebottom < fb)
            off += align;
        if (off + b->size - fb <= *freetop) {
            *freebottom = off + b->size - fb;
            return off - fb;
        }
    }
    size_t off = round_up(*cur, align);
    if (off - *cur < fb)
        off += align;
    if (off - fb - *cur > *freetop - *freebottom) {
        *freebottom = *cur;
        *freetop = off - fb;
    }
    *cur = off + b->size - fb;
    return off - fb;
}

size_t model_startup_layout(const struct glibc_rules *r, const struct tls_block *blocks,
                            size_t n, size_t extra_size, size_t extra_align, size_t *offsets)
{
    size_t cur = r->layout == LAYOUT_BELOW_TP ? 0 : r->tcb_size; /* above TP: TLS_TCB_SIZE */
    size_t freetop = 0, freebottom = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tls_block *b = &blocks[i];
        size_t align = b->align ? b->align : 1;
        size_t off = r->layout == LAYOUT_BELOW_TP
                         ? below_tp_offset(b, align, &cur, &freetop, &freebottom)
                         : above_tp_offset(b, align, &cur, &freetop, &freebottom);
        if (offsets)
            offsets[i] = off;
    }
    if (extra_size) /* the rseq area, glibc 2.41+ */
        cur = round_up(cur, extra_align) + extra_size;
    return cur;
}

void model_mark_modid(struct model *m, long id)
{
    if (id < 1 || id > MODEL_MAX_MODID)
        return;
    m->modid_used[id] = true;
    if (id > m->max_modid)
        m->max_modid = id;
}

long model_take_modid(struct model *m)
{
    if (m->modid_gaps) {
        long id = 1;
        while (id <= m->max_modid && m->modid_used[id])
            id++;
        if (id <= m->max_modid) {
            if (m->rules.gap_on_close) /* 2.34+ sets the slot at once */
                m->modid_used[id] = true;
            return id;
        }
        m->modid_gaps = false; /* none below the max any more */
    }
    if (m->max_modid >= MODEL_MAX_MODID)
        return -1;
    model_mark_modid(m, m->max_modid + 1);
    return m->max_modid;
}

void model_commit_modid(struct model *m, long id)
{
    if (id > 0 && id <= MODEL_MAX_MODID)
        m->modid_used[id] = true;
}

void model_failed_open(struct model *m)
{
    if (!m->rules.gap_on_close) /* dl-open.c before 2.34: pessimistically */
        m->modid_gaps = true;
}

/* remove_slotinfo: the highest id going walks the max down past free ids;
   from 2.34 one below it marks a gap. */
static void free_modid(struct model *m, long id)
{
    if (id < 1 || id > MODEL_MAX_MODID || !m->modid_used[id])
        return;
    m->modid_used[id] = false;
    if (id == m->max_modid) {
        while (m->max_modid > 0 && !m->modid_used[m->max_modid])
            m->max_modid--;
    } else if (m->rules.gap_on_close) {
        m->modid_gaps = true;
    }
}

/* elf/dl-reloc.c _dl_try_allocate_static_tls: the same arithmetic in every
   release; the optional budget from 2.32 (optional_cap). */
static bool try_static(struct model *m, const struct tls_block *b, bool optional,
                       struct placed *p)
{
    size_t align = b->align ? b->align : 1;
    if (align > m->static_align) {
        p->how = FAILED_ALIGN;
        return false;
    }
    size_t offset, use;
    if (m->rules.layout == LAYOUT_BELOW_TP) {
        size_t freebytes = m->area_end - m->used, blsize = b->size + b->firstbyte;
        if (freebytes < blsize) {
            p->how = FAILED_SIZE;
            return false;
        }
        size_t n = (freebytes - blsize) / align;
        use = freebytes - n * align - b->firstbyte;
        offset = m->used + use;
    } else {
        offset = round_up(m->used - b->firstbyte, align) + b->firstbyte;
        if (offset + b->size > m->area_end) {
            p->how = FAILED_SIZE;
            return false;
        }
        use = offset + b->size - m->used;
    }
    if (optional) {
        if (use > m->optional_left) {
            p->how = PLACED_DYNAMIC;
            return false;
        }
        if (m->optional_left != SIZE_MAX)
            m->optional_left -= use;
    }
    p->how = PLACED_STATIC;
    p->prev_used = m->used;
    p->offset = offset;
    p->use = use;
    m->used += use;
    return true;
}

struct placed model_place(struct model *m, const struct tls_block *b, enum tls_access access,
                          long modid)
{
    struct placed p = {.how = PLACED_DYNAMIC, .modid = modid};
    if (access == TLS_DESC && !m->rules.tlsdesc) /* s390x, riscv64: global-dynamic */
        access = TLS_GD;
    if (access == TLS_GD || access == TLS_NONE)
        return p;
    if (!try_static(m, b, access == TLS_DESC, &p)) {
        if (access == TLS_DESC)
            p.how = PLACED_DYNAMIC;
        return p;
    }
    /* glibc <= 2.21 checks the id only after placing the block, in
       dl_open_worker, and the failed dlopen gives the block back. */
    if (access == TLS_IE && m->rules.count_rule && m->threads > 0 && modid > DTV_SURPLUS)
        p.how = FAILED_COUNT;
    return p;
}

struct placed model_load(struct model *m, const struct tls_block *b, enum tls_access access)
{
    if (!b->size)
        return (struct placed){.how = PLACED_DYNAMIC};
    long id = model_take_modid(m);
    model_commit_modid(m, id);
    struct placed p = model_place(m, b, access, id);
    if (p.how != PLACED_STATIC && p.how != PLACED_DYNAMIC) {
        model_failed_open(m);
        model_unload(m, &p, b); /* a failed dlopen gives back its id and block */
    }
    return p;
}

/* _dl_close_worker's TLS_TCB_AT_TP branch: a block spans [l_tls_offset -
   l_tls_blocksize, l_tls_offset), so the alignment padding below it (on
   the TP side) stays lost even when the block comes back. */
static void tls_free_tcb_at_tp(struct model *m, struct model_reclaim *rc, size_t offset,
                               size_t size)
{
    if (!rc->any || offset == rc->tls_free_start) { /* extend the chunk */
        rc->tls_free_start = offset - size;
        if (!rc->any)
            rc->tls_free_end = offset;
        rc->any = true;
    } else if (offset - size == rc->tls_free_end) { /* extend it backwards */
        rc->tls_free_end = offset;
    } else if (rc->tls_free_end == m->used) { /* not contiguous: free one now */
        m->used = rc->tls_free_start;
        rc->tls_free_end = offset;
        rc->tls_free_start = offset - size;
    } else if (offset == m->used) {
        m->used = offset - size;
    } else if (rc->tls_free_end < offset) { /* the later block has a chance */
        rc->tls_free_end = offset;
        rc->tls_free_start = offset - size;
    }
}

/* _dl_close_worker's TLS_DTV_AT_TP branch: a block spans from
   l_tls_firstbyte_offset, which _dl_try_allocate_static_tls set to the used
   size before it (66bdbaa452, 2.14), to l_tls_offset + l_tls_blocksize, so
   the padding comes back with the block. */
static void tls_free_dtv_at_tp(struct model *m, struct model_reclaim *rc, size_t firstbyte,
                               size_t end)
{
    if (!rc->any) {
        rc->any = true;
        rc->tls_free_start = firstbyte;
        rc->tls_free_end = end;
    } else if (firstbyte == rc->tls_free_end) { /* extend the chunk */
        rc->tls_free_end = end;
    } else if (end == rc->tls_free_start) { /* extend it backwards */
        rc->tls_free_start = firstbyte;
    } else if (end == m->used) { /* not contiguous: free one now */
        m->used = firstbyte;
    } else if (rc->tls_free_end == m->used) {
        m->used = rc->tls_free_start;
        rc->tls_free_start = firstbyte;
        rc->tls_free_end = end;
    } else if (rc->tls_free_end < firstbyte) { /* the later block has a chance */
        rc->tls_free_start = firstbyte;
        rc->tls_free_end = end;
    }
}

void model_reclaim_add(struct model *m, struct model_reclaim *rc, const struct placed *p,
                       const struct tls_block *b)
{
    free_modid(m, p->modid);
    if (p->how != PLACED_STATIC && p->how != FAILED_COUNT)
        return;
    if (m->rules.layout == LAYOUT_BELOW_TP)
        tls_free_tcb_at_tp(m, rc, p->offset, b->size);
    else
        tls_free_dtv_at_tp(m, rc, p->prev_used, p->offset + b->size);
}

void model_reclaim_end(struct model *m, const struct model_reclaim *rc)
{
    if (rc->any && rc->tls_free_end == m->used)
        m->used = rc->tls_free_start;
}

void model_unload(struct model *m, const struct placed *p, const struct tls_block *b)
{
    struct model_reclaim rc = {0};
    model_reclaim_add(m, &rc, p, b);
    model_reclaim_end(m, &rc);
}

size_t model_max_block(const struct model *m, size_t align)
{
    if (align > m->static_align)
        return 0;
    if (m->rules.layout == LAYOUT_BELOW_TP)
        return m->area_end - m->used; /* the far end is aligned for any align <= A */
    size_t start = round_up(m->used, align ? align : 1);
    return start < m->area_end ? m->area_end - start : 0;
}

size_t model_free(const struct model *m)
{
    return m->area_end > m->used ? m->area_end - m->used : 0;
}

long model_tpoff(const struct model *m, size_t offset)
{
    return m->rules.layout == LAYOUT_BELOW_TP ? -(long)offset : (long)offset;
}

void model_explain(const struct model *m, FILE *out)
{
    fprintf(out, "  model: glibc %d.%d rules, %s thread pointer, static align %zu\n",
            m->rules.major, m->rules.minor,
            m->rules.layout == LAYOUT_BELOW_TP ? "TLS below the" : "TLS above the",
            m->static_align);
    fprintf(out, "  model: area end %zu = round_up(startup used + surplus %zu, %zu); used %zu, "
                 "free %zu\n",
            m->area_end, m->surplus,
            m->rules.layout == LAYOUT_BELOW_TP ? m->static_align : m->rules.tcb_align, m->used,
            model_free(m));
    if (m->optional_left == SIZE_MAX)
        fprintf(out, "  model: TLS descriptors may use static TLS without a cap\n");
    else
        fprintf(out, "  model: optional static TLS left for TLS descriptors: %zu\n",
                m->optional_left);
}
