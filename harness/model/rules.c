#include "rules.h"

#include <stdio.h>
#include <string.h>

/* The surplus's constants (elf/dl-tls.c).  TLS_STATIC_SURPLUS is 64 +
   DL_NNS * 100 up to 2.31.  From 2.32 (07ed32f920) LIBC_IE_TLS and
   OTHER_IE_TLS are 144 each and LEGACY_TLS = 1664 - tls_static_surplus (4,
   512) = 144, so that the defaults give 1664 again.  Debian's 2.31 backport
   has LIBC_IE_TLS 192 and no LEGACY_TLS, as the 2.32 development tree had
   from 0c7b002fac until efedd1ed3d and 07ed32f920 (measured: 688 free with
   nns=1, 5744 with nns=16). */
enum {
    LEGACY_SURPLUS = 64 + DL_NNS * 100,
    LIBC_IE_TLS = 144,
    OTHER_IE_TLS = 144,
    LEGACY_TLS = 144,
    DEBIAN_231_LIBC_IE_TLS = 192,
};

/* glibc.rtld.nns and glibc.rtld.optional_static_tls (elf/dl-tunables.list,
   2.32): nns a SIZE_T in [1, 16], default 4 (0c7b002fac); optional a SIZE_T
   from 0 with no maxval, so up to the target's SIZE_MAX, default 512
   (ffb17e7ba3). */
enum { DEFAULT_NNS = 4, OPTIONAL_TLS = 512 };

size_t round_up(size_t n, size_t align)
{
    return align > 1 ? (n + align - 1) / align * align : n;
}

/* "2.36" as 2 and 36; false when it is no glibc version. */
static bool release_number(const char *version, int *major, int *minor)
{
    return version && sscanf(version, "%d.%d", major, minor) == 2;
}

bool glibc_release_modelled(const char *version, char *why, size_t len)
{
    int major, minor, oldest_major, oldest_minor, newest_major, newest_minor;
    char end;
    if (!version || sscanf(version, "%d.%d%c", &major, &minor, &end) != 2 || major < 0 ||
        minor < 0) {
        snprintf(why, len, "\"%s\" is not a glibc release (2.17, say)", version ? version : "");
        return false;
    }
    sscanf(GLIBC_MODELLED_OLDEST, "%d.%d", &oldest_major, &oldest_minor);
    sscanf(GLIBC_MODELLED_NEWEST, "%d.%d", &newest_major, &newest_minor);
    int v = major * 100 + minor;
    if (v < oldest_major * 100 + oldest_minor || v > newest_major * 100 + newest_minor) {
        snprintf(why, len, "glibc %s: the model knows the releases from %s to %s", version,
                 GLIBC_MODELLED_OLDEST, GLIBC_MODELLED_NEWEST);
        return false;
    }
    return true;
}

enum tls_layout glibc_layout_of(const char *machine)
{
    static const char *const above[] = {"aarch64", "armhf", "ppc64le", "riscv64"};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++)
        if (strcmp(machine, above[i]) == 0)
            return LAYOUT_ABOVE_TP;
    return LAYOUT_BELOW_TP;
}

