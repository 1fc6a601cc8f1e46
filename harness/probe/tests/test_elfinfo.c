/* The ELF reader: on our own templates, on a generated fixture, and on
   files that are not ELF or are cut short. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>
#include <stdint.h>
#include <cmocka.h>

#include "elfinfo.h"
#include "fixture.h"
#include "resolve.h"
#include "xalloc.h"
#include "xfile.h"

static char err[512];

/* A new empty file; the caller unlinks and frees it. */
static char *temp_path(void)
{
    char *path = xstrdup("/tmp/statictls-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static void reads_ie_template(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_true(elf_tls_read(TEST_FIXTURES "/template-ie.so", &t, err, sizeof err));
    assert_true(t.has_tls);
    assert_true(t.flag_static_tls);
    assert_true(t.ie_relocs > 0);
    assert_int_equal(t.tls_align, 4096);
    assert_true(elf_tls_needs_static(&t));
    assert_int_equal(elf_tls_firstbyte(&t), 0);
    elf_tls_free(&t);
}

static void reads_tlsdesc_template(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_true(elf_tls_read(TEST_FIXTURES "/template-tlsdesc.so", &t, err, sizeof err));
    assert_true(t.desc_relocs > 0);
    assert_int_equal(t.ie_relocs, 0);
    assert_false(elf_tls_needs_static(&t));
    elf_tls_free(&t);
}

/* The unique template defines statictls_unique and binds it: a dlopen of
   it alone pins it (and it keeps itself); the plain template neither. */
static void reads_unique_template(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_true(elf_tls_read(TEST_FIXTURES "/template-ie-unique.so", &t, err, sizeof err));
    assert_int_equal(t.unique.ndefs, 1);
    assert_string_equal(t.unique.defs[0], "statictls_unique");
    assert_true(elf_unique_looks_up(&t.unique, "statictls_unique"));
    assert_false(elf_unique_looks_up(&t.unique, "statictls_fixture_touch"));
    elf_tls_free(&t);
    assert_true(elf_tls_read(TEST_FIXTURES "/template-ie.so", &t, err, sizeof err));
    assert_int_equal(t.unique.ndefs, 0);
    elf_tls_free(&t);
    /* Where the template's libc may be, on every machine the suite runs on. */
    static char *const dirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                 "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                                 "/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu",
                                 "/lib64", "/lib", "/usr/lib", NULL};
    struct closure c;
    assert_true(resolve_closure(TEST_FIXTURES "/template-ie-unique.so", NULL, dirs, &c));
    assert_int_equal(c.nunique, 1);
    assert_string_equal(c.unique[0].name, "statictls_unique");
    assert_true(c.unique[0].owner_is_root);
    assert_int_equal(c.unique[0].nkeeps, 1);
    assert_int_equal(c.unique[0].keeps[0], 0);
    closure_free(&c);
    assert_true(resolve_closure(TEST_FIXTURES "/template-ie.so", NULL, dirs, &c));
    assert_int_equal(c.nunique, 0);
    closure_free(&c);
}

static void patched_fixture_reads_back(void **state)
{
    (void)state;
    struct fixture_template tmpl;
    assert_true(fixture_template_load(&tmpl, TEST_FIXTURES "/template-ie.so", err, sizeof err));
    char *path = temp_path();
    fixture_write(&tmpl, path, 1713, 16);
    struct elf_tls t;
    assert_true(elf_tls_read(path, &t, err, sizeof err));
    assert_int_equal(t.tls_memsz, 1713);
    assert_int_equal(t.tls_align, 16);
    assert_int_equal(elf_tls_firstbyte(&t), 0);
    elf_tls_free(&t);
    unlink(path);
    free(path);
    fixture_template_free(&tmpl);
}

static void bad_files_say_why(void **state)
{
    (void)state;
    struct elf_tls t;
    assert_false(elf_tls_read("/no/such/file.so", &t, err, sizeof err));
    assert_non_null(strstr(err, "not-found"));
    assert_false(elf_tls_read(TEST_DATA "/not-elf.so", &t, err, sizeof err));
    assert_non_null(strstr(err, "not-elf"));

    /* The first 100 bytes of a real object: a header whose tables are gone. */
    size_t len;
    char *image = read_file(TEST_FIXTURES "/template-ie.so", &len);
    assert_non_null(image);
    char path[] = "/tmp/statictls-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, image, 100), 100);
    close(fd);
    bool ok = elf_tls_read(path, &t, err, sizeof err);
    if (ok) { /* libelf may accept the header; it must not invent TLS */
        assert_false(t.has_tls);
        elf_tls_free(&t);
    }
    unlink(path);
    free(image);
}

/* ---- hostile files ----------------------------------- */

/* A copy of the IE template, changed by patch, in a new temporary file. */
static char *patched_copy(void (*patch)(unsigned char *image, size_t *len))
{
    size_t len;
    unsigned char *image = (unsigned char *)read_file(TEST_FIXTURES "/template-ie.so", &len);
    assert_non_null(image);
    patch(image, &len);
    char *path = temp_path();
    write_file_atomic(path, (char *)image, len);
    free(image);
    return path;
}

/* The section header fields of either class, in the host's byte order
   (the templates are built for this host). */
