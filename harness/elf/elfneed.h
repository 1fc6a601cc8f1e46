/* What elf_tls_read reads of an ELF object, copied out of the object read
   as a stream (a wheel's member: libarchive gives it only in order, from
   its first byte): the ELF header, the program headers, PT_DYNAMIC up to
   DT_NULL, the strings it names (DT_SONAME, DT_NEEDED, DT_RPATH,
   DT_RUNPATH) and the entries of its relocation tables that elf_tls_read
   counts (the TLS ones), and the records of DT_VERNEED's table with the
   names they give (elfverneed.h: the symbol versions it needs).  Not the
   dynamic symbol table: elf_tls_read finds no unique symbols in a copy
   (elfunique.h; the copy's zeros give empty lists) and judges each block's
   access by the object's own relocations and DF_STATIC_TLS, as census
   does.  The copy holds those bytes at their own offsets
   and zeros elsewhere (a sparse file whose holes cost no disk), so
   elf_tls_read reads the same from it as from the object, while its code,
   data and debug information, nearly all of a large library, are never
   written.

   Each part is found only once the one before it is read (the header
   locates the program headers, they locate PT_DYNAMIC, which locates the
   tables), and may lie before it in the file: the stream is then read
   again from its start, at most ELF_NEED_READS times in all. */
#ifndef STATICTLS_ELFNEED_H
#define STATICTLS_ELFNEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfrules.h"

/* One read per level: header, program headers, PT_DYNAMIC, its tables,
   the names of the symbol versions DT_VERNEED's table needs. */
#define ELF_NEED_READS 5

enum elf_need_level { NEED_HEADER, NEED_PHDRS, NEED_DYNAMIC, NEED_TABLES, NEED_VERSIONS, NEED_DONE };

struct elf_need_part; /* elfneed.c's */

struct elf_need {
    int out;                   /* the copy, written with pwrite */
    enum elf_need_level level; /* the parts being copied */
    struct elf_need_part *parts;
    size_t nparts;
    bool msb, class64;             /* EI_DATA, EI_CLASS, once the header is read */
    int machine;                   /* e_machine */
    unsigned char *header, *phdrs; /* kept to plan the next level (the parts' own) */
    struct elf_load *loads;
    size_t nloads;
    struct elf_dynamic dynamic;
    uint64_t *version_names; /* string table offsets DT_VERNEED's records name */
    size_t nversion_names;
    bool ended;       /* a read reached the object's end ... */
    uint64_t end;     /* ... here */
    uint64_t written; /* bytes written into the copy */
    char problem[128]; /* why the object cannot be copied ("" if it can) */
};

/* Starts a copy into out, an empty file open for writing. */
void elf_need_init(struct elf_need *n, int out);
void elf_need_free(struct elf_need *n);

/* A read of the object from its first byte begins. */
void elf_need_start_read(struct elf_need *n);
/* The object's bytes [pos, pos + len), given in order from 0: copies what
   the copy needs of them.  False with why when writing fails (a full or
   small TMPDIR). */
bool elf_need_feed(struct elf_need *n, uint64_t pos, const unsigned char *data, size_t len,
                   char *why, size_t whylen);
/* Whether this read still needs bytes at pos or after: when not, the
   stream can stop here. */
bool elf_need_wants(const struct elf_need *n, uint64_t pos);

enum elf_need_state {
    ELF_NEED_COPIED, /* the copy is complete: truncate it to elf_need_size */
    ELF_NEED_AGAIN,  /* a part lies before the bytes that located it: read again */
    ELF_NEED_SHORT,  /* the read stopped before a part it needed (the caller's cap) */
    ELF_NEED_REFUSED /* the object cannot be copied: problem says why */
};
/* The read ended at pos: at the object's end (eof) or not. */
enum elf_need_state elf_need_end_read(struct elf_need *n, uint64_t pos, bool eof);

/* The copy's length: the end of the furthest byte elf_tls_read reads, or
   the object's end where that comes first. */
uint64_t elf_need_size(const struct elf_need *n);

#endif
