#include "elfunique.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "elfreloc.h"
#include "xalloc.h"

#ifndef STB_GNU_UNIQUE
#define STB_GNU_UNIQUE 10
#endif

uint64_t elf_symbol_name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/* n 32-bit words at vaddr, in the host's order (libelf translates ELF_T_WORD). */
static const uint32_t *words_at(Elf *elf, const struct elf_load *loads, size_t nloads,
                                uint64_t vaddr, uint64_t n)
{
    uint64_t off;
    if (n == 0 || n > ELF_UNIQUE_SYMBOLS_MAX * 2ull ||
        !elf_load_offset(loads, nloads, vaddr, n * 4, &off))
        return NULL;
    Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)off, n * 4, ELF_T_WORD);
    return data && data->d_size >= n * 4 ? data->d_buf : NULL;
}

/* How many symbols DT_SYMTAB holds: DT_HASH's nchain, else what DT_GNU_HASH
   reaches (the last symbol of the highest bucket's chain, whose chain word
   has bit 0 set); 0 when neither can be read.  ld.so itself never needs
   the count. */
static uint64_t symbol_count(Elf *elf, const struct elf_load *loads, size_t nloads,
                             const struct elf_dynamic *d, bool class64)
{
    const uint32_t *w;
    if (d->hash && (w = words_at(elf, loads, nloads, d->hash, 2)))
        return w[1];
    if (!d->gnu_hash || !(w = words_at(elf, loads, nloads, d->gnu_hash, 4)))
        return 0;
    uint64_t nbuckets = w[0], symoffset = w[1], bloom_words = w[2];
    uint64_t buckets_at = d->gnu_hash + 16 + bloom_words * (class64 ? 8 : 4);
    const uint32_t *buckets = words_at(elf, loads, nloads, buckets_at, nbuckets);
    if (!buckets)
        return 0;
    uint64_t last = 0;
    for (uint64_t i = 0; i < nbuckets; i++)
        last = buckets[i] > last ? buckets[i] : last;
    if (last < symoffset)
        return symoffset;
    /* The chain is read a block of words at a time: libelf keeps every
       chunk it gives until elf_end, and a word at a time a chain of even
       words as long as the limit took millions of chunks (minutes). Where
       a block runs past the segment, its words are read one at a time. */
    enum { CHAIN_BLOCK = 4096 };
    uint64_t chain_at = buckets_at + nbuckets * 4;
    while (last < ELF_UNIQUE_SYMBOLS_MAX) {
        uint64_t at = chain_at + (last - symoffset) * 4;
        uint64_t n = ELF_UNIQUE_SYMBOLS_MAX - last < CHAIN_BLOCK ? ELF_UNIQUE_SYMBOLS_MAX - last
                                                                : CHAIN_BLOCK;
        const uint32_t *c = words_at(elf, loads, nloads, at, n);
        for (uint64_t i = 0; i < n; i++, last++) {
            const uint32_t *one = c ? c + i : words_at(elf, loads, nloads, at + i * 4, 1);
            if (!one || (*one & 1))
                return last + 1;
        }
    }
    return last + 1;
}

static const char *name_of(const GElf_Sym *s, const char *strings, uint64_t strsz)
{
    if (!strings || s->st_name >= strsz || !memchr(strings + s->st_name, '\0', strsz - s->st_name))
        return NULL;
    return strings + s->st_name;
}

