#include "elfinfo.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsys.h"

/* Dynamic relocation types by machine: which TLS access model each serves. */
static enum tls_access reloc_access(int machine, unsigned type)
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
    case EM_386:
        return type == R_386_TLS_TPOFF || type == R_386_TLS_TPOFF32 ? TLS_IE
               : type == R_386_TLS_DESC                            ? TLS_DESC
               : type == R_386_TLS_DTPMOD32                        ? TLS_GD
                                                                   : TLS_NONE;
    default:
        return TLS_NONE;
    }
}

static void count_reloc(struct elf_tls *out, unsigned type)
{
    switch (reloc_access(out->machine, type)) {
    case TLS_IE:
        out->ie_relocs++;
        break;
    case TLS_DESC:
        out->desc_relocs++;
        break;
    case TLS_GD:
        out->gd_relocs++;
        break;
    case TLS_NONE:
    case TLS_ACCESS_COUNT:
        break;
    }
}

static void read_dynamic(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct elf_tls *out)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || !sh->sh_entsize)
        return;
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Dyn dyn;
        if (!gelf_getdyn(data, (int)i, &dyn))
            break;
        if (dyn.d_tag == DT_NULL)
            break;
        const char *s = NULL;
        if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_SONAME || dyn.d_tag == DT_RPATH ||
            dyn.d_tag == DT_RUNPATH)
            s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
        if (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_STATIC_TLS))
            out->flag_static_tls = true;
        else if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODELETE))
            out->nodelete = true;
        else if (dyn.d_tag == DT_NEEDED && s)
            *XAPPEND(&out->needed, &out->nneeded) = xstrdup(s);
        else if (dyn.d_tag == DT_SONAME && s && !out->soname)
            out->soname = xstrdup(s);
        else if (dyn.d_tag == DT_RPATH && s && !out->rpath)
            out->rpath = xstrdup(s);
        else if (dyn.d_tag == DT_RUNPATH && s && !out->runpath)
            out->runpath = xstrdup(s);
    }
}

static void read_relocs(Elf_Scn *scn, GElf_Shdr *sh, struct elf_tls *out)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || !sh->sh_entsize)
        return;
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 0; i < n; i++) {
        if (sh->sh_type == SHT_RELA) {
            GElf_Rela r;
            if (!gelf_getrela(data, (int)i, &r))
                break;
            count_reloc(out, (unsigned)GELF_R_TYPE(r.r_info));
        } else {
            GElf_Rel r;
            if (!gelf_getrel(data, (int)i, &r))
                break;
            count_reloc(out, (unsigned)GELF_R_TYPE(r.r_info));
        }
    }
}

bool elf_tls_read(const char *path, struct elf_tls *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s: %s", errno == ENOENT ? "not-found" : "unreadable", path,
                 strerror(errno));
        return false;
    }
    bool ok = elf_tls_read_fd(fd, path, out, err, errlen);
    close(fd);
    return ok;
}

bool elf_tls_read_fd(int fd, const char *path, struct elf_tls *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (elf_version(EV_CURRENT) == EV_NONE)
        die("libelf: %s", elf_errmsg(-1));
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    bool ok = false;
    size_t nphdr = 0;
    GElf_Ehdr eh;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
        snprintf(err, errlen, "not-elf: %s: not an ELF object", path);
        goto out;
    }
    out->machine = eh.e_machine;
    if (elf_getphdrnum(elf, &nphdr) != 0) {
        snprintf(err, errlen, "malformed: %s: %s", path, elf_errmsg(-1));
        goto out;
    }
    /* libelf reads a truncated table without complaint; ld.so would not. */
    struct stat st;
    uint64_t nph = nphdr > eh.e_phnum ? nphdr : eh.e_phnum;
    if (fstat(fd, &st) != 0 || eh.e_phoff > (uint64_t)st.st_size ||
        nph * eh.e_phentsize > (uint64_t)st.st_size - eh.e_phoff) {
        snprintf(err, errlen, "malformed: %s: truncated (program headers past the end)", path);
        goto out;
    }
    for (size_t i = 0; i < nphdr; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph)) {
            snprintf(err, errlen, "malformed: %s: program header %zu: %s", path, i, elf_errmsg(-1));
            goto out;
        }
        if (ph.p_type == PT_TLS && ph.p_memsz > 0) {
            out->has_tls = true;
            out->tls_memsz = ph.p_memsz;
            out->tls_filesz = ph.p_filesz;
            out->tls_align = ph.p_align;
            out->tls_vaddr = ph.p_vaddr;
        }
    }
    /* Section headers may be stripped; then only DT_FLAGS is missed and the
       object still reads as what its program headers say. */
    for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        if (sh.sh_type == SHT_DYNAMIC)
            read_dynamic(elf, scn, &sh, out);
        else if ((sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL) && (sh.sh_flags & SHF_ALLOC))
            read_relocs(scn, &sh, out);
    }
    ok = true;
out:
    if (elf)
        elf_end(elf);
    if (!ok)
        elf_tls_free(out);
    return ok;
}

void elf_tls_free(struct elf_tls *t)
{
    for (size_t i = 0; i < t->nneeded; i++)
        free(t->needed[i]);
    free(t->needed);
    free(t->soname);
    free(t->rpath);
    free(t->runpath);
    memset(t, 0, sizeof *t);
}

bool elf_tls_needs_static(const struct elf_tls *t)
{
    return t->has_tls && (t->flag_static_tls || t->ie_relocs > 0);
}

enum tls_access elf_tls_access(const struct elf_tls *t)
{
    return !t->has_tls                ? TLS_NONE
           : elf_tls_needs_static(t) ? TLS_IE
           : t->desc_relocs          ? TLS_DESC
                                     : TLS_GD;
}

uint64_t elf_tls_firstbyte(const struct elf_tls *t)
{
    return t->tls_align ? t->tls_vaddr % t->tls_align : 0;
}
