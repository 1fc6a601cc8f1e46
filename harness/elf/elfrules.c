#include "elfrules.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum tls_access elf_reloc_access(int machine, unsigned type)
{
    switch (machine) {
    case EM_X86_64:
        return type == R_X86_64_TPOFF64 || type == R_X86_64_TPOFF32 ? TLS_IE
               : type == R_X86_64_TLSDESC                         ? TLS_DESC
               : type == R_X86_64_DTPMOD64                        ? TLS_GD
                                                                  : TLS_NONE;
    case EM_AARCH64:
        return type == R_AARCH64_TLS_TPREL   ? TLS_IE
               : type == R_AARCH64_TLSDESC   ? TLS_DESC
               : type == R_AARCH64_TLS_DTPMOD ? TLS_GD
                                             : TLS_NONE;
    case EM_ARM:
        return type == R_ARM_TLS_TPOFF32    ? TLS_IE
               : type == R_ARM_TLS_DESC     ? TLS_DESC
               : type == R_ARM_TLS_DTPMOD32 ? TLS_GD
                                            : TLS_NONE;
    case EM_PPC64: /* no descriptors; elf_tls_access: DT_PPC64_OPT */
        return type == R_PPC64_TPREL64     ? TLS_IE
               : type == R_PPC64_DTPMOD64 ? TLS_GD
                                          : TLS_NONE;
    case EM_S390: /* no descriptors */
        return type == R_390_TLS_TPOFF     ? TLS_IE
               : type == R_390_TLS_DTPMOD ? TLS_GD
                                          : TLS_NONE;
    case EM_RISCV: /* no descriptors in any release modelled */
        return type == R_RISCV_TLS_TPREL64 || type == R_RISCV_TLS_TPREL32       ? TLS_IE
               : type == R_RISCV_TLS_DTPMOD64 || type == R_RISCV_TLS_DTPMOD32 ? TLS_GD
                                                                             : TLS_NONE;
    case EM_386:
        return type == R_386_TLS_TPOFF || type == R_386_TLS_TPOFF32 ? TLS_IE
               : type == R_386_TLS_DESC                            ? TLS_DESC
               : type == R_386_TLS_DTPMOD32                        ? TLS_GD
                                                                   : TLS_NONE;
    default:
        return TLS_NONE;
    }
}

enum tls_access elf_reloc_access_of(int machine, const struct elf_dynamic *d, unsigned type)
{
    enum tls_access a = elf_reloc_access(machine, type);
    return machine == EM_PPC64 && a == TLS_GD && (d->loproc3 & PPC64_OPT_TLS) ? TLS_DESC : a;
}

bool elf_load_offset(const struct elf_load *loads, size_t n, uint64_t vaddr, uint64_t size,
                     uint64_t *off)
{
    for (size_t i = 0; i < n; i++)
        if (vaddr >= loads[i].vaddr && vaddr - loads[i].vaddr <= loads[i].filesz &&
            size <= loads[i].filesz - (vaddr - loads[i].vaddr)) {
            *off = loads[i].offset + (vaddr - loads[i].vaddr);
            return true;
        }
    return false;
}

bool elf_load_span(const struct elf_load *loads, size_t n, uint64_t vaddr, uint64_t *off,
                   uint64_t *size)
{
    for (size_t i = 0; i < n; i++)
        if (vaddr >= loads[i].vaddr && vaddr - loads[i].vaddr < loads[i].filesz) {
            *off = loads[i].offset + (vaddr - loads[i].vaddr);
            *size = loads[i].filesz - (vaddr - loads[i].vaddr);
            return true;
        }
    return false;
}

bool elf_dynamic_add(struct elf_dynamic *d, int64_t tag, uint64_t v)
{
    switch (tag) {
    case DT_NULL: return false;
    case DT_FLAGS: d->flag_static_tls |= (v & DF_STATIC_TLS) != 0; break;
    case DT_FLAGS_1: d->nodelete |= (v & DF_1_NODELETE) != 0; break;
    case DT_STRTAB: d->strtab = v; break;
    case DT_STRSZ: d->strsz = v; break;
    case DT_RELA: d->rela = v; break;
    case DT_RELASZ: d->relasz = v; break;
    case DT_REL: d->rel = v; break;
    case DT_RELSZ: d->relsz = v; break;
    case DT_JMPREL: d->jmprel = v; break;
    case DT_PLTRELSZ: d->pltrelsz = v; break;
    case DT_PLTREL: d->pltrel = v; break;
    case DT_SONAME: d->soname = v, d->has_soname = true; break;
    case DT_RPATH: d->rpath = v, d->has_rpath = true; break;
    case DT_RUNPATH: d->runpath = v, d->has_runpath = true; break;
    case DT_NEEDED: *XAPPEND(&d->needed, &d->nneeded) = v; break;
    case DT_VERNEED: d->verneed = v, d->has_verneed = true; break;
    case DT_VERNEEDNUM: d->verneednum = v; break;
    case DT_SYMTAB: d->symtab = v; break;
    case DT_SYMENT: d->syment = v; break;
    case DT_HASH: d->hash = v; break;
    case DT_GNU_HASH: d->gnu_hash = v; break;
    case DT_LOPROC + 3: d->loproc3 = v; break; /* DT_PPC64_OPT on EM_PPC64 */
    default: break;
    }
    return true;
}

void elf_dynamic_free(struct elf_dynamic *d)
{
    free(d->needed);
    memset(d, 0, sizeof *d);
}

size_t elf_reloc_tables(const struct elf_dynamic *d, struct elf_reloc_table t[3])
{
    size_t n = 0;
    if (d->relasz)
        t[n++] = (struct elf_reloc_table){d->rela, d->relasz, true};
    if (d->relsz)
        t[n++] = (struct elf_reloc_table){d->rel, d->relsz, false};
    bool plt_rela = d->pltrel == DT_RELA;
    uint64_t base = plt_rela ? d->rela : d->rel, size = plt_rela ? d->relasz : d->relsz;
    bool inside = d->jmprel >= base && d->jmprel - base < size;
    if (!inside && d->pltrelsz)
        t[n++] = (struct elf_reloc_table){d->jmprel, d->pltrelsz, plt_rela};
    return n;
}
