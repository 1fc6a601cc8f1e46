/* The entries of a relocation table ld.so applies, read through libelf:
   what elfinfo counts (TLS relocations) and elfunique follows (the
   symbols they look up) walk a table one way. */
#ifndef STATICTLS_ELFRELOC_H
#define STATICTLS_ELFRELOC_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

#include "elfrules.h"

/* Called with each entry's r_info, in the table's order. */
typedef void (*elf_reloc_visit)(uint64_t info, void *ctx);

/* Visits every entry of table t, found by address through the PT_LOADs;
   nothing where the table lies outside them or libelf cannot read it. */
void elf_reloc_table_each(Elf *elf, const struct elf_load *loads, size_t nloads,
                          const struct elf_reloc_table *t, elf_reloc_visit visit, void *ctx);

#endif