bool glibc_rules_for(const char *version, const char *machine, bool knows_tls_tunables,
                     struct glibc_rules *out, char *why, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!release_number(version, &out->major, &out->minor)) {
        snprintf(why, len, "libc version \"%s\" is not a glibc version", version ? version : "");
        return false;
    }
    /* Each gate below: the first release a rule holds for (rules.h cites
       glibc's file, function and commit for each field). */
    int v = out->major * 100 + out->minor;
    out->word_bits = strcmp(machine, "i686") == 0 || strcmp(machine, "armhf") == 0 ? 32 : 64;
    out->tlsdesc = true;
    if (strcmp(machine, "x86_64") == 0 || strcmp(machine, "i686") == 0) {
        out->tcb_align = 64;
    } else if (strcmp(machine, "aarch64") == 0) {
        out->tcb_align = v >= 235 ? 32 : 16; /* 23c77f6018; 16 is 2.20's (75f11331f9) */
        out->tcb_size = 16;                  /* sizeof (tcbhead_t) */
    } else if (strcmp(machine, "armhf") == 0) {
        out->tcb_align = v >= 235 ? 32 : 16; /* 23c77f6018; TLS_TCB_ALIGN 16 before */
        out->tcb_size = 8;                   /* sizeof (tcbhead_t), 32-bit pointers */
    } else if (strcmp(machine, "ppc64le") == 0) {
        out->tcb_align = v >= 235 ? 32 : 16; /* 23c77f6018; TCB_ALIGNMENT 16 before */
        /* TLS_TCB_SIZE 0; TP - 0x7000 is the TCB's end (probe.c) */
    } else if (strcmp(machine, "riscv64") == 0) {
        out->tcb_align = v >= 235 ? 32 : 16; /* 23c77f6018; TCB_ALIGNMENT 16 before */
        out->tlsdesc = false;
    } else if (strcmp(machine, "s390x") == 0) {
        out->tcb_align = v >= 235 ? 32 : 16; /* 23c77f6018; TCB_ALIGNMENT 16 before */
        out->tlsdesc = false;
    } else {
        snprintf(why, len, "no model for %s", machine);
        return false;
    }
    out->layout = glibc_layout_of(machine);
    if (v >= 232)
        out->surplus = SURPLUS_TUNABLE; /* 0c7b002fac, 07ed32f920 */
    else if (knows_tls_tunables)
        out->surplus = SURPLUS_DEBIAN_BACKPORT;
    else
        out->surplus = SURPLUS_LEGACY;
    out->optional_cap = out->surplus != SURPLUS_LEGACY;     /* ffb17e7ba3, 2.32 */
    out->audit_namespaces = out->surplus != SURPLUS_LEGACY; /* 17796419b5, 2.32 */
    out->count_rule = v <= 221;                             /* f8aeae3473 removed it in 2.22 */
    out->strict_tunables = v >= 239;   /* b4cf6cac73, 680c597e9c, f94446c38f */
    out->last_tunable_wins = v >= 240; /* bcae44ea85 */
    out->gap_on_close = v >= 234;      /* ba33937be2 */
    out->lazy_tlsdesc = out->tlsdesc && out->layout == LAYOUT_BELOW_TP &&
                        v < 234; /* 8f7e09f4db, ddcacd91cc */
    out->dlmopen_audit_crash = v <= 231;     /* measured; ed3ce71f5c is 2.35 */
    out->audit_dynamic_tls_crash = v <= 217; /* measured; 2.18 to 2.20 not */
    out->freed_dtv_after_namespace_close = v <= 221; /* measured */
    /* Measured: `statictls budget --libc-tree` on upstream 2.17 and 2.21
       (results/glibc-2.17-upstream-x86_64/, ...-2.21-...). */
    if (strcmp(machine, "x86_64") == 0)
        out->libc_tls_size = v == 217 ? 104 : v == 221 ? 120 : 0;
    return true;
}

bool glibc_release_has_tls_tunables(const char *version)
{
    int major, minor;
    return release_number(version, &major, &minor) && major * 100 + minor >= 232;
}

/* elf/dl-misc.c _dl_strtoul (2.26, 37b66c0b1a; the tunables' reader):
   blanks, an optional sign, 0x hex or 0 octal; it stops at the first byte
   that is no digit, so end says how far it read.  glibc saturates at
   UINT64_MAX where this wraps: a value of more than 64 bits. */
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

/* One tunable's value as ld.so takes it (elf/dl-tunables.c
   tunable_initialize, do_tunable_update_val): before 2.39 the digits it can
   read (trailing bytes ignored, none read is 0); from 2.39 the whole value
   or nothing.  Out of [min, max]: not set. */
