#include "elfneed.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfverneed.h"
#include "xalloc.h"

enum part_kind {
    PART_BYTES,   /* copied whole (copy_end may stop short of end) */
    PART_DYNAMIC, /* entries, copied up to DT_NULL */
    PART_STRINGS, /* the strings at the offsets listed, each up to its NUL */
    PART_RELOCS,  /* entries: only the TLS ones copied */
    PART_VERNEED, /* kept whole, then only the records elf_verneed_read reads copied */
};

struct elf_need_part {
    enum part_kind kind;
    enum elf_need_level level;
    /* [start, end): what elf_tls_read reads of the object; the stream is
       read to end even where less is copied, so that the copy ends where
       the object does when the object is shorter. */
    uint64_t start, end;
    uint64_t copy_end; /* PART_BYTES: copied up to here */
    unsigned char *keep; /* PART_BYTES: the bytes kept, for planning */
    uint64_t at;         /* the next byte this read takes */
    bool missed;         /* found after this read passed start: the next read takes it */
    bool complete;       /* all it copies is copied */
    unsigned entsize;    /* PART_DYNAMIC, PART_RELOCS */
    bool rela;           /* PART_RELOCS */
    unsigned char carry[sizeof(Elf64_Rela)]; /* an entry split between two feeds */
    size_t ncarry;
    uint64_t *strings; /* PART_STRINGS: offsets from start, sorted, unique */
    size_t nstrings, next;
    bool in_string;
    bool walked; /* PART_VERNEED: its records copied */
};

/* An unsigned integer of size bytes at p, in the object's byte order. */
static uint64_t get(const struct elf_need *n, const unsigned char *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v |= (uint64_t)p[n->msb ? size - 1 - i : i] << (8 * i);
    return v;
}

/* A field of an ELF structure, by the class's layout. */
#define FIELD(n, p, type64, type32, field)                                                 \
    ((n)->class64 ? get(n, (p) + offsetof(type64, field), sizeof(((type64 *)0)->field))   \
                  : get(n, (p) + offsetof(type32, field), sizeof(((type32 *)0)->field)))

void elf_need_init(struct elf_need *n, int out)
{
    memset(n, 0, sizeof *n);
    n->out = out;
    n->level = NEED_HEADER;
}

void elf_need_free(struct elf_need *n)
{
    for (size_t i = 0; i < n->nparts; i++) {
        free(n->parts[i].keep);
        free(n->parts[i].strings);
    }
    free(n->parts);
    free(n->loads);
    free(n->version_names);
    elf_dynamic_free(&n->dynamic);
    memset(n, 0, sizeof *n);
}

/* A new part of the current level, or NULL when [start, start + len)
   lies beyond any file (elf_tls_read's read of it fails either way). */
static struct elf_need_part *add_part(struct elf_need *n, enum part_kind kind, uint64_t start,
                                      uint64_t len)
{
    if (!len || start > UINT64_MAX - len)
        return NULL;
    struct elf_need_part *p = XAPPEND(&n->parts, &n->nparts);
    *p = (struct elf_need_part){.kind = kind, .level = n->level, .start = start,
                                .end = start + len, .copy_end = start + len, .at = start};
    if (n->ended && start >= n->end)
        p->complete = true, p->at = p->end; /* nothing of it is there */
    return p;
}

static bool write_at(struct elf_need *n, uint64_t off, const unsigned char *data, size_t len,
                     char *why, size_t whylen)
{
    while (len) {
        ssize_t w = pwrite(n->out, data, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(why, whylen, "%s", w < 0 ? strerror(errno) : "nothing written");
            return false;
        }
        data += w, off += (uint64_t)w, len -= (size_t)w;
        n->written += (uint64_t)w;
    }
    return true;
}

static bool take_bytes(struct elf_need *n, struct elf_need_part *p, const unsigned char *data,
                       uint64_t len, char *why, size_t whylen)
{
    uint64_t copy = p->at < p->copy_end ? p->copy_end - p->at : 0;
    copy = copy < len ? copy : len;
    if (copy && p->keep)
        memcpy(p->keep + (p->at - p->start), data, copy);
    return !copy || write_at(n, p->at, data, copy, why, whylen);
}

/* Entries one by one, whole: the carry completes one split across feeds. */
typedef bool entry_fn(struct elf_need *n, struct elf_need_part *p, uint64_t off,
                      const unsigned char *entry, char *why, size_t whylen);

