/* What an ELF object says about its TLS, read with elfutils' libelf. */
#ifndef STATICTLS_ELFINFO_H
#define STATICTLS_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsaccess.h"

struct elf_tls {
    int machine;     /* e_machine */
    bool has_tls;    /* a PT_TLS segment */
    uint64_t tls_memsz, tls_filesz, tls_align, tls_vaddr;
    bool flag_static_tls; /* DT_FLAGS has DF_STATIC_TLS */
    bool nodelete;        /* DT_FLAGS_1 has DF_1_NODELETE: dlclose never unloads it */
    /* Dynamic TLS relocations by access model. */
    unsigned ie_relocs;   /* TPOFF: needs static TLS */
    unsigned desc_relocs; /* TLSDESC: static TLS if the optional budget allows */
    unsigned gd_relocs;   /* DTPMOD: dynamic TLS */
    char *soname;
    char **needed;
    size_t nneeded;
    char *rpath, *runpath; /* DT_RPATH, DT_RUNPATH, or NULL */
};

/* Reads path.  On failure returns false and writes why into err:
   "not-found: ...", "not-elf: ..." or "malformed: ...". */
bool elf_tls_read(const char *path, struct elf_tls *out, char *err, size_t errlen);
/* The same from an open file; path names it in err. */
bool elf_tls_read_fd(int fd, const char *path, struct elf_tls *out, char *err, size_t errlen);
void elf_tls_free(struct elf_tls *t);

/* Whether loading this object with dlopen needs static TLS at all. */
bool elf_tls_needs_static(const struct elf_tls *t);
/* How the object reaches its TLS, as ld.so will treat it: initial-exec if
   it needs static TLS, else descriptors if it has any, else dynamic. */
enum tls_access elf_tls_access(const struct elf_tls *t);

/* l_tls_firstbyte_offset as glibc computes it. */
uint64_t elf_tls_firstbyte(const struct elf_tls *t);

#endif
