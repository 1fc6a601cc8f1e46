/* An object's STB_GNU_UNIQUE symbols as ld.so meets them: the unique
   symbols it defines, the names its dynamic relocations look up, and the
   names it defines (where those lookups bind, which keeps the definer
   mapped as long as the object is: l_reldeps).  When
   a relocation's lookup first finds a unique definition in an object that
   dlopen mapped, glibc makes that object NODELETE (elf/dl-lookup.c; the
   rule is in model/dlmodel.h), so these two lists say from the files alone
   which objects a dlopen pins.  Read through PT_DYNAMIC as ld.so reads it:
   DT_SYMTAB, its length from DT_GNU_HASH or DT_HASH, and the relocation
   tables' symbol indexes. */
#ifndef STATICTLS_ELFUNIQUE_H
#define STATICTLS_ELFUNIQUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfrules.h"
#include "tlsaccess.h"

/* Symbols read at most from one dynamic symbol table (the largest real
   libraries here, libtorch_cpu's, hold about 300000): a hash table that
   claims more is taken as this many.  Raise it here if an object needs
   more. */
#define ELF_UNIQUE_SYMBOLS_MAX 4194304

struct elf_unique {
    char **defs; /* names of the STB_GNU_UNIQUE symbols it defines, in table order */
    size_t ndefs;
    uint64_t *looked_up; /* elf_symbol_name_hash of each name a dynamic relocation
                            looks up, sorted, each once */
    size_t nlooked_up;
    uint64_t *defined; /* the same of each symbol it defines (global, weak or unique),
                          sorted, each once: where another object's lookups bind */
    size_t ndefined;
    /* Its TLS relocations by the block they reach: its own (symbol index 0
       or a symbol it defines), counted by access; another object's (an
       undefined TLS symbol), the names' hashes for initial-exec and
       descriptors.  glibc places a block in static TLS for the relocation
       that reaches it (sym_map in dl-machine.h), whichever object has it:
       a library whose initial-exec relocations all reach another's block
       (DF_STATIC_TLS set) reaches its own through descriptors. */
    unsigned own_relocs[TLS_ACCESS_COUNT];
    uint64_t *ie_of_others, *desc_of_others;
    size_t nie_of_others, ndesc_of_others;
    bool relocs_read; /* the symbol table was read: the lists above say it all */
};

/* Reads them; strings is the dynamic string table of d->strsz bytes (NULL:
   none read).  An object whose tables cannot be read gives empty lists. */
struct Elf; /* libelf's */
void elf_unique_read(struct Elf *elf, const struct elf_load *loads, size_t nloads,
                     const struct elf_dynamic *d, const char *strings, struct elf_unique *out);
void elf_unique_free(struct elf_unique *u);

/* The 64-bit FNV-1a hash of a symbol name: how looked_up holds names. */
uint64_t elf_symbol_name_hash(const char *name);
/* Whether a relocation of the object looks up name. */
bool elf_unique_looks_up(const struct elf_unique *u, const char *name);

#endif
