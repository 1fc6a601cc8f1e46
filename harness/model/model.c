#include "model.h"

#include <stdlib.h>
#include <string.h>

/* glibc's constants (elf/dl-tls.c, sysdeps/generic/ldsodefs.h). */
enum {
    LEGACY_SURPLUS = 1664, /* 64 + DL_NNS * 100 */
    LIBC_IE_TLS = 144,
    OTHER_IE_TLS = 144,
    LEGACY_TLS = 144, /* keeps the 2.32+ default at 1664 */
    DEBIAN_231_LIBC_IE_TLS = 192,
    DL_NNS = 16,
    DTV_SURPLUS = 14,
};

size_t round_up(size_t n, size_t align)
{
    return align > 1 ? (n + align - 1) / align * align : n;
}

bool glibc_rules_for(const char *version, const char *machine, bool knows_tls_tunables,
                     struct glibc_rules *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!version || sscanf(version, "%d.%d", &out->major, &out->minor) != 2) {
        snprintf(why, len, "libc version \"%s\" is not a glibc version", version ? version : "");
        return false;
    }
    int v = out->major * 100 + out->minor;
    out->word_bits = strcmp(machine, "i686") == 0 ? 32 : 64;
    if (strcmp(machine, "x86_64") == 0 || strcmp(machine, "i686") == 0) {
        out->layout = LAYOUT_BELOW_TP; /* both are TLS_TCB_AT_TP, TCB aligned to 64 */
        out->tcb_align = 64;
    } else if (strcmp(machine, "aarch64") == 0) {
        out->layout = LAYOUT_ABOVE_TP;
        out->tcb_align = v >= 235 ? 32 : 16;
    } else {
        snprintf(why, len, "no model for %s", machine);
        return false;
    }
    if (v >= 232)
        out->surplus = SURPLUS_TUNABLE;
    else if (knows_tls_tunables)
        out->surplus = SURPLUS_DEBIAN_BACKPORT;
    else
        out->surplus = SURPLUS_LEGACY;
    out->optional_cap = out->surplus != SURPLUS_LEGACY;
    out->count_rule = v <= 221;
    out->strict_tunables = v >= 239;
    out->last_tunable_wins = v >= 240;
    out->audit_namespaces = out->surplus != SURPLUS_LEGACY; /* Debian's 2.31 too */
    out->gap_on_close = v >= 234;
    out->dlmopen_audit_crash = v <= 231;
    out->audit_dynamic_tls_crash = v <= 217; /* 2.18 to 2.20 not measured */
    out->freed_dtv_after_namespace_close = v <= 221;
    out->lazy_tlsdesc = out->layout == LAYOUT_BELOW_TP && v < 234;
    /* Measured: `statictls budget --libc-tree` on upstream 2.17 and 2.21
       (results/glibc-2.17-upstream-x86_64/, ...-2.21-...). */
    if (strcmp(machine, "x86_64") == 0)
        out->libc_tls_size = v == 217 ? 104 : v == 221 ? 120 : 0;
    return true;
}

/* _dl_strtoul: optional sign, 0x hex, 0 octal; stops at the first byte that
   is no digit, so end says how far it read. */
static unsigned long long dl_strtoul(const char *s, const char **end)
{
    while (*s == ' ' || *s == '\t')
        s++;
    bool negative = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0')
        base = 8;
    unsigned long long v = 0;
    for (;; s++) {
        unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
                     : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
                     : *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10)
                                              : 99;
        if (d >= base)
            break;
        v = v * base + d;
    }
    *end = s;
    return negative ? -v : v;
}

/* One tunable's value as ld.so takes it: before 2.39 the digits it can read
   (trailing bytes ignored, none read is 0); from 2.39 the whole value or
   nothing.  Out of [min, max]: not set. */
