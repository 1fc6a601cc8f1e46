/* The symbol versions an ELF object needs of others (DT_VERNEED: Elf_Verneed
   entries, each with its Elf_Vernaux list), as ld.so checks them before it
   runs the object (elf/dl-version.c _dl_check_map_versions): a need of
   GLIBC_2.34 that the loaded libc.so.6 does not define fails the load with
   "version `GLIBC_2.34' not found".  Read from the bytes of the table and
   the dynamic string table, so a wheel's partial copy and a file read whole
   give the same answer; and judged against a glibc release. */
#ifndef STATICTLS_ELFVERNEED_H
#define STATICTLS_ELFVERNEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Entries read at most (ld.so has no limit; no real object comes near):
   a table whose vn_next or vna_next chain loops stops here. */
#define ELF_VERNEED_MAX 65536

/* Bytes of a DT_VERNEED table read at most, from its address on (a real
   one is a few hundred bytes; the rest of its PT_LOAD may be megabytes). */
#define ELF_VERNEED_BYTES_MAX 1048576

struct elf_version_need {
    char *file;    /* vn_file: the DT_NEEDED name it is needed of, "libc.so.6" */
    char *version; /* vna_name: "GLIBC_2.34" */
};

struct elf_version_needs {
    struct elf_version_need *items; /* in table order; weak needs left out */
    size_t n;
    char problem[128]; /* why the table was read only in part ("" if whole) */
};

/* Reads the table: table[0, size) holds the bytes from DT_VERNEED on (up
   to where the object's mapping ends), strings[0, strsz) the dynamic
   string table (a NULL strings or an entry whose name lies outside it
   gives no name: that entry is left out).  count: DT_VERNEEDNUM, the most
   entries followed (ld.so follows vn_next until it is 0).  msb: the
   object's byte order.  Weak needs (VER_FLG_WEAK), which ld.so only warns
   about, are left out. */
void elf_verneed_read(const unsigned char *table, uint64_t size, bool msb, uint64_t count,
                      const char *strings, uint64_t strsz, struct elf_version_needs *out);
void elf_version_needs_free(struct elf_version_needs *n);

/* Each record elf_verneed_read reads, in the order it reads them: at, its
   offset in the table; an Elf_Verneed (aux false: file is vn_file) or an
   Elf_Vernaux of it (file, name: vna_name, flags: vna_flags).  Both
   records are ELF_VERNEED_RECORD bytes.  problem: as elf_version_needs'. */
#define ELF_VERNEED_RECORD 16
typedef void elf_verneed_visit(void *ctx, uint64_t at, bool aux, uint64_t file, uint64_t name,
                               unsigned flags);
void elf_verneed_walk(const unsigned char *table, uint64_t size, bool msb, uint64_t count,
                      elf_verneed_visit *visit, void *ctx, char *problem, size_t len);

/* A glibc symbol version "GLIBC_X.Y[.Z]" as its release numbers (major,
   minor, patch); false for any other name (GLIBC_PRIVATE, GLIBCXX_3.4,
   GCC_3.0). */
bool glibc_version_of(const char *name, unsigned v[3]);

/* Whether glibc release ("X.Y", "2.36") defines the version name: a name
   that is no GLIBC_X.Y[.Z] always is (no release number to hold it to),
   and so is a release that is no number. */
bool glibc_release_defines(const char *release, const char *name);

/* Whether version name a is a GLIBC_X.Y[.Z] newer than b (b no such name:
   any such a is). */
bool glibc_version_newer(const char *a, const char *b);

/* The need of the newest glibc version among needs, or NULL where none is
   a GLIBC_X.Y[.Z]. */
const struct elf_version_need *elf_newest_glibc_need(const struct elf_version_needs *needs);

#endif
