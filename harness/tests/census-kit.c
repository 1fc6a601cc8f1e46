/* Test helper of the census tests: makes what they read.
     census-kit fixture TEMPLATE OUT SIZE ALIGN   a copy of TEMPLATE with PT_TLS
                                                  p_memsz SIZE (up to 2^64-1), p_align ALIGN
     census-kit zip OUT DIR                       a zip archive (a wheel) of DIR's files,
                                                  named relative to DIR, written with libarchive */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
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

int main(int argc, char **argv)
{
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
    fprintf(stderr, "usage: census-kit fixture TEMPLATE OUT SIZE ALIGN | zip OUT DIR\n");
    return 2;
}
