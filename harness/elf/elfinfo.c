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

#include "die.h"
#include "elfreloc.h"
#include "elfrules.h"
#include "xalloc.h"

static void count_reloc(struct elf_tls *out, unsigned type)
{
    switch (elf_reloc_access(out->machine, type)) {
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

static const char *dyn_string(const struct elf_dynamic *d, const char *strings, uint64_t off)
{
    if (!strings || off >= d->strsz || !memchr(strings + off, '\0', d->strsz - off))
        return NULL;
    return strings + off;
}

/* Counts one TLS relocation (elf_reloc_table_each's visit): ld.so applies
   every entry of every table. */
static void count_entry(uint64_t info, void *ctx)
{
    count_reloc(ctx, (unsigned)GELF_R_TYPE(info));
}

/* DT_VERNEED, by address as ld.so finds it: the table runs on for
   DT_VERNEEDNUM entries chained by their offsets, so what the PT_LOAD maps
   from its start is what may hold it. */
static void read_version_needs(Elf *elf, const struct elf_load *loads, size_t nloads,
                               const struct elf_dynamic *d, const char *strings,
                               struct elf_tls *out)
{
    uint64_t off, size;
    if (!d->has_verneed || !d->verneednum ||
        !elf_load_span(loads, nloads, d->verneed, &off, &size))
        return;
    size = size < ELF_VERNEED_BYTES_MAX ? size : ELF_VERNEED_BYTES_MAX;
    Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)off, size, ELF_T_BYTE);
    if (!data)
        return;
    GElf_Ehdr eh;
    bool msb = gelf_getehdr(elf, &eh) && eh.e_ident[EI_DATA] == ELFDATA2MSB;
    elf_verneed_read(data->d_buf, data->d_size, msb, d->verneednum, strings,
                     strings ? d->strsz : 0, &out->version_needs);
}

/* PT_DYNAMIC, read as ld.so reads it: at p_vaddr, through the PT_LOAD
   that maps it (its p_offset may say anything), and the section headers,
   which ld.so never looks at, may be stripped, cut off or lie.  False
   when no PT_LOAD maps it: ld.so cannot read the object as it says. */
static bool read_dynamic(Elf *elf, const struct elf_load *loads, size_t nloads,
                         const GElf_Phdr *dyn_ph, struct elf_tls *out)
{
    uint64_t dyn_off;
    if (!elf_load_offset(loads, nloads, dyn_ph->p_vaddr, dyn_ph->p_filesz, &dyn_off))
        return false;
    Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)dyn_off, dyn_ph->p_filesz, ELF_T_DYN);
    size_t entsize = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
    if (!data || !entsize)
        return true;
    struct elf_dynamic d = {0};
    for (size_t i = 0; i < data->d_size / entsize; i++) {
        GElf_Dyn e;
        if (!gelf_getdyn(data, (int)i, &e) || !elf_dynamic_add(&d, e.d_tag, e.d_un.d_val))
            break;
    }
    out->flag_static_tls = d.flag_static_tls;
    out->nodelete = d.nodelete;
    out->tls_get_addr_opt = out->machine == EM_PPC64 && (d.loproc3 & PPC64_OPT_TLS);
    uint64_t stroff;
    Elf_Data *str = d.strsz && elf_load_offset(loads, nloads, d.strtab, d.strsz, &stroff)
                        ? elf_getdata_rawchunk(elf, (int64_t)stroff, d.strsz, ELF_T_BYTE)
                        : NULL;
    const char *strings = str ? str->d_buf : NULL;
    for (size_t i = 0; i < d.nneeded; i++) {
        const char *s = dyn_string(&d, strings, d.needed[i]);
        if (s)
            *XAPPEND(&out->needed, &out->nneeded) = xstrdup(s);
    }
    const char *soname = d.has_soname ? dyn_string(&d, strings, d.soname) : NULL;
    const char *rpath = d.has_rpath ? dyn_string(&d, strings, d.rpath) : NULL;
    const char *runpath = d.has_runpath ? dyn_string(&d, strings, d.runpath) : NULL;
    out->soname = soname ? xstrdup(soname) : NULL;
    out->rpath = rpath ? xstrdup(rpath) : NULL;
    out->runpath = runpath ? xstrdup(runpath) : NULL;
    read_version_needs(elf, loads, nloads, &d, strings, out);
    elf_unique_read(elf, loads, nloads, &d, strings, &out->unique);
    struct elf_reloc_table tables[3];
    size_t ntables = elf_reloc_tables(&d, tables);
    for (size_t i = 0; i < ntables; i++)
        elf_reloc_table_each(elf, loads, nloads, &tables[i], count_entry, out);
    elf_dynamic_free(&d);
    return true;
}

/* Opens path for reading without blocking on a FIFO or a device, and only
   if it is a regular file; -1 with why in err otherwise. */
static int open_regular(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s: %s", errno == ENOENT ? "not-found" : "unreadable", path,
                 strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "unreadable: %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not-regular: %s: %s, not a regular file", path,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO"
                 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)           ? "a device"
                                                                         : "a socket");
        close(fd);
        return -1;
    }
    return fd;
}

