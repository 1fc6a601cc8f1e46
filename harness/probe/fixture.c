#include "fixture.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"
#include "xpath.h"

bool fixture_template_load(struct fixture_template *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->image = (unsigned char *)read_file(path, &t->size);
    if (!t->image) {
        snprintf(err, errlen, "%s: %s (is the project built?)", path, strerror(errno));
        return false;
    }
    if (elf_version(EV_CURRENT) == EV_NONE)
        die("libelf: %s", elf_errmsg(-1));
    Elf *elf = elf_memory((char *)t->image, t->size);
    GElf_Ehdr eh;
    size_t nphdr = 0;
    bool found = false;
    if (elf && gelf_getehdr(elf, &eh) && elf_getphdrnum(elf, &nphdr) == 0) {
        for (size_t i = 0; i < nphdr && !found; i++) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_TLS) {
                found = true;
                t->phdr_offset = eh.e_phoff + i * eh.e_phentsize;
                t->elfclass = eh.e_ident[EI_CLASS];
                t->encoding = eh.e_ident[EI_DATA];
                t->vaddr_align = ph.p_vaddr ? ph.p_vaddr & -ph.p_vaddr : 4096;
            }
        }
    }
    if (elf)
        elf_end(elf);
    if (!found) {
        snprintf(err, errlen, "%s: not a fixture template (no PT_TLS)", path);
        free(t->image);
        return false;
    }
    t->path = xstrdup(path);
    return true;
}

void fixture_template_free(struct fixture_template *t)
{
    free(t->path);
    free(t->image);
    memset(t, 0, sizeof *t);
}

/* Encodes the two patched fields into the copy's program header, in the
   template's own class and byte order (libelf's translation does both). */
static void patch_phdr(const struct fixture_template *t, unsigned char *image, uint64_t size,
                       uint64_t align)
{
    Elf64_Phdr p64;
    Elf32_Phdr p32;
    Elf_Data mem = {.d_type = ELF_T_PHDR, .d_version = EV_CURRENT};
    Elf_Data file = mem;
    file.d_buf = image + t->phdr_offset;
    if (t->elfclass == ELFCLASS64) {
        mem.d_buf = &p64;
        mem.d_size = file.d_size = sizeof p64;
        if (!elf64_xlatetom(&mem, &file, (unsigned)t->encoding))
            die("libelf: %s", elf_errmsg(-1));
        p64.p_memsz = size;
        p64.p_align = align;
        if (!elf64_xlatetof(&file, &mem, (unsigned)t->encoding))
            die("libelf: %s", elf_errmsg(-1));
    } else {
        mem.d_buf = &p32;
        mem.d_size = file.d_size = sizeof p32;
        if (!elf32_xlatetom(&mem, &file, (unsigned)t->encoding))
            die("libelf: %s", elf_errmsg(-1));
        p32.p_memsz = (Elf32_Word)size;
        p32.p_align = (Elf32_Word)align;
        if (!elf32_xlatetof(&file, &mem, (unsigned)t->encoding))
            die("libelf: %s", elf_errmsg(-1));
    }
}

void fixture_write(const struct fixture_template *t, const char *out_path, uint64_t size,
                   uint64_t align)
{
    if (align == 0 || (align & (align - 1)) || align > t->vaddr_align)
        die("fixture alignment %llu: must be a power of two up to %llu",
                  (unsigned long long)align, (unsigned long long)t->vaddr_align);
    /* Patch in place and restore: the template is large, the fields small. */
    unsigned char saved[sizeof(Elf64_Phdr)];
    memcpy(saved, t->image + t->phdr_offset, sizeof saved);
    patch_phdr(t, t->image, size, align);
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0)
        die_errno("create %s", out_path);
    for (size_t off = 0; off < t->size;) {
        ssize_t n = write(fd, t->image + off, t->size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("write %s", out_path);
        off += (size_t)n;
    }
    if (close(fd) != 0)
        die_errno("close %s", out_path);
    memcpy(t->image + t->phdr_offset, saved, sizeof saved);
}

static const char *const template_names[TLS_ACCESS_COUNT] = {
    [TLS_NONE] = NULL,
    [TLS_IE] = "template-ie.so",
    [TLS_GD] = "template-gd.so",
    [TLS_DESC] = "template-tlsdesc.so",
};

void kit_open(struct fixture_kit *k, const char *build_dir, const struct settings *s)
{
    memset(k, 0, sizeof *k);
    k->build_dir = xstrdup(build_dir);
    for (int i = TLS_IE; i < TLS_ACCESS_COUNT; i++) {
        char err[512];
        char *path = xasprintf("%s/fixtures/%s", build_dir, template_names[i]);
        if (!fixture_template_load(&k->templates[i], path, err, sizeof err))
            die("fixture template %s", err);
        free(path);
    }
    k->dir = make_scratch_dir(s->tmpdir, "statictls");
    k->keep = s->keep;
    if (k->keep) /* kept, even when the run is interrupted */
        interrupt_forget_path(k->dir);
}

void kit_close(struct fixture_kit *k)
{
    if (k->dir && !k->keep)
        remove_tree(k->dir);
    else if (k->dir) /* the one place that says where STATICTLS_KEEP kept them */
        fprintf(stderr, "statictls: fixtures kept in %s (STATICTLS_KEEP)\n", k->dir);
    for (int i = 0; i < TLS_ACCESS_COUNT; i++) {
        fixture_template_free(&k->templates[i]);
        fixture_template_free(&k->unique_templates[i]);
    }
    free(k->dir);
    free(k->build_dir);
    memset(k, 0, sizeof *k);
}

char *kit_make(struct fixture_kit *k, enum tls_access access, uint64_t size, uint64_t align,
               const char *label)
{
    char *path = xasprintf("%s/%u-%s.so", k->dir, ++k->serial, label);
    fixture_write(&k->templates[access], path, size, align);
    return path;
}

static const char *const unique_template_names[TLS_ACCESS_COUNT] = {
    [TLS_NONE] = NULL,
    [TLS_IE] = "template-ie-unique.so",
    [TLS_GD] = "template-gd-unique.so",
    [TLS_DESC] = "template-tlsdesc-unique.so",
};

char *kit_make_unique(struct fixture_kit *k, enum tls_access access, uint64_t size,
                      uint64_t align, const char *label)
{
    struct fixture_template *t = &k->unique_templates[access];
    if (!t->path) {
        char err[512];
        char *path = xasprintf("%s/fixtures/%s", k->build_dir, unique_template_names[access]);
        if (!fixture_template_load(t, path, err, sizeof err))
            die("fixture template %s", err);
        free(path);
    }
    char *path = xasprintf("%s/%u-%s.so", k->dir, ++k->serial, label);
    fixture_write(t, path, size, align);
    return path;
}

char *kit_copy(struct fixture_kit *k, const char *prebuilt, const char *label)
{
    char *src = xasprintf("%s/fixtures/%s", k->build_dir, prebuilt);
    size_t len;
    char *data = read_file(src, &len);
    if (!data)
        die_errno("read %s (is the project built?)", src);
    char *path = xasprintf("%s/%u-%s.so", k->dir, ++k->serial, label);
    write_file_atomic(path, data, len);
    free(data);
    free(src);
    return path;
}
