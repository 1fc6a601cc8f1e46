/* What ld.so reads of an object's dynamic section, and where it finds it:
   shared by the reader (elfinfo.c) and by the copy of an object read as a
   stream (elfneed.c), so that the two cannot disagree on what an object
   says. */
#ifndef STATICTLS_ELFRULES_H
#define STATICTLS_ELFRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsaccess.h"

/* Which TLS access model a dynamic relocation of machine (e_machine)
   serves: TLS_NONE for every other type, and for type 0 on every machine. */
enum tls_access elf_reloc_access(int machine, unsigned type);

struct elf_dynamic;
/* The same for a relocation of an object with that dynamic section: on
   EM_PPC64 a global-dynamic one of an object whose DT_PPC64_OPT has
   PPC64_OPT_TLS is placed as a descriptor is (TLS_DESC): ld.so tries the
   optional static TLS for it (sysdeps/powerpc/powerpc64/dl-machine.h,
   R_PPC64_DTPMOD64, TRY_STATIC_TLS; 2.22, afcd9480fe). */
enum tls_access elf_reloc_access_of(int machine, const struct elf_dynamic *d, unsigned type);

/* A PT_LOAD's file part. */
struct elf_load {
    uint64_t vaddr, offset, filesz;
};

/* The file offset of [vaddr, vaddr + size) inside one PT_LOAD's file
   part: where ld.so would find it once mapped. */
bool elf_load_offset(const struct elf_load *loads, size_t n, uint64_t vaddr, uint64_t size,
                     uint64_t *off);

/* The file offset of vaddr and the bytes of its PT_LOAD's file part from
   there on: where a table of no stated size (DT_VERNEED) may lie. */
bool elf_load_span(const struct elf_load *loads, size_t n, uint64_t vaddr, uint64_t *off,
                   uint64_t *size);

/* What the dynamic section says, by address, as ld.so reads it. */
struct elf_dynamic {
    bool flag_static_tls; /* DT_FLAGS has DF_STATIC_TLS (in any DT_FLAGS entry) */
    bool nodelete;        /* DT_FLAGS_1 has DF_1_NODELETE */
    uint64_t strtab, strsz;
    uint64_t rela, relasz, rel, relsz, jmprel, pltrelsz, pltrel;
    uint64_t soname, rpath, runpath; /* string table offsets */
    bool has_soname, has_rpath, has_runpath;
    uint64_t *needed; /* string table offsets, in order */
    size_t nneeded;
    uint64_t verneed, verneednum; /* DT_VERNEED (an address), DT_VERNEEDNUM */
    bool has_verneed;
    /* The dynamic symbol table and the hash tables that say how long it is
       (addresses; 0 where absent): what elfunique.c reads. */
    uint64_t symtab, syment, hash, gnu_hash;
    uint64_t loproc3; /* DT_LOPROC + 3: DT_PPC64_OPT on EM_PPC64, other things elsewhere */
};

/* Takes one entry (the last of a tag counts, DT_NEEDED adds); false at
   DT_NULL, where ld.so stops. */
bool elf_dynamic_add(struct elf_dynamic *d, int64_t tag, uint64_t value);
void elf_dynamic_free(struct elf_dynamic *d);

/* A relocation table ld.so applies, by address. */
struct elf_reloc_table {
    uint64_t vaddr, size;
    bool rela; /* Elf_Rela entries, else Elf_Rel */
};

/* DT_RELA, DT_REL and DT_JMPREL, the last unless it lies inside the table
   of its kind (linkers may count .rela.plt into DT_RELASZ: ld.so then
   skips it); tables of size 0 left out.  Returns how many, at most 3. */
size_t elf_reloc_tables(const struct elf_dynamic *d, struct elf_reloc_table tables[3]);

#endif