static void set_shoff(unsigned char *image, uint64_t shoff)
{
    if (image[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        memcpy(&eh, image, sizeof eh);
        eh.e_shoff = shoff;
        eh.e_shnum = shoff ? eh.e_shnum : 0;
        eh.e_shstrndx = shoff ? eh.e_shstrndx : 0;
        memcpy(image, &eh, sizeof eh);
    } else {
        Elf32_Ehdr eh;
        memcpy(&eh, image, sizeof eh);
        eh.e_shoff = (Elf32_Off)shoff;
        eh.e_shnum = shoff ? eh.e_shnum : 0;
        eh.e_shstrndx = shoff ? eh.e_shstrndx : 0;
        memcpy(image, &eh, sizeof eh);
    }
}

static uint64_t shoff_of(const unsigned char *image)
{
    Elf64_Ehdr e64;
    Elf32_Ehdr e32;
    if (image[EI_CLASS] == ELFCLASS64)
        return memcpy(&e64, image, sizeof e64), e64.e_shoff;
    return memcpy(&e32, image, sizeof e32), e32.e_shoff;
}

static void no_section_headers(unsigned char *image, size_t *len)
{
    (void)len;
    set_shoff(image, 0);
}

static void bogus_section_headers(unsigned char *image, size_t *len)
{
    (void)len;
    set_shoff(image, image[EI_CLASS] == ELFCLASS64 ? (uint64_t)1 << 62 : 0xfffffff0u);
}

static void section_headers_cut_off(unsigned char *image, size_t *len)
{
    *len = shoff_of(image); /* the table is the last thing in the file */
}

/* ld.so reads DT_FLAGS and the relocations through PT_DYNAMIC: the IE
   library is static TLS however its section headers are spoiled. */
static void ie_without_section_headers(void **state)
{
    (void)state;
    void (*patches[])(unsigned char *, size_t *) = {no_section_headers, bogus_section_headers,
                                                    section_headers_cut_off};
    for (size_t i = 0; i < 3; i++) {
        char *path = patched_copy(patches[i]);
        struct elf_tls t;
        assert_true(elf_tls_read(path, &t, err, sizeof err));
        assert_true(t.has_tls);
        assert_true(t.flag_static_tls);
        assert_true(t.ie_relocs > 0);
        assert_int_equal(elf_tls_access(&t), TLS_IE);
        elf_tls_free(&t);
        unlink(path);
        free(path);
    }
}

static void tls_size_beyond_the_address_space(void **state)
{
    (void)state;
    struct fixture_template tmpl;
    assert_true(fixture_template_load(&tmpl, TEST_FIXTURES "/template-ie.so", err, sizeof err));
    char *path = temp_path();
    uint64_t huge = tmpl.elfclass == ELFCLASS64 ? (uint64_t)1 << 63 : 0xfffffff0u;
    fixture_write(&tmpl, path, huge, 16);
    struct elf_tls t;
    assert_true(elf_tls_read(path, &t, err, sizeof err));
    assert_true(t.has_tls);
    assert_false(elf_tls_size_ok(&t));
    assert_non_null(strstr(t.tls_problem, "more than the address space"));
    elf_tls_free(&t);
    fixture_write(&tmpl, path, 1712, 16);
    assert_true(elf_tls_read(path, &t, err, sizeof err));
    assert_true(elf_tls_size_ok(&t));
    elf_tls_free(&t);
    unlink(path);
    free(path);
    fixture_template_free(&tmpl);
}

/* glibc's l_tls_firstbyte_offset: p_vaddr & (p_align - 1). */
static void firstbyte_of_an_unaligned_block(void **state)
{
    (void)state;
    struct elf_tls t = {.has_tls = true, .tls_vaddr = 0x1040, .tls_align = 128};
    assert_int_equal(elf_tls_firstbyte(&t), 0x40);
    t.tls_align = 0;
    assert_int_equal(elf_tls_firstbyte(&t), 0);
    t.tls_align = 1;
    assert_int_equal(elf_tls_firstbyte(&t), 0);
}

/* A FIFO or a device is refused at once, never waited on; an I/O error
   is unreadable, not "not ELF". */
static void fifos_devices_and_unreadable_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/statictls-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *fifo = xasprintf("%s/fifo.so", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct elf_tls t;
    assert_false(elf_tls_read(fifo, &t, err, sizeof err));
    assert_non_null(strstr(err, "not-regular"));
    assert_non_null(strstr(err, "a FIFO"));
    assert_false(elf_tls_read("/dev/zero", &t, err, sizeof err));
    assert_non_null(strstr(err, "a device"));
    assert_false(elf_tls_read(dir, &t, err, sizeof err));
    assert_non_null(strstr(err, "a directory"));
    /* A regular file whose first bytes cannot be read: address 0. */
    assert_false(elf_tls_read("/proc/self/mem", &t, err, sizeof err));
    assert_non_null(strstr(err, "unreadable"));
    if (geteuid() != 0) { /* root reads everything */
        char *locked = xasprintf("%s/locked.so", dir);
        write_file_atomic(locked, "\177ELF", 4);
        assert_int_equal(chmod(locked, 0), 0);
        assert_false(elf_tls_read(locked, &t, err, sizeof err));
        assert_non_null(strstr(err, "unreadable"));
        unlink(locked);
        free(locked);
    }
    unlink(fifo);
    rmdir(dir);
    free(fifo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_ie_template),
        cmocka_unit_test(reads_tlsdesc_template),
        cmocka_unit_test(reads_unique_template),
        cmocka_unit_test(patched_fixture_reads_back),
        cmocka_unit_test(bad_files_say_why),
        cmocka_unit_test(ie_without_section_headers),
        cmocka_unit_test(tls_size_beyond_the_address_space),
        cmocka_unit_test(firstbyte_of_an_unaligned_block),
        cmocka_unit_test(fifos_devices_and_unreadable_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
