#include "elfreloc.h"

void elf_reloc_table_each(Elf *elf, const struct elf_load *loads, size_t nloads,
                          const struct elf_reloc_table *t, elf_reloc_visit visit, void *ctx)
{
    uint64_t off;
    if (!elf_load_offset(loads, nloads, t->vaddr, t->size, &off))
        return;
    Elf_Type type = t->rela ? ELF_T_RELA : ELF_T_REL;
    Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)off, t->size, type);
    size_t entsize = gelf_fsize(elf, type, 1, EV_CURRENT);
    if (!data || !entsize)
        return;
    for (size_t i = 0; i < data->d_size / entsize; i++) {
        GElf_Rela ra;
        GElf_Rel r;
        if (t->rela && gelf_getrela(data, (int)i, &ra))
            visit(ra.r_info, ctx);
        else if (!t->rela && gelf_getrel(data, (int)i, &r))
            visit(r.r_info, ctx);
    }
}
