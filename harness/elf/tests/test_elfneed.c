/* The copy of what elf_tls_read reads, made from an object given as a
   stream: read from the copy, every object says what it says read whole,
   however the stream is cut, and the copy holds a small part of a large
   library. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "elfinfo.h"
#include "elfneed.h"
#include "xalloc.h"
#include "xfile.h"


struct image {
    unsigned char *data;
    size_t size;
};

static struct image load(const char *path)
{
    struct image im;
    im.data = (unsigned char *)read_file(path, &im.size);
    assert_non_null(im.data);
    return im;
}

/* Streams the first `limit` bytes of im in pieces of `chunk` into a new
   copy, read again as the copy asks; the copy's path, or NULL when the
   state it ended in is not ELF_NEED_COPIED (*state says which). */
static char *copy_of(const struct image *im, size_t chunk, uint64_t limit, size_t *reads,
                     enum elf_need_state *state, uint64_t *written)
{
    char *path = xstrdup("/tmp/statictls-test-elfneed-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct elf_need n;
    elf_need_init(&n, fd);
    uint64_t end = im->size < limit ? im->size : limit;
    *reads = 0;
    do {
        elf_need_start_read(&n);
        uint64_t pos = 0;
        while (pos < end && elf_need_wants(&n, pos)) {
            size_t len = end - pos < chunk ? (size_t)(end - pos) : chunk;
            char why[256];
            assert_true(elf_need_feed(&n, pos, im->data + pos, len, why, sizeof why));
            pos += len;
        }
        *state = elf_need_end_read(&n, pos, pos == im->size);
        (*reads)++;
    } while (*state == ELF_NEED_AGAIN && *reads < ELF_NEED_READS);
    *written = n.written;
    if (*state == ELF_NEED_COPIED)
        assert_int_equal(ftruncate(fd, (off_t)elf_need_size(&n)), 0);
    elf_need_free(&n);
    close(fd);
    if (*state != ELF_NEED_COPIED) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

static void assert_same_string(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* elf_tls_read says the same of both. */
static void assert_reads_same(const char *original, const char *copy)
{
    struct elf_tls a, b;
    char err_a[512], err_b[512];
    bool ok_a = elf_tls_read(original, &a, err_a, sizeof err_a);
    bool ok_b = elf_tls_read(copy, &b, err_b, sizeof err_b);
    assert_int_equal(ok_a, ok_b);
    if (!ok_a) {
        /* The same reason, but for the file named. */
        assert_string_equal(strchr(err_a, ':') ? strrchr(err_a, ':') : err_a,
                            strchr(err_b, ':') ? strrchr(err_b, ':') : err_b);
        return;
    }
    assert_int_equal(a.machine, b.machine);
    assert_int_equal(a.has_tls, b.has_tls);
    assert_true(a.tls_memsz == b.tls_memsz && a.tls_filesz == b.tls_filesz &&
                a.tls_align == b.tls_align && a.tls_vaddr == b.tls_vaddr);
    assert_string_equal(a.tls_problem, b.tls_problem);
    assert_int_equal(a.flag_static_tls, b.flag_static_tls);
    assert_int_equal(a.nodelete, b.nodelete);
    assert_int_equal(a.ie_relocs, b.ie_relocs);
    assert_int_equal(a.desc_relocs, b.desc_relocs);
    assert_int_equal(a.gd_relocs, b.gd_relocs);
    assert_same_string(a.soname, b.soname);
    assert_same_string(a.rpath, b.rpath);
    assert_same_string(a.runpath, b.runpath);
    assert_int_equal(a.nneeded, b.nneeded);
    for (size_t i = 0; i < a.nneeded; i++)
        assert_string_equal(a.needed[i], b.needed[i]);
    /* The symbol versions it needs, every one (a census holds them to a
       wheel policy's glibc). */
    assert_int_equal(a.version_needs.n, b.version_needs.n);
    for (size_t i = 0; i < a.version_needs.n; i++) {
        assert_string_equal(a.version_needs.items[i].file, b.version_needs.items[i].file);
        assert_string_equal(a.version_needs.items[i].version, b.version_needs.items[i].version);
    }
    assert_string_equal(a.version_needs.problem, b.version_needs.problem);
    elf_tls_free(&a);
    elf_tls_free(&b);
}

/* The objects the tests read: the templates, and the system's libc and
   libgomp (large, with TLS relocations, sonames and DT_NEEDED). */
static const char *objects[] = {
    TEST_FIXTURES "/template-ie.so",
    TEST_FIXTURES "/template-tlsdesc.so",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libgomp.so.1",
    "/lib/aarch64-linux-gnu/libc.so.6",
    "/usr/lib64/libc.so.6",
    "/usr/lib64/libgomp.so.1",
};

static void every_object_reads_the_same_from_its_copy(void **state)
{
    (void)state;
    size_t chunks[] = {1, 7, 4096, 65536, (size_t)1 << 30};
    size_t tried = 0;
    for (size_t o = 0; o < sizeof objects / sizeof *objects; o++) {
        if (access(objects[o], R_OK) != 0)
            continue;
        tried++;
        struct image im = load(objects[o]);
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            if (chunks[c] == 1 && im.size > 1 << 20)
                continue; /* a byte at a time through libc: slow, and said by 7 */
            size_t reads;
            enum elf_need_state st;
            uint64_t written;
            char *copy = copy_of(&im, chunks[c], UINT64_MAX, &reads, &st, &written);
            assert_int_equal(st, ELF_NEED_COPIED);
            assert_true(reads <= ELF_NEED_READS);
            assert_reads_same(objects[o], copy);
            unlink(copy);
            free(copy);
        }
        free(im.data);
    }
    assert_true(tried >= 2);
}

/* Where the copy leaves out DT_VERNEED's table or its names, the test
   above could pass on objects that need nothing: libc and libgomp need
   versions of others (ld.so's, libc's). */
static void the_objects_read_need_versions(void **state)
{
    (void)state;
    size_t with_needs = 0;
    for (size_t o = 0; o < sizeof objects / sizeof *objects; o++) {
        struct elf_tls t;
        char err[512];
        if (access(objects[o], R_OK) != 0 || !elf_tls_read(objects[o], &t, err, sizeof err))
            continue;
        with_needs += t.version_needs.n > 0;
        elf_tls_free(&t);
    }
    assert_true(with_needs >= 2);
}

/* libc is 2 MB or so; what census needs of it is a few kilobytes. */
static void a_large_library_is_copied_in_part(void **state)
{
    (void)state;
    const char *libc = access(objects[2], R_OK) == 0 ? objects[2] : objects[5];
    if (access(libc, R_OK) != 0)
        skip();
    struct image im = load(libc);
    size_t reads;
    enum elf_need_state st;
    uint64_t written;
    char *copy = copy_of(&im, 65536, UINT64_MAX, &reads, &st, &written);
    assert_int_equal(st, ELF_NEED_COPIED);
    assert_true(written < im.size / 20);
    struct stat s;
    assert_int_equal(stat(copy, &s), 0);
    assert_true((uint64_t)s.st_blocks * 512 < im.size / 10); /* holes cost no disk */
    unlink(copy);
    free(copy);
    free(im.data);
}

/* A stream cut short (a truncated member) reads as the truncated file
   does; a stream the caller stops before a part is short. */
static void truncated_objects_and_short_reads(void **state)
{
    (void)state;
    struct image im = load(TEST_FIXTURES "/template-ie.so");
    size_t cuts[] = {0, 3, 40, 64, 100, 300, 700, 1200, 4096, 8192, 12300, 13000, 16000};
    for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
        char *cut = xstrdup("/tmp/statictls-test-elfneed-cut-XXXXXX");
        int fd = mkstemp(cut);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, im.data, cuts[k]), (ssize_t)cuts[k]);
        close(fd);
        struct image part = {im.data, cuts[k]};
        size_t reads;
        enum elf_need_state st;
        uint64_t written;
        char *copy = copy_of(&part, 512, UINT64_MAX, &reads, &st, &written);
        assert_int_equal(st, ELF_NEED_COPIED);
        assert_reads_same(cut, copy);
        unlink(copy), unlink(cut);
        free(copy), free(cut);
    }
    /* Stopped after the header: the program headers are wanted further on. */
    size_t reads;
    enum elf_need_state st;
    uint64_t written;
    assert_null(copy_of(&im, 64, 64, &reads, &st, &written));
    assert_int_equal(st, ELF_NEED_SHORT);
    free(im.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_object_reads_the_same_from_its_copy),
        cmocka_unit_test(the_objects_read_need_versions),
        cmocka_unit_test(a_large_library_is_copied_in_part),
        cmocka_unit_test(truncated_objects_and_short_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