static bool tunable_value(const struct glibc_rules *r, const char *value, size_t len,
                          unsigned long long min, unsigned long long max,
                          unsigned long long *out)
{
    const char *end;
    unsigned long long v = dl_strtoul(value, &end);
    if (r->strict_tunables && (size_t)(end - value) != len)
        return false;
    /* From 2.39 a size_t tunable is cast to the target's size_t before its
       bounds are checked (f94446c38f): on i686 it wraps at 32 bits. */
    if (r->strict_tunables && r->word_bits == 32)
        v &= 0xffffffffull;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* elf/dl-tunables.c parse_tunables (parse_tunables_string from 2.39):
   NAME=VALUE pairs split at ':'. */
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
    unsigned long long values[2] = {DEFAULT_NNS, OPTIONAL_TLS};
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
    /* rtld counts the non-empty names in LD_AUDIT split at ':' (elf/rtld.c
       audit_list_count from 2.32, 17796419b5; 2.31's audit_list_iter_next
       splits the same way). */
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
    /* _dl_tls_static_surplus_init: nns clamped to DL_NNS, then the audit
       modules added. */
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
        /* tls_static_surplus (int nns, int opt_tls) computes in int
           (07ed32f920): opt wraps at 32 bits there, though the optional
           budget keeps its full value. */
        s = (size_t)(long long)(int)(unsigned)(LIBC_IE_TLS * (nns - 1) + OTHER_IE_TLS * nns +
                                               (unsigned)t->optional + LEGACY_TLS);
        snprintf(why, len, "144*(nns-1) + 144*nns + opt + 144 = 144*%zu + 144*%zu + %zu + 144 = %zu "
                 "(glibc >= 2.32; nns = %zu + %zu audit)",
                 nns - 1, nns, t->optional, s, nns - t->naudit, t->naudit);
        return s;
    }
    return 0;
}

bool glibc_audit_limit_exceeded(const struct glibc_rules *r, const struct tunables *t)
{
    size_t nns = t->nns < DL_NNS ? t->nns : DL_NNS;
    return r->audit_namespaces && DL_NNS - nns < t->naudit;
}

bool glibc_rseq_in_static_area(const char *version, enum tls_layout layout, bool have_rseq,
                               long rseq_offset)
{
    /* Above TP the area may start at TP+0 (tcb_size 0: ppc64le, riscv64),
       where a 2.35 to 2.40 whose rseq registration failed (qemu-user) also
       leaves __rseq_offset 0: hence the release. */
    int major, minor;
    bool block = release_number(version, &major, &minor) && major * 100 + minor >= 241;
    return have_rseq && block &&
           (layout == LAYOUT_BELOW_TP ? rseq_offset < 0 : rseq_offset >= 0);
}

size_t glibc_rseq_block_size(unsigned rseq_size)
{
    return round_up(rseq_size > RSEQ_AREA_SIZE_INITIAL ? rseq_size : RSEQ_AREA_SIZE_INITIAL,
                    RSEQ_MIN_ALIGN);
}

size_t glibc_static_align(const struct glibc_rules *r, const struct tls_block *blocks, size_t n,
                          bool rseq)
{
    size_t align = r->tcb_align;
    for (size_t i = 0; i < n; i++)
        if (blocks[i].align > align)
            align = blocks[i].align;
    return rseq && align < RSEQ_MIN_ALIGN ? RSEQ_MIN_ALIGN : align;
}

bool glibc_tls_laid_out_before_libraries(const struct tunables *t)
{
    return t->naudit > 0;
}

size_t glibc_startup_laid_out(const struct tunables *t, size_t nmain, size_t nmodules)
{
    return glibc_tls_laid_out_before_libraries(t) ? nmain : nmodules;
}

size_t glibc_startup_relocation_order(size_t nlaid, size_t nmodules, size_t *order)
{
    size_t n = 0;
    for (size_t i = nmodules; i-- > nlaid;)
        order[n++] = i;
    return n;
}

bool glibc_placed_at_first_use(const struct glibc_rules *r, enum tls_access access,
                               bool bind_now)
{
    return access == TLS_DESC && r->lazy_tlsdesc && !bind_now;
}

enum nodelete_rollback glibc_nodelete_rollback(const struct glibc_rules *r)
{
    int v = r->major * 100 + r->minor;
    return v >= 231   ? NODELETE_PENDING          /* f63b73814f, f8ed116aa5 */
           : v >= 222 ? NODELETE_ROOT_FORCED      /* 02d5e5d94a */
                      : NODELETE_KEPT_ON_FAILURE; /* l_flags_1 |= DF_1_NODELETE */
}