static bool take_entries(struct elf_need *n, struct elf_need_part *p, const unsigned char *data,
                         uint64_t len, entry_fn *fn, char *why, size_t whylen)
{
    uint64_t off = p->at, stop = p->at + len;
    if (p->ncarry) {
        size_t more = p->entsize - p->ncarry < len ? p->entsize - p->ncarry : (size_t)len;
        memcpy(p->carry + p->ncarry, data, more);
        p->ncarry += more, off += more, data += more;
        if (p->ncarry < p->entsize)
            return true;
        p->ncarry = 0;
        if (!fn(n, p, off - p->entsize, p->carry, why, whylen))
            return false;
    }
    /* Entries count from the part's start: a trailing partial one is no entry. */
    for (; !p->complete && stop - off >= p->entsize && p->end - off >= p->entsize;
         off += p->entsize, data += p->entsize)
        if (!fn(n, p, off, data, why, whylen))
            return false;
    if (!p->complete && off < stop && p->end - off >= p->entsize) {
        memcpy(p->carry, data, stop - off);
        p->ncarry = stop - off;
    }
    return true;
}

static bool dynamic_entry(struct elf_need *n, struct elf_need_part *p, uint64_t off,
                          const unsigned char *e, char *why, size_t whylen)
{
    uint64_t tag = FIELD(n, e, Elf64_Dyn, Elf32_Dyn, d_tag);
    uint64_t value = n->class64 ? get(n, e + 8, 8) : get(n, e + 4, 4);
    int64_t signed_tag = n->class64 ? (int64_t)tag : (int64_t)(int32_t)(uint32_t)tag;
    if (!elf_dynamic_add(&n->dynamic, signed_tag, value))
        p->complete = true; /* DT_NULL: ld.so reads no further */
    return write_at(n, off, e, p->entsize, why, whylen);
}

static bool reloc_entry(struct elf_need *n, struct elf_need_part *p, uint64_t off,
                        const unsigned char *e, char *why, size_t whylen)
{
    uint64_t info = n->class64 ? get(n, e + 8, 8) : get(n, e + 4, 4);
    unsigned type = n->class64 ? (unsigned)(info & 0xffffffff) : (unsigned)(info & 0xff);
    /* The others stay zeros: type 0, no TLS access, as elf_tls_read counts. */
    if (elf_reloc_access(n->machine, type) == TLS_NONE)
        return true;
    return write_at(n, off, e, p->entsize, why, whylen);
}

/* Each listed string from its first byte through its NUL. */
static bool take_strings(struct elf_need *n, struct elf_need_part *p, const unsigned char *data,
                         uint64_t len, char *why, size_t whylen)
{
    uint64_t off = p->at, stop = p->at + len;
    while (off < stop) {
        if (!p->in_string) {
            while (p->next < p->nstrings && p->start + p->strings[p->next] < off)
                p->next++;
            if (p->next == p->nstrings || p->start + p->strings[p->next] >= stop)
                break;
            off = p->start + p->strings[p->next++];
            p->in_string = true;
        }
        const unsigned char *from = data + (off - p->at);
        const unsigned char *nul = memchr(from, '\0', stop - off);
        uint64_t upto = nul ? off + (uint64_t)(nul - from) + 1 : stop;
        if (!write_at(n, off, from, upto - off, why, whylen))
            return false;
        p->in_string = !nul;
        off = upto;
    }
    if (!p->in_string) {
        while (p->next < p->nstrings && p->start + p->strings[p->next] < stop)
            p->next++;
        p->complete |= p->next == p->nstrings;
    }
    return true;
}

struct verneed_walk {
    struct elf_need *n;
    struct elf_need_part *p;
    bool failed;
    char *why;
    size_t whylen;
};

/* One record elf_verneed_read reads: copied, and the names it gives kept
   for the next level. */
static void copy_record(void *ctx, uint64_t at, bool aux, uint64_t file, uint64_t name,
                        unsigned flags)
{
    (void)flags;
    struct verneed_walk *w = ctx;
    if (w->failed)
        return;
    w->failed = !write_at(w->n, w->p->start + at, w->p->keep + at, ELF_VERNEED_RECORD, w->why,
                          w->whylen);
    *XAPPEND(&w->n->version_names, &w->n->nversion_names) = aux ? name : file;
}