static int compare_hashes(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts hashes and keeps each once. */
static void sort_unique(uint64_t *hashes, size_t *n)
{
    if (!*n)
        return;
    qsort(hashes, *n, sizeof *hashes, compare_hashes);
    size_t k = 1;
    for (size_t i = 1; i < *n; i++)
        if (hashes[i] != hashes[k - 1])
            hashes[k++] = hashes[i];
    *n = k;
}

/* What the relocations look up, and into out (elf_reloc_table_each's
   context). */
struct looked_up {
    int machine;
    const struct elf_dynamic *d;
    Elf_Data *syms;
    uint64_t nsyms;
    const char *strings;
    struct elf_unique *out;
};

/* The name one relocation looks up (symbol index 0 looks up nothing), and
   whose block a TLS relocation reaches. */
static void add_looked_up(uint64_t info, void *ctx)
{
    const struct looked_up *l = ctx;
    struct elf_unique *out = l->out;
    uint64_t index = GELF_R_SYM(info);
    enum tls_access access = elf_reloc_access_of(l->machine, l->d, (unsigned)GELF_R_TYPE(info));
    GElf_Sym s;
    const char *name = NULL;
    bool sym_ok = index != 0 && index < l->nsyms && gelf_getsym(l->syms, (int)index, &s) &&
                  (name = name_of(&s, l->strings, l->d->strsz));
    if (access != TLS_NONE && access != TLS_ACCESS_COUNT) {
        /* Index 0, or a symbol of its own: the object's own block. */
        if (!sym_ok || s.st_shndx != SHN_UNDEF)
            out->own_relocs[access]++;
        else if (access == TLS_IE)
            *XAPPEND(&out->ie_of_others, &out->nie_of_others) = elf_symbol_name_hash(name);
        else if (access == TLS_DESC)
            *XAPPEND(&out->desc_of_others, &out->ndesc_of_others) = elf_symbol_name_hash(name);
    }
    if (sym_ok)
        *XAPPEND(&out->looked_up, &out->nlooked_up) = elf_symbol_name_hash(name);
}

void elf_unique_read(Elf *elf, const struct elf_load *loads, size_t nloads,
                     const struct elf_dynamic *d, const char *strings, struct elf_unique *out)
{
    memset(out, 0, sizeof *out);
    GElf_Ehdr eh;
    if (!d->symtab || !strings || !gelf_getehdr(elf, &eh))
        return;
    bool class64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
    size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
    if (!entsize || (d->syment && d->syment != entsize))
        return;
    uint64_t nsyms = symbol_count(elf, loads, nloads, d, class64), off;
    nsyms = nsyms < ELF_UNIQUE_SYMBOLS_MAX ? nsyms : ELF_UNIQUE_SYMBOLS_MAX;
    if (!nsyms || !elf_load_offset(loads, nloads, d->symtab, nsyms * entsize, &off))
        return;
    Elf_Data *syms = elf_getdata_rawchunk(elf, (int64_t)off, nsyms * entsize, ELF_T_SYM);
    if (!syms)
        return;
    for (uint64_t i = 1; i < nsyms; i++) {
        GElf_Sym s;
        const char *name;
        if (!gelf_getsym(syms, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
            !(name = name_of(&s, strings, d->strsz)))
            continue;
        int bind = GELF_ST_BIND(s.st_info);
        if (bind == STB_GNU_UNIQUE)
            *XAPPEND(&out->defs, &out->ndefs) = xstrdup(name);
        if (bind == STB_GNU_UNIQUE || bind == STB_GLOBAL || bind == STB_WEAK)
            *XAPPEND(&out->defined, &out->ndefined) = elf_symbol_name_hash(name);
    }
    struct elf_reloc_table tables[3];
    size_t ntables = elf_reloc_tables(d, tables);
    struct looked_up l = {eh.e_machine, d, syms, nsyms, strings, out};
    for (size_t i = 0; i < ntables; i++)
        elf_reloc_table_each(elf, loads, nloads, &tables[i], add_looked_up, &l);
    sort_unique(out->looked_up, &out->nlooked_up);
    sort_unique(out->defined, &out->ndefined);
    sort_unique(out->ie_of_others, &out->nie_of_others);
    sort_unique(out->desc_of_others, &out->ndesc_of_others);
    out->relocs_read = true;
}

void elf_unique_free(struct elf_unique *u)
{
    for (size_t i = 0; i < u->ndefs; i++)
        free(u->defs[i]);
    free(u->defs);
    free(u->looked_up);
    free(u->defined);
    free(u->ie_of_others);
    free(u->desc_of_others);
    memset(u, 0, sizeof *u);
}

bool elf_unique_looks_up(const struct elf_unique *u, const char *name)
{
    uint64_t h = elf_symbol_name_hash(name);
    return u->nlooked_up &&
           bsearch(&h, u->looked_up, u->nlooked_up, sizeof h, compare_hashes) != NULL;
}
