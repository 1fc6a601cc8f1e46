/* libFuzzer target: the wheel reader.  An input that is an ELF object
   (it starts with the magic) is given to elfneed.h's copy as a stream, in
   pieces of a size the input picks, read again as the copy asks, and
   elf_tls_read must say of the copy what it says of the input itself.  Any
   other input is read as a wheel (a zip archive; libarchive is loaded as
   census loads it): whatever it holds, the reader returns, and each copy it
   leaves reads as an ELF object or says why not. */
#define _GNU_SOURCE /* memfd_create */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfinfo.h"
#include "elfneed.h"
#include "fuzz_file.h"
#include "wheel.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* elf_tls_read says the same of both files. */
static void check_same(const char *original, const char *copy)
{
    struct elf_tls a, b;
    char err[512];
    bool ok_a = elf_tls_read(original, &a, err, sizeof err);
    bool ok_b = elf_tls_read(copy, &b, err, sizeof err);
    if (ok_a != ok_b)
        abort();
    if (!ok_a)
        return;
    bool same = a.machine == b.machine && a.has_tls == b.has_tls && a.tls_memsz == b.tls_memsz &&
                a.tls_filesz == b.tls_filesz && a.tls_align == b.tls_align &&
                a.tls_vaddr == b.tls_vaddr && strcmp(a.tls_problem, b.tls_problem) == 0 &&
                a.flag_static_tls == b.flag_static_tls && a.nodelete == b.nodelete &&
                a.ie_relocs == b.ie_relocs && a.desc_relocs == b.desc_relocs &&
                a.gd_relocs == b.gd_relocs && same_string(a.soname, b.soname) &&
                same_string(a.rpath, b.rpath) && same_string(a.runpath, b.runpath) &&
                a.nneeded == b.nneeded;
    for (size_t i = 0; same && i < a.nneeded; i++)
        same = strcmp(a.needed[i], b.needed[i]) == 0;
    if (!same)
        abort();
    elf_tls_free(&a);
    elf_tls_free(&b);
}

static void stream_elf(const char *original, const uint8_t *data, size_t size, const char *copy)
{
    int out = open(copy, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        abort();
    size_t chunk = 1 + (size_t)(data[size - 1] % 64) * (data[size - 1] & 0x80 ? 1024 : 1);
    struct elf_need n;
    elf_need_init(&n, out);
    enum elf_need_state state = ELF_NEED_AGAIN;
    for (int reads = 0; state == ELF_NEED_AGAIN; reads++) {
        if (reads == ELF_NEED_READS)
            abort(); /* every level is read within its own read */
        elf_need_start_read(&n);
        uint64_t pos = 0;
        while (pos < size && elf_need_wants(&n, pos)) {
            size_t len = size - pos < chunk ? (size_t)(size - pos) : chunk;
            char why[256];
            if (!elf_need_feed(&n, pos, data + pos, len, why, sizeof why))
                abort();
            pos += len;
        }
        state = elf_need_end_read(&n, pos, pos == size);
    }
    if (state == ELF_NEED_COPIED) {
        if (ftruncate(out, (off_t)elf_need_size(&n)) != 0)
            abort();
        check_same(original, copy);
    } else if (state != ELF_NEED_REFUSED) {
        abort(); /* no cap here: never short */
    }
    elf_need_free(&n);
    close(out);
}

/* Every file under dir reads as ELF or says why not. */
static void read_copies(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            read_copies(path);
        } else {
            struct elf_tls t;
            char err[512];
            if (elf_tls_read(path, &t, err, sizeof err))
                elf_tls_free(&t);
        }
        free(path);
    }
    closedir(d);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_file in;
    static char *scratch;
    if (!scratch) {
        scratch = xstrdup("/tmp/statictls-fuzz-wheel-XXXXXX");
        if (!mkdtemp(scratch))
            abort();
    }
    fuzz_file_set(&in, data, size);
    char *copy = xasprintf("%s/copy.so", scratch);
    char *dir = xasprintf("%s/w", scratch);
    if (size >= 4 && memcmp(data, "\177ELF", 4) == 0) {
        stream_elf(in.path, data, size, copy);
        unlink(copy);
    } else {
        if (mkdir(dir, 0700) != 0)
            abort();
        struct wheel_findings found = {0};
        char err[1024];
        wheel_extract(in.fd, in.path, dir, (uint64_t)1 << 20, &found, err, sizeof err);
        read_copies(dir);
        for (size_t i = 0; i < found.nunreadable; i++)
            free(found.unreadable[i]);
        free(found.unreadable);
        for (size_t i = 0; i < found.nunjudged; i++)
            free(found.unjudged[i]);
        free(found.unjudged);
        if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
            abort();
    }
    free(copy);
    free(dir);
    return 0;
}