/* DT_VERNEED's table, all of it there is: the records read, copied. */
static bool walk_verneed(struct elf_need *n, struct elf_need_part *p, char *why, size_t whylen)
{
    p->walked = true;
    uint64_t size = p->end - p->start;
    if (n->ended && n->end < p->end)
        size = n->end > p->start ? n->end - p->start : 0;
    struct verneed_walk w = {n, p, false, why, whylen};
    char problem[128];
    elf_verneed_walk(p->keep, size, n->msb, n->dynamic.verneednum, copy_record, &w, problem,
                     sizeof problem);
    return !w.failed;
}

static bool take(struct elf_need *n, struct elf_need_part *p, const unsigned char *data,
                 uint64_t len, char *why, size_t whylen)
{
    bool ok = true;
    if (!p->complete)
        switch (p->kind) {
        case PART_BYTES:
            ok = take_bytes(n, p, data, len, why, whylen);
            break;
        case PART_DYNAMIC:
            ok = take_entries(n, p, data, len, dynamic_entry, why, whylen);
            break;
        case PART_RELOCS:
            ok = take_entries(n, p, data, len, reloc_entry, why, whylen);
            break;
        case PART_STRINGS:
            ok = take_strings(n, p, data, len, why, whylen);
            break;
        case PART_VERNEED:
            memcpy(p->keep + (p->at - p->start), data, len);
            break;
        }
    p->at += len;
    if (p->at >= (p->kind == PART_BYTES ? p->copy_end : p->end))
        p->complete = true;
    if (ok && p->kind == PART_VERNEED && p->complete && !p->walked)
        ok = walk_verneed(n, p, why, whylen);
    return ok;
}

/* The header read: the program headers next (and section header 0, which
   libelf reads when e_shnum is 0). */
static void plan_phdrs(struct elf_need *n)
{
    const unsigned char *h = n->header;
    if (memcmp(h, ELFMAG, SELFMAG) != 0 || (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
        (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
        return; /* elf_tls_read says what is wrong with it */
    n->class64 = h[EI_CLASS] == ELFCLASS64;
    n->msb = h[EI_DATA] == ELFDATA2MSB;
    n->machine = (int)FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_machine);
    uint64_t phoff = FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_phoff);
    uint64_t phnum = FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_phnum);
    uint64_t phentsize = FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_phentsize);
    uint64_t shoff = FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_shoff);
    uint64_t shnum = FIELD(n, h, Elf64_Ehdr, Elf32_Ehdr, e_shnum);
    if (phnum == PN_XNUM) {
        /* libelf then reads the whole section header table for the count;
           ld.so reads 65535 entries.  No object that loads has as many. */
        snprintf(n->problem, sizeof n->problem,
                 "e_phnum is PN_XNUM (65535 or more program headers): not copied");
        return;
    }
    uint64_t size = n->class64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    uint64_t shsize = n->class64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
    /* libelf reads phnum entries of its own size, and refuses an e_phoff
       other than 0 at or past the file's end, even for no entries;
       elf_tls_read checks that e_phnum entries of e_phentsize bytes are in
       the file. */
    uint64_t len = phnum * (phentsize > size ? phentsize : size);
    struct elf_need_part *p = add_part(n, PART_BYTES, phoff, len ? len : phoff != 0);
    if (p) {
        p->copy_end = phoff + phnum * size;
        p->keep = n->phdrs = phnum ? xcalloc(phnum, size) : NULL;
    }
    if (shnum == 0 && shoff != 0)
        add_part(n, PART_BYTES, shoff, shsize);
}

/* The program headers read: PT_DYNAMIC next (the last one, as libelf's
   reader takes it). */
