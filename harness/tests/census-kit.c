/* Test helper of the census tests: makes what they read.
     census-kit fixture TEMPLATE OUT SIZE ALIGN   a copy of TEMPLATE with PT_TLS
                                                  p_memsz SIZE (up to 2^64-1), p_align ALIGN
     census-kit zip OUT DIR                       a zip archive (a wheel) of DIR's files,
                                                  named relative to DIR, written with libarchive
     census-kit members OUT NAME=FILE[+PAD]...    a zip archive whose members are named
                                                  exactly so (any bytes, a name twice), each
                                                  FILE's bytes then PAD zero bytes (deflated:
                                                  a gigabyte member in a small archive)
     census-kit patch FILE FIELD=VALUE...         FILE's e_machine ("machine") or its PT_TLS
                                                  p_memsz, p_filesz, p_align ("memsz",
                                                  "filesz", "align") set in place */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "die.h"
#include "xalloc.h"
#include "xfile.h"

static void add_tree(struct archive *a, const char *root, const char *rel)
{
    char *dir = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(dir);
    if (!d)
        die_errno("opendir %s", dir);
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *name = rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
        char *path = xasprintf("%s/%s", root, name);
        struct stat st;
        if (lstat(path, &st) != 0)
            die_errno("lstat %s", path);
        if (S_ISDIR(st.st_mode)) {
            add_tree(a, root, name);
        } else if (S_ISREG(st.st_mode)) {
            size_t len;
            char *data = read_file(path, &len);
            if (!data)
                die_errno("read %s", path);
            struct archive_entry *entry = archive_entry_new();
            archive_entry_set_pathname(entry, name);
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_perm(entry, 0755);
            archive_entry_set_size(entry, (la_int64_t)len);
            if (archive_write_header(a, entry) != ARCHIVE_OK ||
                archive_write_data(a, data, len) != (la_ssize_t)len)
                die("zip %s: %s", name, archive_error_string(a));
            archive_entry_free(entry);
            free(data);
        }
        free(name), free(path);
    }
    closedir(d);
    free(dir);
}

/* Member NAME=FILE[+PAD]: FILE's bytes, then PAD zero bytes, streamed. */
static void add_member(struct archive *a, const char *spec)
{
    const char *eq = strrchr(spec, '=');
    if (!eq)
        die("member %s: expected NAME=FILE[+PAD]", spec);
    char *name = xasprintf("%.*s", (int)(eq - spec), spec);
    char *file = xstrdup(eq + 1);
    char *plus = strrchr(file, '+');
    unsigned long long pad = 0;
    if (plus) {
        *plus = '\0';
        pad = strtoull(plus + 1, NULL, 0);
    }
    size_t len;
    char *data = read_file(file, &len);
    if (!data)
        die_errno("read %s", file);
    struct archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname(entry, name);
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0755);
    archive_entry_set_size(entry, (la_int64_t)(len + pad));
    if (archive_write_header(a, entry) != ARCHIVE_OK ||
        (len && archive_write_data(a, data, len) != (la_ssize_t)len))
        die("zip %s: %s", name, archive_error_string(a));
    static char zeros[1 << 16];
    for (unsigned long long left = pad; left;) {
        size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
        if (archive_write_data(a, zeros, n) != (la_ssize_t)n)
            die("zip %s: %s", name, archive_error_string(a));
        left -= n;
    }
    archive_entry_free(entry);
    free(data), free(file), free(name);
}

/* FIELD=VALUE of the ELF header, of the first PT_TLS or (dynoffset, the
   p_offset of; dynvaddr_, its p_vaddr) PT_DYNAMIC, in place. */
