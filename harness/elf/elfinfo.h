/* What an ELF object says about its TLS, read with elfutils' libelf. */
#ifndef STATICTLS_ELFINFO_H
#define STATICTLS_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfunique.h"
#include "elfverneed.h"
#include "tlsaccess.h"

struct elf_tls {
    int machine;     /* e_machine */
    bool has_tls;    /* a PT_TLS segment */
    uint64_t tls_memsz, tls_filesz, tls_align, tls_vaddr;
    /* Why no loader could place this PT_TLS ("" if it could): a size
       beyond the address space, p_filesz > p_memsz, an alignment of 0 or
       one that is no power of two.  Such a block must never count as a
       size, and a process that dlopens it may die. */
    char tls_problem[128];
    bool flag_static_tls; /* DT_FLAGS has DF_STATIC_TLS */
    /* EM_PPC64 with DT_PPC64_OPT PPC64_OPT_TLS (ld --tls-get-addr-optimize):
       ld.so tries the optional static TLS for its global-dynamic accesses
       as for TLS descriptors (sysdeps/powerpc/powerpc64/dl-machine.h,
       R_PPC64_DTPMOD64, TRY_STATIC_TLS; 2.22, afcd9480fe). */
    bool tls_get_addr_opt;
    bool nodelete;        /* DT_FLAGS_1 has DF_1_NODELETE: dlclose never unloads it */
    /* DT_FLAGS and the dynamic relocations, read through PT_DYNAMIC as
       ld.so reads them (section headers may be absent or bogus). */
    unsigned ie_relocs;   /* TPOFF: needs static TLS */
    unsigned desc_relocs; /* TLSDESC: static TLS if the optional budget allows */
    unsigned gd_relocs;   /* DTPMOD: dynamic TLS */
    char *soname;
    char **needed;
    size_t nneeded;
    char *rpath, *runpath; /* DT_RPATH, DT_RUNPATH, or NULL */
    /* DT_VERNEED: the symbol versions it needs (GLIBC_2.34 of libc.so.6),
       which ld.so checks before the object runs. */
    struct elf_version_needs version_needs;
    /* The STB_GNU_UNIQUE symbols it defines and the names its relocations
       look up: which objects a dlopen makes NODELETE (elfunique.h). */
    struct elf_unique unique;
};

/* Reads path: only a regular file, opened without blocking (a FIFO or a
   device is refused, never waited on).  On failure returns false and
   writes why into err: "not-found: ...", "unreadable: ..." (permissions,
   I/O), "not-regular: ...", "not-elf: ..." or "malformed: ...". */
bool elf_tls_read(const char *path, struct elf_tls *out, char *err, size_t errlen);
/* The same from an open file; path names it in err. */
bool elf_tls_read_fd(int fd, const char *path, struct elf_tls *out, char *err, size_t errlen);
void elf_tls_free(struct elf_tls *t);

/* Whether the PT_TLS is one a loader could place (see tls_problem). */
static inline bool elf_tls_size_ok(const struct elf_tls *t)
{
    return !t->tls_problem[0];
}

/* Whether loading this object with dlopen needs static TLS at all. */
bool elf_tls_needs_static(const struct elf_tls *t);
/* How the object reaches its TLS, as ld.so will treat it: initial-exec if
   it needs static TLS, else descriptors if it has any, else dynamic. */
enum tls_access elf_tls_access(const struct elf_tls *t);

/* l_tls_firstbyte_offset as glibc computes it: p_vaddr & (p_align - 1),
   where a block whose p_vaddr is not aligned starts within its first
   aligned unit. */
uint64_t elf_tls_firstbyte(const struct elf_tls *t);

#endif