static void plan_dynamic(struct elf_need *n)
{
    struct elf_need_part *ph = NULL;
    for (size_t i = 0; i < n->nparts; i++)
        if (n->parts[i].keep == n->phdrs && n->phdrs)
            ph = &n->parts[i];
    if (!ph)
        return;
    uint64_t size = n->class64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    uint64_t have = ph->copy_end - ph->start; /* all of it, unless the object ends first */
    if (n->ended && n->end < ph->copy_end)
        have = n->end > ph->start ? n->end - ph->start : 0;
    uint64_t dyn_off = 0, dyn_vaddr = 0, dyn_size = 0;
    bool dynamic = false;
    for (uint64_t i = 0; i + size <= have; i += size) {
        const unsigned char *e = n->phdrs + i;
        uint64_t type = FIELD(n, e, Elf64_Phdr, Elf32_Phdr, p_type);
        uint64_t offset = FIELD(n, e, Elf64_Phdr, Elf32_Phdr, p_offset);
        uint64_t filesz = FIELD(n, e, Elf64_Phdr, Elf32_Phdr, p_filesz);
        if (type == PT_LOAD)
            *XAPPEND(&n->loads, &n->nloads) = (struct elf_load){
                FIELD(n, e, Elf64_Phdr, Elf32_Phdr, p_vaddr), offset, filesz};
        if (type == PT_DYNAMIC)
            dynamic = true, dyn_vaddr = FIELD(n, e, Elf64_Phdr, Elf32_Phdr, p_vaddr),
            dyn_size = filesz;
    }
    if (have < ph->copy_end - ph->start)
        return; /* a truncated table: elf_tls_read refuses the object */
    /* ld.so reads it at p_vaddr, where a PT_LOAD maps it (elf_tls_read
       reports one that none maps). */
    dynamic = dynamic && elf_load_offset(n->loads, n->nloads, dyn_vaddr, dyn_size, &dyn_off);
    struct elf_need_part *p = dynamic ? add_part(n, PART_DYNAMIC, dyn_off, dyn_size) : NULL;
    if (p)
        p->entsize = n->class64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
}