static bool tunable_value(const struct glibc_rules *r, const char *value, size_t len,
                          unsigned long long min, unsigned long long max,
                          unsigned long long *out)
{
    const char *end;
    unsigned long long v = dl_strtoul(value, &end);
    if (r->strict_tunables && (size_t)(end - value) != len)
        return false;
    /* From 2.39 a size_t tunable is cast to the target's size_t before its
       bounds are checked: on i686 it wraps at 32 bits. */
    if (r->strict_tunables && r->word_bits == 32)
        v &= 0xffffffffull;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

void tunables_parse(const struct glibc_rules *r, const char *glibc_tunables,
                    const char *ld_audit, struct tunables *out)
{
    /* optional_static_tls is a size_t of the target: 32 bits on i686 (before
       2.39 a larger value is out of its range, and not set). */
    const struct {
        const char *name;
        unsigned long long min, max;
    } known[] = {{"glibc.rtld.nns", 1, DL_NNS},
                 {"glibc.rtld.optional_static_tls", 0,
                  r->word_bits == 32 ? 0xffffffffull : 0xffffffffffffffffull}};
    unsigned long long values[2] = {4, 512};
    const char *last[2] = {NULL, NULL};
    size_t last_len[2] = {0, 0};
    for (const char *p = glibc_tunables; p && *p;) {
        size_t nlen = strcspn(p, "=:");
        if (p[nlen] != '=') { /* a name without a value: skipped, or at the end, done */
            if (p[nlen] == '\0' && r->strict_tunables)
                return tunables_parse(r, NULL, ld_audit, out); /* all ignored, 2.39+ */
            p += nlen + (p[nlen] != '\0');
            continue;
        }
        const char *value = p + nlen + 1;
        size_t vlen = strcspn(value, r->strict_tunables ? "=:" : ":");
        if (value[vlen] == '=') /* 2.39+: ill-formatted, the whole string is ignored */
            return tunables_parse(r, NULL, ld_audit, out);
        for (size_t k = 0; k < 2; k++) {
            if (strlen(known[k].name) != nlen || strncmp(p, known[k].name, nlen) != 0)
                continue;
            if (r->last_tunable_wins) { /* 2.40+: each tunable is set once, from its last */
                last[k] = value;
                last_len[k] = vlen;
            } else {
                tunable_value(r, value, vlen, known[k].min, known[k].max, &values[k]);
            }
        }
        p = value + vlen + (value[vlen] != '\0');
    }
    for (size_t k = 0; k < 2; k++)
        if (last[k])
            tunable_value(r, last[k], last_len[k], known[k].min, known[k].max, &values[k]);
    out->nns = (size_t)values[0];
    out->optional = (size_t)values[1];
    out->naudit = 0;
    /* rtld counts the names in LD_AUDIT split at ':' (also ' ' before 2.32). */
    for (const char *p = ld_audit; p && *p;) {
        size_t n = strcspn(p, ":");
        if (n)
            out->naudit++;
        p += n + (p[n] != '\0');
    }
}

size_t model_surplus(const struct glibc_rules *r, const struct tunables *t, char *why,
                     size_t len)
{
    size_t nns = (t->nns < DL_NNS ? t->nns : DL_NNS) + t->naudit, s;
    switch (r->surplus) {
    case SURPLUS_LEGACY:
        snprintf(why, len, "64 + DL_NNS*100 = 1664 (glibc <= 2.31, not tunable)");
        return LEGACY_SURPLUS;
    case SURPLUS_DEBIAN_BACKPORT:
        s = DEBIAN_231_LIBC_IE_TLS * (nns - 1) + OTHER_IE_TLS * nns + t->optional;
        snprintf(why, len, "192*(nns-1) + 144*nns + opt = 192*%zu + 144*%zu + %zu = %zu "
                 "(Debian 2.31 backport; nns = %zu + %zu audit)",
                 nns - 1, nns, t->optional, s, nns - t->naudit, t->naudit);
        return s;
    case SURPLUS_TUNABLE:
        /* tls_static_surplus computes in int: opt wraps at 32 bits there,
           though the optional budget keeps its full value. */
        s = (size_t)(long long)(int)(unsigned)(LIBC_IE_TLS * (nns - 1) + OTHER_IE_TLS * nns +
                                               (unsigned)t->optional + LEGACY_TLS);
        snprintf(why, len, "144*(nns-1) + 144*nns + opt + 144 = 144*%zu + 144*%zu + %zu + 144 = %zu "
                 "(glibc >= 2.32; nns = %zu + %zu audit)",
                 nns - 1, nns, t->optional, s, nns - t->naudit, t->naudit);
        return s;
    }
    return 0;
}

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
    /* Below TP the area's far end is rounded to the static alignment; above
       TP the static size is rounded to the TCB alignment only. */
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
    size_t cur = r->layout == LAYOUT_BELOW_TP ? 0 : 16; /* aarch64: tcbhead_t */
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

/* _dl_try_allocate_static_tls: same arithmetic in every release. */
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

/* The bytes a placed block holds, as dl-close.c counts them: below TP the
   chunk starts at offset - size (the alignment padding stays lost); above
   TP it starts where used was before the block (glibc keeps that value in
   l_tls_firstbyte_offset), so the padding comes back too. */
static void chunk_of(const struct model *m, const struct placed *p, const struct tls_block *b,
                     size_t *start, size_t *end)
{
    if (m->rules.layout == LAYOUT_BELOW_TP) {
        *start = p->offset - b->size;
        *end = p->offset;
    } else {
        *start = p->prev_used;
        *end = p->offset + b->size;
    }
}

void model_reclaim_add(struct model *m, struct model_reclaim *rc, const struct placed *p,
                       const struct tls_block *b)
{
    free_modid(m, p->modid);
    if (p->how != PLACED_STATIC && p->how != FAILED_COUNT)
        return;
    size_t start, end;
    chunk_of(m, p, b, &start, &end);
    if (!rc->any) {
        rc->any = true;
        rc->start = start, rc->end = end;
    } else if (end == rc->start) { /* contiguous: the chunk grows */
        rc->start = start;
    } else if (start == rc->end) {
        rc->end = end;
    } else if (m->rules.layout == LAYOUT_BELOW_TP && rc->end == m->used) {
        /* Not contiguous: one chunk is leaked unless one frees right away. */
        m->used = rc->start;
        rc->start = start, rc->end = end;
    } else if (end == m->used) {
        m->used = start;
    } else if (m->rules.layout == LAYOUT_ABOVE_TP && rc->end == m->used) {
        m->used = rc->start;
        rc->start = start, rc->end = end;
    } else if (m->rules.layout == LAYOUT_BELOW_TP ? rc->end < end : rc->end < start) {
        rc->start = start, rc->end = end; /* the later block has a chance */
    }
}

void model_reclaim_end(struct model *m, const struct model_reclaim *rc)
{
    if (rc->any && rc->end == m->used)
        m->used = rc->start;
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