/* Why a file libelf does not take is not ELF: unreadable, or no magic. */
static void say_not_elf(int fd, const char *path, char *err, size_t errlen)
{
    unsigned char magic[SELFMAG];
    ssize_t n = pread(fd, magic, sizeof magic, 0);
    if (n < 0)
        snprintf(err, errlen, "unreadable: %s: %s", path, strerror(errno));
    else if (n == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0)
        snprintf(err, errlen, "malformed: %s: %s", path, elf_errmsg(-1));
    else
        snprintf(err, errlen, "not-elf: %s: not an ELF object", path);
}

/* A PT_TLS no loader could place: too large for the address space, more
   initialised bytes than bytes (ld.so copies p_filesz bytes into a block
   of p_memsz), an alignment of 0 (glibc divides by it when it places the
   block in static TLS: SIGFPE in dlopen) or one that is no power of two. */
static void check_tls_size(int elfclass, struct elf_tls *t)
{
    uint64_t space = elfclass == ELFCLASS32 ? (uint64_t)1 << 32 : (uint64_t)1 << 47;
    if (t->tls_memsz >= space)
        snprintf(t->tls_problem, sizeof t->tls_problem,
                 "PT_TLS of %llu bytes: more than the address space",
                 (unsigned long long)t->tls_memsz);
    else if (t->tls_filesz > t->tls_memsz)
        snprintf(t->tls_problem, sizeof t->tls_problem,
                 "PT_TLS: %llu initialised bytes in a %llu-byte block",
                 (unsigned long long)t->tls_filesz, (unsigned long long)t->tls_memsz);
    else if (t->tls_align == 0)
        snprintf(t->tls_problem, sizeof t->tls_problem,
                 "PT_TLS alignment 0: glibc divides by it when it places the block");
    else if (t->tls_align & (t->tls_align - 1) || t->tls_align >= space)
        snprintf(t->tls_problem, sizeof t->tls_problem,
                 "PT_TLS alignment %llu: not a power of two", (unsigned long long)t->tls_align);
}

bool elf_tls_read(const char *path, struct elf_tls *out, char *err, size_t errlen)
{
    int fd = open_regular(path, err, errlen);
    if (fd < 0)
        return false;
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
    GElf_Phdr *ph = NULL;
    struct elf_load *loads = NULL;
    size_t nloads = 0;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
        say_not_elf(fd, path, err, errlen);
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
    ph = xcalloc(nphdr, sizeof *ph);
    loads = xcalloc(nphdr, sizeof *loads);
    const GElf_Phdr *dynamic = NULL;
    bool empty_tls = false; /* a PT_TLS of 0 bytes, which ld.so ignores */
    for (size_t i = 0; i < nphdr; i++) {
        if (!gelf_getphdr(elf, (int)i, &ph[i])) {
            snprintf(err, errlen, "malformed: %s: program header %zu: %s", path, i, elf_errmsg(-1));
            goto out;
        }
        if (ph[i].p_type == PT_DYNAMIC)
            dynamic = &ph[i];
        if (ph[i].p_type == PT_LOAD)
            loads[nloads++] = (struct elf_load){ph[i].p_vaddr, ph[i].p_offset, ph[i].p_filesz};
        if (ph[i].p_type == PT_TLS && ph[i].p_memsz > 0) {
            out->has_tls = true;
            out->tls_memsz = ph[i].p_memsz;
            out->tls_filesz = ph[i].p_filesz;
            out->tls_align = ph[i].p_align;
            out->tls_vaddr = ph[i].p_vaddr;
        }
        empty_tls |= ph[i].p_type == PT_TLS && ph[i].p_memsz == 0;
    }
    if (out->has_tls)
        check_tls_size(eh.e_ident[EI_CLASS], out);
    bool dynamic_read = !dynamic || read_dynamic(elf, loads, nloads, dynamic, out);
    if (!out->has_tls && empty_tls && out->ie_relocs > 0) {
        /* ld.so skips the empty block, then places it in static TLS for
           an initial-exec relocation: a division by its alignment of 0,
           SIGFPE in dlopen. */
        out->has_tls = true;
        snprintf(out->tls_problem, sizeof out->tls_problem,
                 "PT_TLS of 0 bytes with %u initial-exec relocations: glibc divides by its "
                 "alignment of 0 when it places the block", out->ie_relocs);
    }
    if (out->has_tls && !dynamic_read && elf_tls_size_ok(out))
        snprintf(out->tls_problem, sizeof out->tls_problem,
                 "PT_DYNAMIC at address 0x%llx lies in no PT_LOAD: ld.so cannot read it",
                 (unsigned long long)dynamic->p_vaddr);
    ok = true;
out:
    free(ph);
    free(loads);
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
    elf_version_needs_free(&t->version_needs);
    elf_unique_free(&t->unique);
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
           : t->desc_relocs || (t->tls_get_addr_opt && t->gd_relocs) ? TLS_DESC
                                     : TLS_GD;
}

uint64_t elf_tls_firstbyte(const struct elf_tls *t)
{
    /* glibc: l_tls_firstbyte_offset = p_vaddr & (p_align - 1), 0 without an alignment */
    return t->tls_align ? t->tls_vaddr & (t->tls_align - 1) : 0;
}