static int compare_offsets(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Offsets sorted, each once, those inside a table of strsz bytes only;
   how many are left. */
static size_t unique_offsets(uint64_t *offsets, size_t k, uint64_t strsz)
{
    if (k)
        qsort(offsets, k, sizeof *offsets, compare_offsets);
    size_t unique = 0;
    for (size_t i = 0; i < k; i++)
        if (offsets[i] < strsz && (!unique || offsets[unique - 1] != offsets[i]))
            offsets[unique++] = offsets[i];
    return unique;
}

/* A string table to read at file offset stroff: the strings at offsets
   (taken over), each once. */
static void add_strings(struct elf_need *n, uint64_t stroff, uint64_t strsz, uint64_t *offsets,
                        size_t k)
{
    size_t unique = unique_offsets(offsets, k, strsz);
    struct elf_need_part *p = add_part(n, PART_STRINGS, stroff, strsz);
    if (p) {
        p->strings = offsets, p->nstrings = unique;
        p->complete |= !unique;
    } else {
        free(offsets);
    }
}

/* PT_DYNAMIC read: the strings it names and the relocation tables. */
static void plan_tables(struct elf_need *n)
{
    const struct elf_dynamic *d = &n->dynamic;
    uint64_t stroff;
    if (d->strsz && elf_load_offset(n->loads, n->nloads, d->strtab, d->strsz, &stroff)) {
        uint64_t *offsets = xcalloc(d->nneeded + 3, sizeof *offsets);
        size_t k = 0;
        for (size_t i = 0; i < d->nneeded; i++)
            offsets[k++] = d->needed[i];
        if (d->has_soname)
            offsets[k++] = d->soname;
        if (d->has_rpath)
            offsets[k++] = d->rpath;
        if (d->has_runpath)
            offsets[k++] = d->runpath;
        add_strings(n, stroff, d->strsz, offsets, k);
    }
    /* As elf_tls_read reads it: what its PT_LOAD maps from DT_VERNEED on,
       at most ELF_VERNEED_BYTES_MAX bytes. */
    uint64_t voff, vsize;
    if (d->has_verneed && d->verneednum &&
        elf_load_span(n->loads, n->nloads, d->verneed, &voff, &vsize)) {
        vsize = vsize < ELF_VERNEED_BYTES_MAX ? vsize : ELF_VERNEED_BYTES_MAX;
        struct elf_need_part *p = add_part(n, PART_VERNEED, voff, vsize);
        if (p)
            p->keep = xcalloc(1, vsize);
    }
    struct elf_reloc_table tables[3];
    size_t ntables = elf_reloc_tables(d, tables);
    for (size_t i = 0; i < ntables; i++) {
        uint64_t off;
        if (!elf_load_offset(n->loads, n->nloads, tables[i].vaddr, tables[i].size, &off))
            continue;
        struct elf_need_part *p = add_part(n, PART_RELOCS, off, tables[i].size);
        if (p) {
            p->rela = tables[i].rela;
            p->entsize = n->class64 ? (p->rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel))
                                    : (p->rela ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
        }
    }
}

/* The tables read: the names DT_VERNEED's records give. */
static void plan_versions(struct elf_need *n)
{
    const struct elf_dynamic *d = &n->dynamic;
    uint64_t stroff;
    if (!n->nversion_names || !d->strsz ||
        !elf_load_offset(n->loads, n->nloads, d->strtab, d->strsz, &stroff))
        return;
    uint64_t *offsets = xcalloc(n->nversion_names, sizeof *offsets);
    memcpy(offsets, n->version_names, n->nversion_names * sizeof *offsets);
    add_strings(n, stroff, d->strsz, offsets, n->nversion_names);
}

static bool level_complete(const struct elf_need *n)
{
    for (size_t i = 0; i < n->nparts; i++)
        if (n->parts[i].level == n->level && !n->parts[i].complete)
            return false;
    return true;
}

/* Moves to the next level while the current one is complete; true when
   one was planned (its parts may begin in bytes already given). */
static bool advance(struct elf_need *n)
{
    bool planned = false;
    while (n->level != NEED_DONE && !n->problem[0] && level_complete(n)) {
        n->level++;
        if (n->level == NEED_PHDRS)
            plan_phdrs(n);
        else if (n->level == NEED_DYNAMIC)
            plan_dynamic(n);
        else if (n->level == NEED_TABLES)
            plan_tables(n);
        else if (n->level == NEED_VERSIONS)
            plan_versions(n);
        planned = true;
    }
    return planned;
}

void elf_need_start_read(struct elf_need *n)
{
    if (!n->nparts) {
        struct elf_need_part *p = add_part(n, PART_BYTES, 0, sizeof(Elf64_Ehdr));
        p->keep = n->header = xcalloc(1, sizeof(Elf64_Ehdr));
    }
    /* A part not read to its end is read again from its start: to copy
       it, or (all copied) to learn whether the object reaches its end. */
    for (size_t i = 0; i < n->nparts; i++) {
        struct elf_need_part *p = &n->parts[i];
        if (p->at < p->end)
            p->at = p->start, p->missed = false;
        if (!p->complete)
            p->ncarry = 0, p->next = 0, p->in_string = false;
    }
}

bool elf_need_feed(struct elf_need *n, uint64_t pos, const unsigned char *data, size_t len,
                   char *why, size_t whylen)
{
    do {
        for (size_t i = 0; i < n->nparts; i++) {
            struct elf_need_part *p = &n->parts[i];
            if (p->missed || p->at >= p->end || p->at >= pos + len)
                continue;
            if (p->at < pos) { /* it begins in bytes already gone by */
                p->missed = true;
                continue;
            }
            uint64_t stop = p->end < pos + len ? p->end : pos + len;
            if (!take(n, p, data + (p->at - pos), stop - p->at, why, whylen))
                return false;
        }
    } while (advance(n));
    return true;
}

bool elf_need_wants(const struct elf_need *n, uint64_t pos)
{
    for (size_t i = 0; i < n->nparts; i++)
        if (!n->parts[i].missed && n->parts[i].at < n->parts[i].end && n->parts[i].end > pos)
            return true;
    return false;
}

enum elf_need_state elf_need_end_read(struct elf_need *n, uint64_t pos, bool eof)
{
    if (eof) {
        n->ended = true;
        n->end = pos;
        /* A part this read took up to the end has all of it there is: as
           elf_tls_read finds it in the object. */
        for (size_t i = 0; i < n->nparts; i++) {
            struct elf_need_part *p = &n->parts[i];
            if (!p->missed && p->at >= pos)
                p->complete = true, p->at = p->end;
            char why[128];
            if (p->kind == PART_VERNEED && p->complete && !p->walked &&
                !walk_verneed(n, p, why, sizeof why))
                snprintf(n->problem, sizeof n->problem, "cannot write the copy: %.90s", why);
        }
        advance(n);
    }
    if (n->problem[0])
        return ELF_NEED_REFUSED;
    bool again = false, short_read = false;
    for (size_t i = 0; i < n->nparts; i++) {
        const struct elf_need_part *p = &n->parts[i];
        if (p->at >= p->end)
            continue;
        /* Missed, or (at the end) found past the bytes read: read again.
           Else the caller stopped this read before the part's end. */
        if (p->missed || eof)
            again = true;
        else
            short_read = true;
    }
    return short_read ? ELF_NEED_SHORT : again ? ELF_NEED_AGAIN : ELF_NEED_COPIED;
}

uint64_t elf_need_size(const struct elf_need *n)
{
    uint64_t size = 0;
    for (size_t i = 0; i < n->nparts; i++)
        size = n->parts[i].end > size ? n->parts[i].end : size;
    return n->ended && n->end < size ? n->end : size;
}