static void patch(const char *path, int nfields, char **fields)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        die("libelf: %s", elf_errmsg(-1));
    int fd = open(path, O_RDWR);
    if (fd < 0)
        die_errno("open %s", path);
    Elf *elf = elf_begin(fd, ELF_C_RDWR, NULL);
    GElf_Ehdr eh;
    size_t nph;
    if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph) != 0)
        die("%s: %s", path, elf_errmsg(-1));
    if (!elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT)) /* every byte stays where it is */
        die("%s: %s", path, elf_errmsg(-1));
    for (int k = 0; k < nfields; k++) {
        const char *eq = strchr(fields[k], '=');
        if (!eq)
            die("%s: expected FIELD=VALUE", fields[k]);
        unsigned long long v = strtoull(eq + 1, NULL, 0);
        size_t len = (size_t)(eq - fields[k]);
        if (len == 7 && strncmp(fields[k], "machine", 7) == 0) {
            eh.e_machine = (GElf_Half)v;
            if (!gelf_update_ehdr(elf, &eh))
                die("%s: %s", path, elf_errmsg(-1));
            continue;
        }
        bool dyn = len == 9 && (strncmp(fields[k], "dynoffset", 9) == 0 ||
                                strncmp(fields[k], "dynvaddr_", 9) == 0);
        unsigned type = dyn ? PT_DYNAMIC : PT_TLS;
        size_t i = 0;
        GElf_Phdr ph;
        for (; i < nph && gelf_getphdr(elf, (int)i, &ph) && ph.p_type != type; i++)
            ;
        if (i == nph)
            die("%s: no %s", path, dyn ? "PT_DYNAMIC" : "PT_TLS");
        if (dyn && fields[k][3] == 'o')
            ph.p_offset = v;
        else if (dyn)
            ph.p_vaddr = v;
        else if (len == 5 && strncmp(fields[k], "memsz", 5) == 0)
            ph.p_memsz = v;
        else if (len == 6 && strncmp(fields[k], "filesz", 6) == 0)
            ph.p_filesz = v;
        else if (len == 5 && strncmp(fields[k], "align", 5) == 0)
            ph.p_align = v;
        else
            die("%s: no such field", fields[k]);
        if (!gelf_update_phdr(elf, (int)i, &ph))
            die("%s: %s", path, elf_errmsg(-1));
    }
    if (elf_update(elf, ELF_C_WRITE) < 0)
        die("%s: %s", path, elf_errmsg(-1));
    elf_end(elf);
    if (close(fd) != 0)
        die_errno("close %s", path);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "members") == 0) {
        struct archive *a = archive_write_new();
        if (!a || archive_write_set_format_zip(a) != ARCHIVE_OK ||
            archive_write_open_filename(a, argv[2]) != ARCHIVE_OK)
            die("zip %s: %s", argv[2], a ? archive_error_string(a) : "no memory");
        for (int k = 3; k < argc; k++)
            add_member(a, argv[k]);
        if (archive_write_close(a) != ARCHIVE_OK)
            die("zip %s: %s", argv[2], archive_error_string(a));
        archive_write_free(a);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "patch") == 0) {
        patch(argv[2], argc - 3, argv + 3);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "fixture") == 0) {
        struct fixture_template t;
        char err[512];
        if (!fixture_template_load(&t, argv[2], err, sizeof err))
            die("%s", err);
        fixture_write(&t, argv[3], strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
        fixture_template_free(&t);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "zip") == 0) {
        struct archive *a = archive_write_new();
        if (!a || archive_write_set_format_zip(a) != ARCHIVE_OK ||
            archive_write_open_filename(a, argv[2]) != ARCHIVE_OK)
            die("zip %s: %s", argv[2], a ? archive_error_string(a) : "no memory");
        add_tree(a, argv[3], NULL);
        if (archive_write_close(a) != ARCHIVE_OK)
            die("zip %s: %s", argv[2], archive_error_string(a));
        archive_write_free(a);
        return 0;
    }
    fprintf(stderr, "usage: census-kit fixture TEMPLATE OUT SIZE ALIGN | zip OUT DIR | members OUT "
                    "NAME=FILE[+PAD]... | patch FILE FIELD=VALUE...\n");
    return 2;
}
